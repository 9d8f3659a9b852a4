#!/usr/bin/python3
"""Trains LNScope's stereo 3-D detection demo model (synth_stereo3d) on the synthetic scenes.

Run with Debian's interpreter (python3-torch 1.13, python3-onnx, numpy; no PIL/cv2/matplotlib):

    xvfb-run -a -s "-screen 0 1280x1024x24 -noreset" \
        build/<preset>/app/cli/lnscope-cli synth --out /tmp/synthdrive-train --frames 2000 --seed 4242 --threads 2
    /usr/bin/python3 datasets/training/train_stereo3d.py \
        --data /tmp/synthdrive-train --val datasets/synthdrive/val --out datasets/models

The interface, the training targets and the decoding follow the shared contract (the adapter
file written here, `synth_stereo3d.md`): inputs `left`, `right` (1x3x192x640, normalised like
the segmentation model), outputs at stride 4 `heatmap` (3 class logits), `depth_bins` (D
logits), `depth_residual` (D, in bin widths), `size` (log-ratios h, w, l to the class mean),
`heading` (sin, cos of the observation angle alpha), `offset` (dx, dy of the projected 3-D
box centre within its cell).

Model: one small CNN shared by both images (stride 4, 32 channels), a correlation cost volume
(mean over channels of left * right shifted by d = 0..23 cells at stride 4, i.e. 0..92 pixels of
disparity), concatenated with the left features, a U-shaped trunk down to stride 16 and back
with bilinear upsampling and skip concatenations, a shared 3x3 head convolution and 1x1 output
convolutions. Every 3x3 convolution is followed by BatchNormalization and ReLU. During training
an auxiliary 1x1 head classifies the *surface* depth of every stride-4 cell from the generator's
disparity map into the same depth bins (dense supervision for the cost volume); it is not part
of the exported graph.

Seeded: torch.manual_seed(--seed) for the weights, one numpy Generator for data order, crops and
jitter. Writes synth_stereo3d.onnx, .adapter.json, _training.png, _reference_input_left.pb,
_reference_input_right.pb, _reference_output_<name>.pb (one per output) and the model card.
"""

import argparse
import json
import math
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

NAME = "synth_stereo3d"
# --act-quant: what forward() quantizes besides the ReLU outputs.
QUANTIZED = "the inputs, the correlation and cost volume, the upsampled tensors and the outputs"
WIDTH, HEIGHT = 640, 192
STRIDE = 4
CLASSES = ["Car", "Pedestrian", "Cyclist"]
MAX_DISP = 24  # correlation shifts, in stride-4 cells
OUTPUTS = ["heatmap", "depth_bins", "depth_residual", "size", "heading", "offset"]

# Depth bins: D = 24 bins with edges spaced geometrically from 2 m to 80 m (each bin ~17 % of its
# depth, matching stereo's error growth); centre = middle of the bin, width = edge difference.
DEPTH_MIN, DEPTH_MAX, NUM_BINS = 2.0, 80.0, 24
EDGES = DEPTH_MIN * (DEPTH_MAX / DEPTH_MIN) ** (np.arange(NUM_BINS + 1) / NUM_BINS)
CENTRES = 0.5 * (EDGES[1:] + EDGES[:-1])
WIDTHS = EDGES[1:] - EDGES[:-1]


def depth_to_bin(z):
    return np.clip(np.searchsorted(EDGES, z, side="right") - 1, 0, NUM_BINS - 1)


def cbr(cin, cout, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


def up2(x):
    return F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)


class SynthStereo3D(nn.Module):
    def __init__(self, num_classes=3, num_bins=NUM_BINS, max_disp=MAX_DISP):
        super().__init__()
        self.max_disp = max_disp
        # Shared feature extractor (applied to left and right): stride 4, 32 channels.
        self.feat = nn.Sequential(cbr(3, 16, 2), cbr(16, 32, 2), cbr(32, 32))
        self.corr_bn = nn.BatchNorm2d(max_disp)
        # Trunk on [left features, cost volume].
        self.t1 = cbr(32 + max_disp, 48)             # /4
        self.t2 = nn.Sequential(cbr(48, 64, 2), cbr(64, 64))   # /8
        self.t3 = nn.Sequential(cbr(64, 96, 2), cbr(96, 96))   # /16
        self.u2 = cbr(96 + 64, 64)                   # /8
        self.u1 = cbr(64 + 48, 48)                   # /4
        self.head = cbr(48, 64)
        self.out_heatmap = nn.Conv2d(64, num_classes, 1)
        self.out_depth_bins = nn.Conv2d(64, num_bins, 1)
        self.out_depth_residual = nn.Conv2d(64, num_bins, 1)
        self.out_size = nn.Conv2d(64, 3, 1)
        self.out_heading = nn.Conv2d(64, 2, 1)
        self.out_offset = nn.Conv2d(64, 2, 1)
        self.aux_depth = nn.Conv2d(48, num_bins, 1)  # training only (surface depth)
        nn.init.constant_(self.out_heatmap.bias, -2.19)  # CenterNet: initial p = 0.1
        # --act-quant: an lns_finetune.ActQuant (a plain attribute, not a submodule) that fake-
        # quantizes the tensors named in forward() in training mode; None = identity.
        self.act_quant = None
        self.aux_detach = False  # --aux-warmup: the auxiliary head trains on detached features

    def q(self, name, x):
        return x if self.act_quant is None else self.act_quant(name, x)

    def correlation(self, fl, fr):
        """c_d(x) = mean over channels of fl(x) * fr(x - d), zero where x < d, d = 0..max_disp-1.
        The right features are zero-padded once on the left (concat with a Slice * 0, which exports
        as plain Slice/Mul/Concat; F.pad would export a ConstantOfShape chain), then each shift is a
        Slice of the padded tensor."""
        d_max, w = self.max_disp, fl.shape[3]
        frp = torch.cat([fr[:, :, :, :d_max - 1] * 0.0, fr], 3)
        return torch.cat([(fl * frp[:, :, :, d_max - 1 - d:d_max - 1 - d + w]).mean(1, keepdim=True)
                          for d in range(d_max)], 1)

    def forward(self, left, right, aux=False):
        q = self.q  # identity unless --act-quant in training (ReLU outputs are quantized by hooks)
        fl = self.feat(q("left", left))
        fr = self.feat(q("right", right))
        cost = q("cost", self.corr_bn(q("correlation", self.correlation(fl, fr))))
        x1 = self.t1(torch.cat([fl, cost], 1))
        x2 = self.t2(x1)
        x3 = self.t3(x2)
        y = self.u2(torch.cat([q("up3", up2(x3)), x2], 1))
        y = self.u1(torch.cat([q("up2", up2(y)), x1], 1))
        h = self.head(y)
        outs = tuple(q(name, conv(h)) for name, conv in zip(
            OUTPUTS, (self.out_heatmap, self.out_depth_bins, self.out_depth_residual, self.out_size,
                      self.out_heading, self.out_offset)))
        if aux:
            return outs + (self.aux_depth(y.detach() if self.aux_detach else y),)
        return outs


# ----------------------------------------------------------------------------------------------
# Targets


def gaussian_radius(h, w, min_overlap=0.7):
    """CenterNet's radius rule (the three quadratic cases, smallest root)."""
    a1, b1, c1 = 1, h + w, w * h * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + math.sqrt(b1 ** 2 - 4 * a1 * c1)) / 2
    a2, b2, c2 = 4, 2 * (h + w), (1 - min_overlap) * w * h
    r2 = (b2 + math.sqrt(b2 ** 2 - 4 * a2 * c2)) / 2
    a3, b3, c3 = 4 * min_overlap, -2 * min_overlap * (h + w), (min_overlap - 1) * w * h
    r3 = (b3 + math.sqrt(b3 ** 2 - 4 * a3 * c3)) / 2
    return min(r1, r2, r3)


def object_centre_uv(o, P):
    """Image coordinates of the projection of the 3-D box's geometric centre."""
    p = P @ np.array([o["x"], o["y"] - o["h"] / 2, o["z"], 1.0])
    return p[0] / p[2], p[1] / p[2]


def wrap(a):
    return (a + math.pi) % (2 * math.pi) - math.pi


def make_targets(objs, P, x0, crop_w, mean_sizes):
    """Targets for one (cropped) sample at stride 4. x0: crop offset in pixels."""
    h, w = HEIGHT // STRIDE, crop_w // STRIDE
    hm = np.zeros((len(CLASSES), h, w), dtype=np.float32)
    reg = []  # (y, x, weight, cls, bin, residual, logsize(3), sin, cos, dx, dy)
    for o in objs:
        if o["type"] not in CLASSES or o["z"] <= 0.5:
            continue
        c = CLASSES.index(o["type"])
        u, v = object_centre_uv(o, P)
        u -= x0
        qx, qy = (u + 0.5) / STRIDE - 0.5, (v + 0.5) / STRIDE - 0.5
        cx, cy = int(math.floor(qx + 0.5)), int(math.floor(qy + 0.5))
        if not (0 <= cx < w and 0 <= cy < h):
            continue
        bh = (o["bbox"][3] - o["bbox"][1]) / STRIDE
        bw = (o["bbox"][2] - o["bbox"][0]) / STRIDE
        r = max(0, int(gaussian_radius(max(bh, 1e-3), max(bw, 1e-3))))
        sigma = (2 * r + 1) / 6.0
        ys, xs = np.arange(max(0, cy - r), min(h, cy + r + 1)), np.arange(max(0, cx - r), min(w, cx + r + 1))
        g = np.exp(-((ys[:, None] - cy) ** 2 + (xs[None, :] - cx) ** 2) / (2 * sigma * sigma))
        sub = hm[c, ys[0]:ys[-1] + 1, xs[0]:xs[-1] + 1]
        np.maximum(sub, g, out=sub)
        hm[c, cy, cx] = 1.0
        z = o["z"]
        k = int(depth_to_bin(z))
        res = (z - CENTRES[k]) / WIDTHS[k]
        ls = np.log(np.array([o["h"], o["w"], o["l"]]) / mean_sizes[c])
        alpha = wrap(o["ry"] - math.atan2(o["x"], o["z"]))
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                yy, xx = cy + dy, cx + dx
                if 0 <= yy < h and 0 <= xx < w:
                    wt = 1.0 if dx == 0 and dy == 0 else 0.3
                    reg.append((yy, xx, wt, c, k, res, ls[0], ls[1], ls[2], math.sin(alpha), math.cos(alpha),
                                qx - xx, qy - yy))
    return hm, reg


def surface_depth_bins(disp_u16, x0, crop_w, focal, baseline):
    """Stride-4 bin index of the surface depth from the disparity PNG (-1 where invalid)."""
    d = disp_u16[1::STRIDE, x0 + 1:x0 + crop_w:STRIDE].astype(np.float32) / 256.0
    d = d[:HEIGHT // STRIDE, :crop_w // STRIDE]
    valid = d > 0
    z = np.where(valid, focal * baseline / np.maximum(d, 1e-6), 0)
    k = depth_to_bin(z)
    return np.where(valid & (z < DEPTH_MAX * 1.5), k, -1).astype(np.int64)


def focal_loss(logits, target):
    """CenterNet's penalty-reduced focal loss (alpha 2, beta 4), normalised by the object count."""
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = target.eq(1).float()
    neg = 1 - pos
    pos_loss = torch.log(p) * (1 - p) ** 2 * pos
    neg_loss = torch.log(1 - p) * p ** 2 * (1 - target) ** 4 * neg
    n = pos.sum()
    return -(pos_loss.sum() + neg_loss.sum()) / torch.clamp(n, min=1.0)


# ----------------------------------------------------------------------------------------------
# Decoding (the contract; the C++ adapter implements the same)


def decode(outs, P_image, image_w, image_h, mean_sizes, score_threshold=0.3, max_det=50, nms_kernel=3):
    """outs: dict name -> array (C,h,w) for one sample; P_image: the frame's P2 (image pixels).
    Returns KITTI label dicts (camera frame) with scores and 2-D boxes."""
    heat = 1.0 / (1.0 + np.exp(-outs["heatmap"].astype(np.float64)))
    K, h, w = heat.shape
    pad = nms_kernel // 2
    padded = np.pad(heat, ((0, 0), (pad, pad), (pad, pad)), constant_values=-np.inf)
    mx = np.full_like(heat, -np.inf)
    for dy in range(nms_kernel):
        for dx in range(nms_kernel):
            mx = np.maximum(mx, padded[:, dy:dy + h, dx:dx + w])
    peaks = np.argwhere((heat == mx) & (heat >= score_threshold))
    cand = sorted(((-heat[c, y, x], c, y, x) for c, y, x in peaks))[:max_det]
    sx, sy = WIDTH / image_w, HEIGHT / image_h
    fx, cx, fy, cy = P_image[0, 0] * sx, P_image[0, 2] * sx, P_image[1, 1] * sy, P_image[1, 2] * sy
    tx, ty = P_image[0, 3] * sx, P_image[1, 3] * sy
    dets = []
    for negp, c, y, x in cand:
        bins = outs["depth_bins"][:, y, x]
        k = int(np.argmax(bins))  # first maximum on ties
        Z = CENTRES[k] + float(outs["depth_residual"][k, y, x]) * WIDTHS[k]
        u = (x + float(outs["offset"][0, y, x]) + 0.5) * STRIDE - 0.5
        v = (y + float(outs["offset"][1, y, x]) + 0.5) * STRIDE - 0.5
        dims = mean_sizes[c] * np.exp(outs["size"][:, y, x].astype(np.float64))
        X = (u * Z - cx * Z - tx) / fx
        Yc = (v * Z - cy * Z - ty) / fy
        alpha = math.atan2(float(outs["heading"][0, y, x]), float(outs["heading"][1, y, x]))
        ry = wrap(alpha + math.atan2(X, Z))
        o = {"type": CLASSES[c], "trunc": 0.0, "occ": 0, "alpha": alpha, "h": float(dims[0]), "w": float(dims[1]),
             "l": float(dims[2]), "x": X, "y": Yc + dims[0] / 2, "z": Z, "ry": ry, "score": -negp}
        o["bbox"] = sd.project_box_2d(o, P_image, image_w, image_h)
        dets.append(o)
    return dets


def evaluate(model, val, mean_sizes, batch=4, score_threshold=0.3):
    model.eval()
    dets = []
    with torch.no_grad():
        for s in range(0, len(val["ids"]), batch):
            outs = model(torch.from_numpy(sd.normalise(val["left"][s:s + batch])),
                         torch.from_numpy(sd.normalise(val["right"][s:s + batch])))
            outs = [o.numpy() for o in outs]
            for b in range(outs[0].shape[0]):
                i = s + b
                dets.append(decode({k: o[b] for k, o in zip(OUTPUTS, outs)}, val["calibs"][i]["P2"], WIDTH, HEIGHT,
                                   mean_sizes, score_threshold=score_threshold))
    res = {}
    for diff in ("easy", "moderate", "hard", "all"):
        for thr in (0.5, 0.7):
            res[f"car_{diff}_{thr}"] = sd.bev_ap_r40(val["labels"], dets, "Car", thr, diff)
        for cls in ("Pedestrian", "Cyclist"):
            res[f"{cls.lower()}_{diff}_0.5"] = sd.bev_ap_r40(val["labels"], dets, cls, 0.5, diff)
            res[f"{cls.lower()}_{diff}_0.25"] = sd.bev_ap_r40(val["labels"], dets, cls, 0.25, diff)
    res["detections"] = sum(len(d) for d in dets)
    return res, dets


def finetune_args(args):
    """The fine-tuning options of a run, as command-line text for the model card ('' when none)."""
    parts = []
    if args.init_onnx:
        parts.append(f"--init-onnx {args.init_onnx}")
    if args.mean_sizes_from:
        parts.append(f"--mean-sizes-from {args.mean_sizes_from}")
    if args.init_onnx and args.aux_warmup != 100 or not args.init_onnx and args.aux_warmup:
        parts.append(f"--aux-warmup {args.aux_warmup}")
    if args.weight_noise:
        parts.append(f"--weight-noise {args.weight_noise}")
    if args.act_quant:
        parts.append("--act-quant")
    return (" \\\n    " + " ".join(parts)) if parts else ""


def fmt(v):
    return "n/a" if v != v else f"{100 * v:.1f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--val", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--crop-width", type=int, default=320)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--data-command", default="", help="the generator command, recorded in the model card")
    ap.add_argument("--from-state", default="", help="skip training: load the weights and per-epoch history a "
                    "finished run saved (/tmp/synth_stereo3d_state.pt), evaluate on --val, export, write the card")
    ap.add_argument("--detections-out", default="/tmp/synth_stereo3d_val_detections",
                    help="where the final evaluation writes its decoded boxes (KITTI result format, one file per frame)")
    ap.add_argument("--state-out", default="/tmp/synth_stereo3d_state.pt",
                    help="where a training run saves its weights and per-epoch history")
    # Noise-robust fine-tuning (all off by default).
    ap.add_argument("--init-onnx", default="", help="start from the weights of an exported synth_stereo3d ONNX "
                    "(every exported parameter and BatchNorm statistic; the training-only auxiliary head starts "
                    "fresh); checked against the reference outputs next to it")
    ap.add_argument("--mean-sizes-from", default="", help="adapter JSON whose class mean sizes define the size "
                    "targets (default: measured on --data; with --init-onnx: the adapter next to that ONNX)")
    ap.add_argument("--aux-warmup", type=int, default=-1, help="optimiser steps during which the auxiliary head "
                    "trains on detached features (default: 100 with --init-onnx, else 0)")
    lns_finetune.add_noise_arguments(ap, QUANTIZED)
    args = ap.parse_args()
    if args.aux_warmup < 0:
        args.aux_warmup = 100 if args.init_onnx else 0

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    t_start = time.time()

    print(f"loading {args.data} ...", flush=True)
    train = sd.load_split(args.data, with_right=True, with_semantic=False, limit=args.limit or None)
    val = sd.load_split(args.val, with_right=True, with_semantic=False, cache=False)
    n = len(train["ids"])
    # Disparity maps (surface depth for the auxiliary loss).
    disp = np.stack([sd.read_png(os.path.join(train["root"], "disparity", i + ".png")) for i in train["ids"]])
    with open(os.path.join(train["root"], "synth.json")) as f:
        rig = json.load(f)["rig"]
    focal, baseline = rig["focal"], rig["baseline"]
    if train["left"].shape[1:3] != (HEIGHT, WIDTH) or val["left"].shape[1:3] != (HEIGHT, WIDTH):
        sys.exit("expected 640x192 frames")
    # Class mean sizes (h, w, l) measured on the training labels.
    mean_sizes = np.zeros((len(CLASSES), 3))
    for c, name in enumerate(CLASSES):
        dims = np.array([[o["h"], o["w"], o["l"]] for objs in train["labels"] for o in objs if o["type"] == name])
        mean_sizes[c] = dims.mean(0) if len(dims) else [1.5, 1.6, 3.9]
        print(f"{name}: {len(dims)} objects, mean size h w l = {np.round(mean_sizes[c], 3).tolist()}", flush=True)
    sizes_from = args.mean_sizes_from
    if not sizes_from and args.init_onnx:
        sizes_from = os.path.splitext(args.init_onnx)[0] + ".adapter.json"
        if not os.path.exists(sizes_from):
            sys.exit(f"--init-onnx: no {sizes_from} to take the class mean sizes from; give --mean-sizes-from")
    if sizes_from:
        # A fine-tune keeps the size-target convention of the model it starts from.
        with open(sizes_from) as f:
            classes = {c["name"]: c["meanSize"] for c in json.load(f)["classes"]}
        mean_sizes = np.array([classes[name] for name in CLASSES], dtype=np.float64)
        print(f"class mean sizes from {sizes_from}: {mean_sizes.tolist()}", flush=True)
    print(f"train {n} frames, val {len(val['ids'])} frames ({time.time() - t_start:.0f} s)", flush=True)

    model = SynthStereo3D()
    params = sum(p.numel() for name, p in model.named_parameters() if not name.startswith("aux_"))
    print(f"parameters (exported): {params}", flush=True)
    if args.init_onnx and not args.from_state:
        init_from_onnx(model, args.init_onnx, args.out)
    noise = lns_finetune.TrainingNoise(model, args.weight_noise, args.act_quant, QUANTIZED, skip_prefixes=("aux_",))
    steps_per_epoch = n // args.batch
    total_steps = steps_per_epoch * args.epochs
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=total_steps, pct_start=0.1,
                                                anneal_strategy="cos", div_factor=10, final_div_factor=100)
    history = []
    cw = args.crop_width
    if args.from_state:
        # Training never looks at the validation split (no model selection), so the weights of a
        # finished run are the same whatever --val was; only the report is redone.
        ckpt = torch.load(args.from_state)
        model.load_state_dict(ckpt["state"])
        history = ckpt["history"]
        for key in ("epochs", "batch", "crop_width", "lr", "seed", "threads", "limit"):
            if ckpt["args"][key] != getattr(args, key):
                sys.exit(f"--from-state: the checkpoint was trained with {key} = {ckpt['args'][key]}")
        t_start -= sum(hh["seconds"] for hh in history)
        print(f"loaded {args.from_state}: {len(history)} epochs", flush=True)
    for epoch in range(1, 0 if args.from_state else args.epochs + 1):
        model.train()
        t0 = time.time()
        order = rng.permutation(n)
        sums = {}
        for step in range(steps_per_epoch):
            model.aux_detach = (epoch - 1) * steps_per_epoch + step < args.aux_warmup
            noise.new_step()
            idx = np.sort(order[step * args.batch:(step + 1) * args.batch])
            B = len(idx)
            lefts = np.empty((B, HEIGHT, cw, 3), dtype=np.float32)
            rights = np.empty((B, HEIGHT, cw, 3), dtype=np.float32)
            hms = np.empty((B, len(CLASSES), HEIGHT // STRIDE, cw // STRIDE), dtype=np.float32)
            auxt = np.empty((B, HEIGHT // STRIDE, cw // STRIDE), dtype=np.int64)
            regs = []
            for k, i in enumerate(idx):
                x0 = STRIDE * int(rng.integers(0, (WIDTH - cw) // STRIDE + 1))
                lefts[k], rights[k] = sd.photometric_jitter(
                    rng, [train["left"][i, :, x0:x0 + cw], train["right"][i, :, x0:x0 + cw]])
                hms[k], reg = make_targets(train["labels"][i], train["calibs"][i]["P2"], x0, cw, mean_sizes)
                auxt[k] = surface_depth_bins(disp[i], x0, cw, focal, baseline)
                regs += [(k,) + r for r in reg]
            outs = model(torch.from_numpy(sd.normalise_float(lefts)), torch.from_numpy(sd.normalise_float(rights)),
                         aux=True)
            heat, dbins, dres, size, heading, offset, aux = outs
            l_hm = focal_loss(heat, torch.from_numpy(hms))
            l_aux = F.cross_entropy(aux, torch.from_numpy(auxt), ignore_index=-1)
            if regs:
                r = np.array(regs, dtype=np.float64)
                b, yy, xx = (torch.from_numpy(r[:, j].astype(np.int64)) for j in range(3))
                wt = torch.from_numpy(r[:, 3].astype(np.float32))
                kbin = torch.from_numpy(r[:, 5].astype(np.int64))
                t = torch.from_numpy(r[:, 6:].astype(np.float32))
                wsum = wt.sum()
                db = dbins[b, :, yy, xx]
                l_bin = (F.cross_entropy(db, kbin, reduction="none") * wt).sum() / wsum
                dr = dres[b, :, yy, xx].gather(1, kbin[:, None])[:, 0]
                l_res = (F.smooth_l1_loss(dr, t[:, 0], reduction="none", beta=0.1) * wt).sum() / wsum
                l_size = (F.l1_loss(size[b, :, yy, xx], t[:, 1:4], reduction="none").sum(1) * wt).sum() / wsum
                l_head = (F.l1_loss(heading[b, :, yy, xx], t[:, 4:6], reduction="none").sum(1) * wt).sum() / wsum
                l_off = (F.l1_loss(offset[b, :, yy, xx], t[:, 6:8], reduction="none").sum(1) * wt).sum() / wsum
            else:
                l_bin = l_res = l_size = l_head = l_off = heat.sum() * 0
            parts = {"hm": l_hm, "bin": l_bin, "res": l_res, "size": l_size, "head": l_head, "off": l_off,
                     "aux": l_aux}
            loss = l_hm + l_bin + 2.0 * l_res + l_size + l_head + l_off + 0.5 * l_aux
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            opt.step()
            sched.step()
            sums.setdefault("total", []).append(loss.item())
            for key, v in parts.items():
                sums.setdefault(key, []).append(float(v))
            if (step + 1) % 50 == 0:
                print(f"  epoch {epoch} step {step + 1}/{steps_per_epoch} " +
                      " ".join(f"{key} {np.mean(v[-50:]):.3f}" for key, v in sums.items()) +
                      f" ({(time.time() - t0) / (step + 1):.2f} s/step)", flush=True)
        res, _ = evaluate(model, val, mean_sizes)
        rec = {"epoch": epoch, "loss": float(np.mean(sums["total"])), "seconds": time.time() - t0,
               "parts": {key: float(np.mean(v)) for key, v in sums.items()}, "val": args.val,
               "val_frames": len(val["ids"])}
        rec.update(res)
        history.append(rec)
        print(f"epoch {epoch}: loss {rec['loss']:.3f}; val BEV AP|R40 Car@0.5 easy/mod/hard/all "
              f"{fmt(res['car_easy_0.5'])}/{fmt(res['car_moderate_0.5'])}/{fmt(res['car_hard_0.5'])}/{fmt(res['car_all_0.5'])}"
              f", Car@0.7 mod {fmt(res['car_moderate_0.7'])}, Ped@0.5 mod {fmt(res['pedestrian_moderate_0.5'])}, "
              f"Cyc@0.5 mod {fmt(res['cyclist_moderate_0.5'])}; {res['detections']} detections "
              f"[{rec['seconds']:.0f} s]", flush=True)

    train_seconds = time.time() - t_start
    # Eval and export see the plain model.
    model.aux_detach = False
    noise.remove()
    if not args.from_state:
        # The trained weights and history, outside the repository (re-export / inspection only).
        torch.save({"state": model.state_dict(), "history": history, "args": vars(args)}, args.state_out)
    # Final evaluation with the values the adapter file states (mean sizes rounded as written).
    mean_sizes = np.round(mean_sizes, 4)
    final, final_dets = evaluate(model, val, mean_sizes)
    if args.detections_out:
        os.makedirs(args.detections_out, exist_ok=True)
        for fid, dets in zip(val["ids"], final_dets):
            with open(os.path.join(args.detections_out, fid + ".txt"), "w") as f:
                for o in dets:
                    f.write(f"{o['type']} -1 -1 {o['alpha']:.6f} " + " ".join(f"{v:.3f}" for v in o["bbox"]) +
                            f" {o['h']:.4f} {o['w']:.4f} {o['l']:.4f} {o['x']:.4f} {o['y']:.4f} {o['z']:.4f}"
                            f" {o['ry']:.6f} {o['score']:.6f}\n")
    os.makedirs(args.out, exist_ok=True)
    model.eval()
    xl = sd.normalise(val["left"][:1])
    xr = sd.normalise(val["right"][:1])
    with torch.no_grad():
        ref = [o.numpy().astype(np.float32) for o in model(torch.from_numpy(xl), torch.from_numpy(xr))]
        ref64 = [o.numpy() for o in model.double()(torch.from_numpy(xl).double(), torch.from_numpy(xr).double())]
        model.float()
    noise = {k: float(np.abs(a.astype(np.float64) - b).max()) for k, a, b in zip(OUTPUTS, ref, ref64)}
    mags = {k: float(np.abs(a).max()) for k, a in zip(OUTPUTS, ref)}
    export_util.save_tensor(os.path.join(args.out, NAME + "_reference_input_left.pb"), xl, "left")
    export_util.save_tensor(os.path.join(args.out, NAME + "_reference_input_right.pb"), xr, "right")
    for k, a in zip(OUTPUTS, ref):
        export_util.save_tensor(os.path.join(args.out, f"{NAME}_reference_output_{k}.pb"), a, k)

    onnx_path = os.path.join(args.out, NAME + ".onnx")
    ops = export_util.export_onnx(model, [torch.from_numpy(xl), torch.from_numpy(xr)], onnx_path,
                                  ["left", "right"], OUTPUTS, min_bn=10)
    size_bytes = os.path.getsize(onnx_path)

    adapter = {"task": "stereo3d", "version": 1,
               "inputs": {"left": "left", "right": "right"},
               "input": {"width": WIDTH, "height": HEIGHT, "mean": sd.MEAN, "std": sd.STD, "order": "rgb"},
               "outputs": {"heatmap": "heatmap", "depthBins": "depth_bins", "depthResidual": "depth_residual",
                           "size": "size", "heading": "heading", "offset": "offset"},
               "stride": STRIDE,
               "depthBins": {"centres": [round(float(c), 6) for c in CENTRES],
                             "widths": [round(float(w), 6) for w in WIDTHS]},
               "classes": [{"name": n_, "meanSize": [round(float(v), 4) for v in mean_sizes[c]]}
                           for c, n_ in enumerate(CLASSES)],
               "scoreThreshold": 0.3, "maxDetections": 50, "nmsKernel": 3}
    with open(os.path.join(args.out, NAME + ".adapter.json"), "w") as f:
        json.dump(adapter, f, indent=2)
        f.write("\n")

    curve = os.path.join(args.out, NAME + "_training.png")
    sd.plot_curves(curve, [([hh["loss"] for hh in history], (200, 40, 40), "left"),
                           ([hh["car_moderate_0.5"] for hh in history], (30, 90, 200), "right"),
                           ([hh["car_moderate_0.7"] for hh in history], (30, 160, 60), "right")])
    print(f"final: Car BEV AP|R40 @0.5 moderate {fmt(final['car_moderate_0.5'])} %, @0.7 {fmt(final['car_moderate_0.7'])} %;"
          f" model {size_bytes} bytes, {params} parameters; training {train_seconds / 60:.1f} min", flush=True)
    print(f"ops: {export_util.op_histogram(ops)}")
    print("float32 vs float64 max |d|: " + ", ".join(f"{k} {noise[k]:.2e} (max |x| {mags[k]:.2f})" for k in OUTPUTS))
    with open(os.path.join(args.out, NAME + ".md"), "w") as f:
        f.write(model_card(args, params, size_bytes, ops, history, train_seconds, noise, mags, mean_sizes, n, final,
                           len(val["ids"])))


def init_from_onnx(model, path, out_dir):
    """--init-onnx: loads the exported weights, then checks the loaded model against the reference
    outputs stored next to the ONNX (PyTorch, on the stored reference inputs) and re-exports it to
    compare every initializer with the source file. Exits on any mismatch."""
    skipped = lns_finetune.load_onnx_weights(model, path, skip_prefixes=("aux_",))
    print(f"initialised from {path} (fresh: {', '.join(skipped)})", flush=True)
    base = os.path.splitext(path)[0]
    model.eval()
    ins = [lns_finetune.load_tensor(f"{base}_reference_input_{k}.pb") for k in ("left", "right")]
    with torch.no_grad():
        outs = model(*(torch.from_numpy(a) for a in ins))
    errs = []
    for k, o in zip(OUTPUTS, outs):
        ref = lns_finetune.load_tensor(f"{base}_reference_output_{k}.pb")
        d = float(np.abs(o.numpy().astype(np.float64) - ref).max())
        tol = 1e-4 * max(1.0, float(np.abs(ref).max()))
        print(f"  reference output {k}: max |d| {d:.2e} (tolerance {tol:.1e})", flush=True)
        if not d <= tol:
            errs.append(k)
    os.makedirs(out_dir, exist_ok=True)
    check = os.path.join(out_dir, NAME + "_init_check.onnx")
    export_util.export_onnx(model, [torch.from_numpy(a) for a in ins], check, ["left", "right"], OUTPUTS, min_bn=10)
    diff, only = lns_finetune.compare_initializers(path, check)
    os.remove(check)
    print(f"  re-export: initializers max |d| {diff:.1e}, names in one file only: {only}", flush=True)
    if errs or diff != 0.0 or only:
        sys.exit(f"--init-onnx {path}: the loaded model does not reproduce the ONNX (outputs {errs}, "
                 f"initializer |d| {diff}, unmatched {only})")


def model_card(args, params, size, ops, history, seconds, noise, mags, mean_sizes, n_train, final, val_frames):
    epochs = "\n".join(f"| {hh['epoch']} | {hh['loss']:.3f} | {fmt(hh['car_moderate_0.5'])} | "
                       f"{fmt(hh['car_moderate_0.7'])} | {hh.get('val', '/tmp/synthdrive-val')} "
                       f"({hh.get('val_frames', 40)}) | {hh['seconds']:.0f} |" for hh in history)
    table = []
    for diff in ("easy", "moderate", "hard", "all"):
        table.append(f"| {diff} | {fmt(final[f'car_{diff}_0.5'])} | {fmt(final[f'car_{diff}_0.7'])} | "
                     f"{fmt(final[f'pedestrian_{diff}_0.5'])} / {fmt(final[f'pedestrian_{diff}_0.25'])} | "
                     f"{fmt(final[f'cyclist_{diff}_0.5'])} / {fmt(final[f'cyclist_{diff}_0.25'])} |")
    table = "\n".join(table)
    data_cmd = args.data_command or f"lnscope-cli synth --out {args.data} ..."
    bins = ", ".join(f"{c:.2f}" for c in CENTRES)
    return f"""# synth_stereo3d — stereo 3-D detection demo model

Stereo 3-D object detection (Car, Pedestrian, Cyclist) on LNScope's synthetic driving scenes,
trained with PyTorch {torch.__version__} on CPU by `datasets/training/train_stereo3d.py`. Written
by that script; the figures below are the ones it measured.

## Interface

- Inputs `left`, `right`: 1×3×{HEIGHT}×{WIDTH} float32 each, RGB, `(x/255 − mean)/std` with mean
  {sd.MEAN}, std {sd.STD}.
- Outputs, stride {STRIDE} (1×C×48×160): `heatmap` (3 logits: Car, Pedestrian, Cyclist),
  `depth_bins` ({NUM_BINS} logits), `depth_residual` ({NUM_BINS}, in units of the bin's width), `size`
  (log-ratios h, w, l to the class mean size), `heading` (sin α, cos α of the observation angle),
  `offset` (dx, dy of the projected 3-D box centre relative to its cell).
- Adapter: `synth_stereo3d.adapter.json` (depth-bin centres and widths, class mean sizes measured on
  the training labels, score threshold 0.3, 50 detections, 3×3 peak kernel).
- ONNX opset 13, `training=TrainingMode.PRESERVE`, `do_constant_folding=False` (BatchNormalization
  kept as nodes). File size {size} bytes ({size / 1e6:.2f} MB), {params} parameters.
- Ops: {export_util.op_histogram(ops)}.

## Decoding and target conventions

The shared contract (peaks = 3×3 max-pool equality and p ≥ threshold; Z = centre[k*] +
residual[k*]·width[k*]; u = (x + dx + 0.5)·4 − 0.5, v = (y + dy + 0.5)·4 − 0.5; X, Y from P2 rescaled
to the model input; ry = wrap(α + atan2(X, Z))). Choices made where the contract leaves room:

- The centre cell of an object is the cell whose 4×4 pixel block contains the projected centre
  (x = floor((u + 0.5)/4)), so the offset target lies in [−0.5, 0.5); objects whose projected centre
  is outside the image get no peak.
- Depth bins: {NUM_BINS} bins with edges geometric from {DEPTH_MIN} m to {DEPTH_MAX} m (each ≈ 17 % of its
  depth); centre = middle of the bin, width = edge difference; the true bin is the one containing
  the box centre's z (clamped to the first/last bin), residual target (z − centre)/width.
  Centres (m): {bins}.
- α target = wrap(ry − atan2(x, z)) from the label's location (not the label's alpha column).
- Regression heads are supervised at the centre cell (weight 1) and its 8 neighbours (weight 0.3,
  each with its own offset to the centre), so a peak one cell off still decodes sensibly.
- Heatmap: CenterNet Gaussian (radius rule with min overlap 0.7 on the 2-D box at stride 4,
  σ = (2r+1)/6), value 1 at the centre cell; penalty-reduced focal loss (α 2, β 4).
- Loss = focal + CE(depth bin) + 2·smooth-L1(residual of the true bin, β 0.1) + L1(size) + L1(sin, cos)
  + L1(offset) + 0.5·CE(auxiliary dense surface-depth bins from the disparity maps; training only).

## Architecture

```
left, right 3×192×640 ─ shared: Conv3×3/2 3→16, Conv3×3/2 16→32, Conv3×3 32→32 (+BN+ReLU) ─ 32×48×160 each
correlation: c_d(x) = mean_channels(L(x) · R(x − d)), d = 0..{MAX_DISP - 1} cells (R zero-padded on the left) → BN
t1  concat [L 32, cost {MAX_DISP}] → Conv3×3 →48 +BN+ReLU                       48×48×160  ─┐
t2  Conv3×3/2 48→64, Conv3×3 64→64 (+BN+ReLU)                                 64×24×80   ─┼┐
t3  Conv3×3/2 64→96, Conv3×3 96→96 (+BN+ReLU)                                 96×12×40    ││
u2  bilinear ×2, concat t2 → Conv3×3 160→64 +BN+ReLU                          64×24×80   ◀─┼┘
u1  bilinear ×2, concat t1 → Conv3×3 112→48 +BN+ReLU                          48×48×160  ◀─┘
head Conv3×3 48→64 +BN+ReLU → six Conv1×1 (bias): 3 | {NUM_BINS} | {NUM_BINS} | 3 | 2 | 2 channels
```

## Training

```sh
{data_cmd}
/usr/bin/python3 datasets/training/train_stereo3d.py --data {args.data} --val {args.val} --out {args.out} \\
    --epochs {args.epochs} --batch {args.batch} --crop-width {args.crop_width} --lr {args.lr} --seed {args.seed} --threads {args.threads}{finetune_args(args)}
# optional: redo the evaluation, export and this card from the saved weights (e.g. for another --val)
/usr/bin/python3 datasets/training/train_stereo3d.py ... (the same arguments) --from-state /tmp/synth_stereo3d_state.pt
```

- Data: {n_train} generated frames (never committed); validation `{args.val}`.
- Class mean sizes measured on the training labels (h, w, l, m): Car {np.round(mean_sizes[0], 3).tolist()},
  Pedestrian {np.round(mean_sizes[1], 3).tolist()}, Cyclist {np.round(mean_sizes[2], 3).tolist()}.
- Seed {args.seed}, {args.threads} CPU threads; {args.epochs} epochs, batch {args.batch}, random full-height crops
  {args.crop_width}×{HEIGHT} at multiples of 4 pixels (the same columns of both images; no flips, which
  would break the stereo geometry), photometric jitter identical on both images; AdamW (lr
  {args.lr}, weight decay 1e-4), one-cycle cosine schedule, gradient norm clipped at 10.
- Training time: {seconds / 60:.1f} min on {platform.machine()} CPU ({args.threads} thread(s), the sum of the
  epochs on a shared, busy machine; about 6.5 min per epoch when it was quieter).

![training curve](synth_stereo3d_training.png)

`synth_stereo3d_training.png`: red = mean training loss per epoch (log scale, left axis), blue = val
Car BEV AP|R40 at IoU 0.5 (moderate), green = the same at IoU 0.7 (0–100 %, right axis), x = epoch.
The validation split used for each epoch's figure is in the table (the training run reported on
a 40-frame `lnscope-cli synth --seed 20261122` split, whose first 32 frames are byte-identical to
the committed `datasets/synthdrive/val`; validation never feeds back into training, and the final
table below was computed on the committed split by re-running the script with `--from-state`).
Epoch times vary with the load of the shared 2-core machine (other builds ran at the same time).

| Epoch | Train loss | Car BEV AP\\|R40 @0.5 (mod.) % | @0.7 % | Measured on (frames) | Seconds |
|---|---|---|---|---|---|
{epochs}

## Float metrics on `{args.val}` ({val_frames} frames; training-time Python evaluator)

BEV AP|R40 (rotated BEV IoU by polygon clipping, strict IoU > threshold, greedy matching by
score, KITTI devkit difficulty filters on 2-D height ≥ 40/25/25 px, occlusion ≤ 0/1/2,
truncation ≤ 0.15/0.30/0.50; "all" = every labelled object). `lnscope-cli evaluate` gives the
official numbers.

| Difficulty | Car @0.5 | Car @0.7 | Pedestrian @0.5 / @0.25 | Cyclist @0.5 / @0.25 |
|---|---|---|---|---|
{table}

## Reference data

`synth_stereo3d_reference_input_left.pb` / `_right.pb` (`left`, `right`: the first validation
frame, normalised) and `synth_stereo3d_reference_output_<name>.pb` for each of the six outputs
(PyTorch float32). Float32 vs float64 rounding noise of the reference, max |Δ| (max |value|):
{", ".join(f"{k} {noise[k]:.1e} ({mags[k]:.1f})" for k in OUTPUTS)}.
"""


if __name__ == "__main__":
    main()
