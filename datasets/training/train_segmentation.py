#!/usr/bin/python3
"""Trains LNScope's segmentation demo model (synth_segnet) on the synthetic driving scenes.

Run with Debian's interpreter (python3-torch 1.13, python3-onnx, numpy; no PIL/cv2/matplotlib):

    xvfb-run -a -s "-screen 0 1280x1024x24 -noreset" \
        build/<preset>/app/cli/lnscope-cli synth --out /tmp/synthdrive-train --frames 2000 --seed 4242 --threads 2
    /usr/bin/python3 datasets/training/train_segmentation.py \
        --data /tmp/synthdrive-train --val datasets/synthdrive/val --out datasets/models

Model: an encoder-decoder CNN, every 3x3 convolution followed by BatchNormalization and ReLU;
four stride-2 convolutions (stride 16 at the bottleneck, the last block dilated), a decoder of
bilinear x2 upsamplings (F.interpolate, align_corners=False) each followed by a concatenation
with the encoder feature of the same stride, then (default, --refine 8) a final bilinear x2 of the
stride-2 decoder features concatenated with a full-resolution 3x3 stem on the image and a 1x1
classifier at full resolution (--refine 0: 1x1 classifier at stride 2 and a bilinear x2 of the
logits). Output `logits` 1x10x192x640 (classes.json order).

Training: random full-height crops (--crop-width) with horizontal flips and photometric jitter,
cross-entropy (ignore 255) with class weights (inverse square-root frequency, clipped), AdamW
with a one-cycle cosine schedule. Data order and augmentation come from one numpy Generator
seeded with --seed; torch.manual_seed(--seed) initialises the weights. With the same data,
PyTorch version and thread count the run is repeatable (CPU convolution sums may round
differently between machines, so the last digits of the metrics can move).

Writes to --out: synth_segnet.onnx, synth_segnet.adapter.json, synth_segnet_training.png,
synth_segnet_reference_input.pb (`image`, the first validation frame), synth_segnet_reference_output.pb
(`logits`, PyTorch float32) and synth_segnet.md (the model card, with the measured figures).
"""

import argparse
import json
import os
import platform
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_util  # noqa: E402
import lns_finetune  # noqa: E402
import synth_data as sd  # noqa: E402

NAME = "synth_segnet"
WIDTH, HEIGHT = 640, 192


# --act-quant: what forward() quantizes besides the ReLU outputs.
QUANTIZED = "the input, the upsampled tensors and the logits"


def cbr(cin, cout, stride=1, dilation=1):
    # bias=False: BN follows; batch-norm folding creates the bias.
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


def up2(x):
    # Constant scale factor: exports as Resize with constant scales (no Shape/Gather chain).
    return F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)


class SynthSegNet(nn.Module):
    """Encoder 3->16 (/2) ->32 (/4) ->64 (/8) ->96 (/16, dilated); decoder with skips back to /2."""

    def __init__(self, num_classes, c=(16, 32, 64, 96), refine=8):
        super().__init__()
        self.refine = refine
        self.enc1 = nn.Sequential(cbr(3, c[0], 2), cbr(c[0], c[0]))                  # /2
        self.enc2 = nn.Sequential(cbr(c[0], c[1], 2), cbr(c[1], c[1]))               # /4
        self.enc3 = nn.Sequential(cbr(c[1], c[2], 2), cbr(c[2], c[2]))               # /8
        self.enc4 = nn.Sequential(cbr(c[2], c[3], 2), cbr(c[3], c[3]), cbr(c[3], c[3], dilation=2))  # /16
        self.dec3 = cbr(c[3] + c[2], c[2])                                           # /8
        self.dec2 = cbr(c[2] + c[1], c[1])                                           # /4
        self.dec1 = nn.Sequential(cbr(c[1] + c[0], 24), cbr(24, 24))                 # /2
        if refine:
            # Full-resolution refinement: a cheap 3x3 stem on the image, concatenated with the
            # upsampled decoder features, so thin classes (poles, lane marks) get full-res edges.
            self.stem = cbr(3, refine)
        self.classifier = nn.Conv2d(24 + refine, num_classes, 1)
        # --act-quant: an lns_finetune.ActQuant (a plain attribute) that fake-quantizes the input,
        # the upsampled tensors and the logits in training mode (ReLU outputs through its hooks).
        self.act_quant = None

    def q(self, name, x):
        return x if self.act_quant is None else self.act_quant(name, x)

    def forward(self, x):
        x = self.q("image", x)
        f1 = self.enc1(x)
        f2 = self.enc2(f1)
        f3 = self.enc3(f2)
        f4 = self.enc4(f3)
        q = self.q
        y = self.dec3(torch.cat([q("up4", up2(f4)), f3], dim=1))
        y = self.dec2(torch.cat([q("up3", up2(y)), f2], dim=1))
        y = self.dec1(torch.cat([q("up2", up2(y)), f1], dim=1))
        if self.refine:
            return q("logits", self.classifier(torch.cat([q("up1", up2(y)), self.stem(x)], dim=1)))
        return up2(q("logits", self.classifier(y)))


def evaluate(model, val, num_classes, batch=4):
    model.eval()
    conf = np.zeros((num_classes, num_classes), dtype=np.int64)
    with torch.no_grad():
        for s in range(0, len(val["ids"]), batch):
            x = torch.from_numpy(sd.normalise(val["left"][s:s + batch]))
            pred = model(x).argmax(1).numpy()
            for p, lab in zip(pred, val["semantic"][s:s + batch]):
                conf += sd.confusion(p, lab, num_classes)
    return sd.miou_from_confusion(conf)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="training split (lnscope-cli synth output)")
    ap.add_argument("--val", required=True, help="validation split (datasets/synthdrive/val)")
    ap.add_argument("--out", required=True, help="output folder (datasets/models)")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--crop-width", type=int, default=320)
    ap.add_argument("--refine", type=int, default=0, help="channels of the full-resolution stem (0: none, "
                    "classifier at stride 2 then bilinear x2)")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N training frames (debugging)")
    ap.add_argument("--data-command", default="", help="the generator command, recorded in the model card")
    ap.add_argument("--init", default="", help="stage 2: start from the weights a finished run saved (its "
                    "per-epoch history is kept; a stride-2 classifier is carried over exactly to --refine N, the "
                    "stem's classifier weights starting at zero)")
    ap.add_argument("--logit-adjust", type=float, default=1.0,
                    help="after training, subtract TAU * log(class weight) from the classifier bias (the posterior "
                    "correction for a class-weighted loss; 0 = off)")
    ap.add_argument("--state-out", default="/tmp/synth_segnet_state.pt",
                    help="where a training run saves its weights and history (outside the repository)")
    ap.add_argument("--from-state", default="", help="skip training: load the weights and per-epoch history a "
                    "finished run saved (/tmp/synth_segnet_state.pt), evaluate on --val, export, write the card")
    # Noise-robust fine-tuning (all off by default; see lns_finetune.py).
    ap.add_argument("--init-onnx", default="", help="start from the weights of an exported synth_segnet ONNX "
                    "(same --refine); its classifier bias is moved back by the logit adjustment so that the "
                    "adjustment is applied once at the end")
    lns_finetune.add_noise_arguments(ap, QUANTIZED)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    t_start = time.time()

    classes = sd.read_classes(args.data)
    nc = len(classes)
    print(f"loading {args.data} ...", flush=True)
    train = sd.load_split(args.data, with_right=False, limit=args.limit or None)
    val = sd.load_split(args.val, with_right=False, cache=False)
    n = len(train["ids"])
    h, w = train["left"].shape[1:3]
    if (w, h) != (WIDTH, HEIGHT) or val["left"].shape[1:3] != (HEIGHT, WIDTH):
        sys.exit(f"expected {WIDTH}x{HEIGHT} frames, got train {w}x{h}, val {val['left'].shape[2]}x{val['left'].shape[1]}")
    print(f"train {n} frames, val {len(val['ids'])} frames, {nc} classes ({time.time() - t_start:.0f} s)", flush=True)

    # Class weights from the training labels: (median frequency / frequency)^0.5, clipped to [0.5, 4].
    counts = np.bincount(train["semantic"][::4].ravel(), minlength=256)[:nc].astype(np.float64)
    freq = counts / counts.sum()
    weights = np.clip(np.sqrt(np.median(freq) / np.maximum(freq, 1e-9)), 0.5, 4.0)
    print("class frequency / weight: " + ", ".join(f"{c['name']} {f:.3f}/{wt:.2f}"
                                                     for c, f, wt in zip(classes, freq, weights)), flush=True)

    model = SynthSegNet(nc, refine=args.refine)
    params = sum(p.numel() for p in model.parameters())
    print(f"parameters: {params}", flush=True)
    if args.init_onnx and not args.from_state:
        lns_finetune.load_onnx_weights(model, args.init_onnx)
        ref_in = os.path.splitext(args.init_onnx)[0] + "_reference_input.pb"
        ref_out = os.path.splitext(args.init_onnx)[0] + "_reference_output.pb"
        model.eval()
        with torch.no_grad():
            got = model(torch.from_numpy(lns_finetune.load_tensor(ref_in))).numpy()
        diff = float(np.abs(got - lns_finetune.load_tensor(ref_out)).max())
        if diff > 1e-3:
            sys.exit(f"--init-onnx {args.init_onnx}: the loaded model differs from its reference output by {diff:.2e}")
        with torch.no_grad():  # back to the training-logit space: the adjustment is applied again at the end
            model.classifier.bias += args.logit_adjust * torch.log(torch.tensor(weights, dtype=torch.float32))
        print(f"initialised from {args.init_onnx} (reference output max |d| {diff:.1e})", flush=True)
    noise = lns_finetune.TrainingNoise(model, args.weight_noise, args.act_quant, QUANTIZED)
    steps_per_epoch = n // args.batch
    total_steps = steps_per_epoch * args.epochs
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=total_steps, pct_start=0.1,
                                                anneal_strategy="cos", div_factor=10, final_div_factor=100)
    crit = nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32), ignore_index=255)

    history = []
    cw = args.crop_width
    stages = []
    if args.init and not args.from_state:
        ckpt = torch.load(args.init)
        state = dict(ckpt["state"])
        w_old = state["classifier.weight"]
        if w_old.shape[1] < model.classifier.weight.shape[1]:
            # 1x1 conv and bilinear x2 commute (the interpolation weights sum to 1), so the old
            # up2(classifier(y)) equals classifier'(cat(up2(y), stem)) with zero stem weights.
            w_new = torch.zeros_like(model.classifier.weight)
            w_new[:, :w_old.shape[1]] = w_old
            state["classifier.weight"] = w_new
        missing, unexpected = model.load_state_dict(state, strict=False)
        if unexpected or any(not k.startswith("stem.") for k in missing):
            sys.exit(f"--init: incompatible checkpoint (missing {missing}, unexpected {unexpected})")
        history = list(ckpt["history"])
        stages = list(ckpt.get("stages", [])) or [ckpt["args"]]
        t_start -= sum(hh["seconds"] for hh in history)
        # A different data order and augmentation stream from the first stage's.
        rng = np.random.default_rng(args.seed + 1000 * len(history))
        print(f"initialised from {args.init} ({len(history)} epochs, missing {missing})", flush=True)
    first_epoch = len(history) + 1
    if args.from_state:
        # Training never looks at the validation split (no model selection), so the weights of a
        # finished run are the same whatever --val was; only the report is redone.
        ckpt = torch.load(args.from_state)
        model.load_state_dict(ckpt["state"])
        history = ckpt["history"]
        stages = list(ckpt.get("stages", []))
        for key in ("epochs", "batch", "crop_width", "lr", "seed", "threads", "limit", "refine", "init"):
            if ckpt["args"].get(key, "" if key == "init" else 0) != getattr(args, key):
                sys.exit(f"--from-state: the checkpoint was trained with {key} = {ckpt['args'][key]}")
        t_start -= sum(hh["seconds"] for hh in history) + ckpt.get("load_seconds", 0)
        print(f"loaded {args.from_state}: {len(history)} epochs", flush=True)
    for epoch in range(first_epoch, first_epoch if args.from_state else first_epoch + args.epochs):
        model.train()
        t0 = time.time()
        order = rng.permutation(n)
        losses = []
        for step in range(steps_per_epoch):
            noise.new_step()
            idx = np.sort(order[step * args.batch:(step + 1) * args.batch])
            imgs = np.empty((len(idx), HEIGHT, cw, 3), dtype=np.float32)
            labs = np.empty((len(idx), HEIGHT, cw), dtype=np.int64)
            for k, i in enumerate(idx):
                x0 = int(rng.integers(0, WIDTH - cw + 1))
                img = train["left"][i, :, x0:x0 + cw]
                lab = train["semantic"][i, :, x0:x0 + cw]
                if rng.random() < 0.5:
                    img, lab = img[:, ::-1], lab[:, ::-1]
                (imgs[k],) = sd.photometric_jitter(rng, [img])
                labs[k] = lab
            x = torch.from_numpy(sd.normalise_float(imgs))
            y = torch.from_numpy(labs)
            loss = crit(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
            if (step + 1) % 50 == 0:
                print(f"  epoch {epoch} step {step + 1}/{steps_per_epoch} loss {np.mean(losses[-50:]):.4f} "
                      f"({(time.time() - t0) / (step + 1):.2f} s/step)", flush=True)
        miou, iou = evaluate(model, val, nc)
        history.append({"epoch": epoch, "loss": float(np.mean(losses)), "miou": miou, "iou": iou.tolist(),
                        "seconds": time.time() - t0, "val": args.val, "val_frames": len(val["ids"])})
        print(f"epoch {epoch}: loss {np.mean(losses):.4f}, val mIoU {100 * miou:.2f} % ("
              + ", ".join(f"{c['name']} {100 * v:.1f}" for c, v in zip(classes, iou)) + f") [{time.time() - t0:.0f} s]",
              flush=True)

    train_seconds = time.time() - t_start
    noise.remove()
    if not args.from_state:
        # The trained weights and history, outside the repository (re-export / inspection only).
        stages.append(vars(args))
        torch.save({"state": model.state_dict(), "history": history, "args": vars(args), "stages": stages},
                   args.state_out)
    if args.logit_adjust:
        # Class-weighted cross-entropy trains logits shifted by log(weight) (it over-predicts the
        # up-weighted rare classes); taking that shift out of the bias restores precision. The
        # saved state above is the unadjusted one.
        with torch.no_grad():
            model.classifier.bias -= args.logit_adjust * torch.log(torch.tensor(weights, dtype=torch.float32))
    final_miou, final_iou = evaluate(model, val, nc)
    os.makedirs(args.out, exist_ok=True)
    model.eval()

    # Reference data: the first validation frame through the eval-mode model.
    x_ref = sd.normalise(val["left"][:1])
    with torch.no_grad():
        ref = model(torch.from_numpy(x_ref)).numpy().astype(np.float32)
        ref64 = model.double()(torch.from_numpy(x_ref).double()).numpy()
        model.float()
    noise = np.abs(ref.astype(np.float64) - ref64)
    export_util.save_tensor(os.path.join(args.out, NAME + "_reference_input.pb"), x_ref, "image")
    export_util.save_tensor(os.path.join(args.out, NAME + "_reference_output.pb"), ref, "logits")

    onnx_path = os.path.join(args.out, NAME + ".onnx")
    ops = export_util.export_onnx(model, [torch.from_numpy(x_ref)], onnx_path, ["image"], ["logits"], min_bn=12)
    size = os.path.getsize(onnx_path)

    adapter = {"task": "segmentation", "version": 1,
               "input": {"name": "image", "width": WIDTH, "height": HEIGHT, "mean": sd.MEAN, "std": sd.STD,
                         "order": "rgb"},
               "output": "logits", "ignore": 255, "classes": classes}
    with open(os.path.join(args.out, NAME + ".adapter.json"), "w") as f:
        json.dump(adapter, f, indent=2)
        f.write("\n")

    curve = os.path.join(args.out, NAME + "_training.png")
    sd.plot_curves(curve, [([hh["loss"] for hh in history], (200, 40, 40), "left"),
                           ([hh["miou"] for hh in history], (30, 90, 200), "right")])

    print(f"final val mIoU {100 * final_miou:.2f} % on {len(val['ids'])} frames; model {size} bytes, {params} parameters; "
          f"training {train_seconds / 60:.1f} min", flush=True)
    print(f"ops: {export_util.op_histogram(ops)}")
    print(f"float32 vs float64 reference: max |d| {noise.max():.2e}, mean |d| {noise.mean():.2e}, "
          f"max |logit| {np.abs(ref).max():.2f}")

    card = os.path.join(args.out, NAME + ".md")
    text = model_card(args, classes, params, size, ops, history, train_seconds, noise, ref, weights, n,
                      final_miou, final_iou, len(val["ids"]), stages)
    with open(card, "w") as f:
        f.write(text)


def model_card(args, classes, params, size, ops, history, seconds, noise, ref, weights, n_train,
               final_miou, final_iou, val_frames, stages):
    rows = "\n".join(f"| {c['id']} | {c['name']} | {100 * v:.1f} |" for c, v in zip(classes, final_iou))
    epochs = "\n".join(f"| {hh['epoch']} | {hh['loss']:.4f} | {100 * hh['miou']:.2f} | "
                       f"{hh.get('val', '/tmp/synthdrive-val')} ({hh.get('val_frames', 40)}) | {hh['seconds']:.0f} |"
                       for hh in history)
    data_cmd = args.data_command or f"lnscope-cli synth --out {args.data} ..."
    if not stages:
        stages = [vars(args)]
    cmds, lines = [], []
    for k, st in enumerate(stages):
        cmd = (f"/usr/bin/python3 datasets/training/train_segmentation.py --data {st['data']} --val {args.val} "
               f"--out {args.out} \\\n    --epochs {st['epochs']} --crop-width {st['crop_width']} --lr {st['lr']} "
               f"--refine {st.get('refine', 0)} --seed {st['seed']} --threads {st['threads']}")
        if st.get("init"):
            cmd += f" --init {st['init']}"
        if st.get("init_onnx"):
            cmd += f" \\\n    --init-onnx {st['init_onnx']}"
        if st.get("weight_noise"):
            cmd += f" --weight-noise {st['weight_noise']}"
        if st.get("act_quant"):
            cmd += " --act-quant"
        if k < len(stages) - 1 or len(stages) > 1:
            cmd += f" --state-out {st.get('state_out', '/tmp/synth_segnet_state.pt')}"
        cmds.append(cmd)
        lines.append(f"Stage {k + 1}: {st['epochs']} epochs, crops {st['crop_width']}×{HEIGHT}, max lr {st['lr']}, "
                     f"full-resolution stem {st.get('refine', 0)} channels, seed {st['seed']}, {st['threads']} thread(s)"
                     + (f", starting from stage {k}'s weights" if st.get("init") else "")
                     + (f", starting from the weights of {st['init_onnx']}" if st.get("init_onnx") else "")
                     + (f", multiplicative weight noise σ = {st['weight_noise']}" if st.get("weight_noise") else "")
                     + (", LNS8 activation fake quantization (straight-through)" if st.get("act_quant") else ""))
    commands = "\n".join(cmds)
    if len(stages) > 1:
        commands += (f"\n# after the last stage (or to redo the report for another --val): export and card only\n"
                     f"/usr/bin/python3 datasets/training/train_segmentation.py ... (the last stage's arguments) "
                     f"--from-state {stages[-1].get('state_out', '/tmp/synth_segnet_state.pt')}")
    stage_lines = "\n- ".join(lines)
    if args.refine:
        head_lines = (f"stem  Conv3×3 3→{args.refine} +BN+ReLU on the image (full resolution)        {args.refine}×192×640\n"
                      f"head  bilinear ×2 of dec1, concat stem ({24 + args.refine}) → Conv1×1 →10 (bias)   logits 10×192×640")
        head_summary = ("14 Conv+BN+ReLU blocks (15 convolutions with the classifier), 4 stride-2 convolutions, "
                        "4 skip concatenations (3 decoder skips and the full-resolution stem), 4 bilinear ×2 resizes")
    else:
        head_lines = "classifier Conv1×1 24→10 (bias), bilinear ×2                          logits 10×192×640"
        head_summary = ("13 Conv+BN+ReLU blocks (14 convolutions with the classifier), 4 stride-2 convolutions, "
                        "3 skip concatenations, 4 bilinear ×2 resizes")
    return f"""# synth_segnet — segmentation demo model

Semantic segmentation of LNScope's synthetic stereo driving scenes (left image), trained with
PyTorch {torch.__version__} on CPU by `datasets/training/train_segmentation.py`. Written by that
script; the figures below are the ones it measured.

## Interface

- Input `image`: 1×3×{HEIGHT}×{WIDTH} float32, RGB, `(x/255 − mean)/std` with mean {sd.MEAN}, std {sd.STD}.
- Output `logits`: 1×{len(classes)}×{HEIGHT}×{WIDTH} float32, classes in `classes.json` order; prediction = argmax.
- Adapter: `synth_segnet.adapter.json` (task `segmentation`, ignore 255, the class list inline).
- ONNX opset 13, exported from the eval-mode model with `training=TrainingMode.PRESERVE` and
  `do_constant_folding=False`, so every BatchNormalization is a node.
- File size {size} bytes ({size / 1e6:.2f} MB), {params} parameters.
- Ops: {export_util.op_histogram(ops)}.

## Architecture

```
image 3×192×640
enc1  Conv3×3/2 3→16 +BN+ReLU, Conv3×3 16→16 +BN+ReLU                 16×96×320   ─┐
enc2  Conv3×3/2 16→32 +BN+ReLU, Conv3×3 32→32 +BN+ReLU                32×48×160   ─┼┐
enc3  Conv3×3/2 32→64 +BN+ReLU, Conv3×3 64→64 +BN+ReLU                64×24×80    ─┼┼┐
enc4  Conv3×3/2 64→96, Conv3×3 96→96, Conv3×3 96→96 dilation 2 (+BN+ReLU each)  96×12×40 ││
dec3  bilinear ×2, concat enc3 (160) → Conv3×3 →64 +BN+ReLU           64×24×80     ◀─┼┼┘
dec2  bilinear ×2, concat enc2 (96)  → Conv3×3 →32 +BN+ReLU           32×48×160    ◀─┼┘
dec1  bilinear ×2, concat enc1 (48)  → Conv3×3 →24, Conv3×3 24→24 (+BN+ReLU each)  24×96×320 ◀┘
{head_lines}
```

{head_summary} (`F.interpolate`, `align_corners=False` → ONNX Resize linear, half_pixel,
constant scales).

## Training

```sh
{data_cmd}
{commands}
```

- Data: {n_train} generated frames (never committed), validation `{args.val}`.
- {stage_lines}
- Every stage: batch {args.batch}, random full-height crops with horizontal flips and photometric
  jitter (brightness, contrast, gain, gamma, noise); AdamW (weight decay 1e-4), one-cycle cosine
  schedule (10 % warm-up from lr/10, down to lr/1000); `torch.manual_seed(seed)` for the initial
  weights, one numpy Generator for data order, crops, flips and jitter (seeded with seed + 1000 ×
  the epochs already trained, so a second stage does not replay the first one's stream).
- Loss: cross-entropy, ignore 255, class weights (median freq / freq)^0.5 clipped to [0.5, 4]:
  {", ".join(f"{c['name']} {w:.2f}" for c, w in zip(classes, weights))}.
- After training, the classifier bias is corrected by −{args.logit_adjust} · log(class weight) (logit
  adjustment: a class-weighted loss shifts the optimal logits by log(weight), which over-predicts
  the up-weighted thin and small classes). The per-epoch figures below are without it; the final
  table with it.
- Training time: {seconds / 60:.1f} min on {platform.machine()} CPU ({args.threads} threads).

![training curve](synth_segnet_training.png)

`synth_segnet_training.png`: red = mean training loss per epoch (log scale, left), blue =
validation mIoU per epoch (0–100 %, right axis), x = epoch. The validation split used for each epoch's figure is in the table (the
first stage's run reported on a 40-frame `lnscope-cli synth --seed 20261122` split, whose first 32
frames are byte-identical to the committed `datasets/synthdrive/val`; validation never feeds back
into training).

| Epoch | Train loss | Val mIoU % | Measured on (frames) | Seconds |
|---|---|---|---|---|
{epochs}

## Float metrics on `{args.val}` ({val_frames} frames)

Dataset-level mIoU (per-class intersections and unions summed over all frames, ignore 255,
classes absent from both prediction and label dropped): **{100 * final_miou:.2f} %**.

| Id | Class | IoU % |
|---|---|---|
{rows}

## Reference data

`synth_segnet_reference_input.pb` (`image`, the first validation frame, normalised) and
`synth_segnet_reference_output.pb` (`logits`, PyTorch float32). The float32 reference's own
rounding noise against a float64 run of the same model: max |Δ| {noise.max():.2e}, mean |Δ|
{noise.mean():.2e} (logits up to |{np.abs(ref).max():.1f}|); `tests/core/test_demo_model.cpp`
compares LNScope's executor with it.
"""


if __name__ == "__main__":
    main()
