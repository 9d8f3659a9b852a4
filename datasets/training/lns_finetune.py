#!/usr/bin/python3
"""Helpers for noise-robust fine-tuning of the demo models (train_stereo3d.py --init-onnx,
--weight-noise, --act-quant): loading an exported ONNX back into the PyTorch module, multiplicative
weight noise on the convolutions, and LNS8 (Q4.3) fake quantization of activations with a
straight-through estimator. Everything here is active in training mode only; eval and export see
the plain model."""

import math
import types

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper

# ----------------------------------------------------------------------------------------------
# ONNX -> state dict


def load_tensor(path):
    """A TensorProto .pb file (export_util.save_tensor's format) as a numpy array."""
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return np.array(numpy_helper.to_array(t), copy=True)


def _expected_roles(model):
    """state-dict key -> (ONNX op type, input index) it must feed in an export of `model`."""
    roles = {}
    for name, m in model.named_modules():
        p = name + "." if name else ""
        if isinstance(m, nn.Conv2d):
            roles[p + "weight"] = ("Conv", 1)
            if m.bias is not None:
                roles[p + "bias"] = ("Conv", 2)
        elif isinstance(m, nn.BatchNorm2d):
            for k, key in enumerate(("weight", "bias", "running_mean", "running_var"), start=1):
                roles[p + key] = ("BatchNormalization", k)
    return roles


def load_onnx_weights(model, path, skip_prefixes=()):
    """Copies every parameter and BatchNorm statistic of `model` from the initializers of the ONNX
    file at `path` (an export of the same architecture, initializers named like the state dict).
    Checks that each key exists, has the same shape, feeds the expected op input (Conv weight/bias,
    BatchNormalization scale/B/mean/var), that BatchNormalization epsilons agree, and that no
    initializer is left over. Keys starting with one of `skip_prefixes` (training-only heads) are
    left as initialised. Raises SystemExit listing every problem. Returns the skipped keys."""
    g = onnx.load(path).graph
    inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    uses, eps = {}, {}
    for node in g.node:
        for k, name in enumerate(node.input):
            if name in inits:
                uses.setdefault(name, set()).add((node.op_type, k))
        if node.op_type == "BatchNormalization":
            e = [a.f for a in node.attribute if a.name == "epsilon"]
            eps[node.input[1]] = e[0] if e else 1e-5
    roles = _expected_roles(model)
    modules = dict(model.named_modules())
    state = model.state_dict()
    new, skipped, errors = {}, [], []
    for key, t in state.items():
        if key.endswith("num_batches_tracked"):
            continue
        if any(key.startswith(p) for p in skip_prefixes):
            skipped.append(key)
            continue
        if key not in inits:
            errors.append(f"{key}: no initializer of that name in {path}")
            continue
        a = inits[key]
        if tuple(a.shape) != tuple(t.shape):
            errors.append(f"{key}: shape {tuple(a.shape)} in the ONNX, {tuple(t.shape)} in the model")
            continue
        if key not in roles:
            errors.append(f"{key}: not a Conv2d/BatchNorm2d tensor (no rule to check its role)")
            continue
        if uses.get(key) != {roles[key]}:
            errors.append(f"{key}: used as {sorted(uses.get(key, []))} in the graph, expected {roles[key]}")
            continue
        if roles[key] == ("BatchNormalization", 1):
            bn = modules[key.rsplit(".", 1)[0]]
            if abs(eps.get(key, 1e-5) - bn.eps) > 1e-9:
                errors.append(f"{key}: BatchNormalization epsilon {eps.get(key)} vs the module's {bn.eps}")
        new[key] = torch.from_numpy(np.array(a, copy=True)).to(t.dtype)
    left = sorted(set(inits) - set(new))
    if left:
        errors.append(f"initializers not mapped to the model: {left}")
    if errors:
        raise SystemExit(f"--init-onnx {path}: cannot map the ONNX onto the model:\n  " + "\n  ".join(errors))
    missing, unexpected = model.load_state_dict(new, strict=False)
    bad = [k for k in missing if not (k.endswith("num_batches_tracked") or k in skipped)]
    if bad or unexpected:
        raise SystemExit(f"--init-onnx {path}: load_state_dict left {bad} missing, {unexpected} unexpected")
    return skipped


def compare_initializers(path_a, path_b):
    """Max |difference| over the initializers both ONNX files share, and the names only one has."""
    a = {i.name: numpy_helper.to_array(i) for i in onnx.load(path_a).graph.initializer}
    b = {i.name: numpy_helper.to_array(i) for i in onnx.load(path_b).graph.initializer}
    diff = max((float(np.abs(a[k].astype(np.float64) - b[k]).max()) for k in set(a) & set(b)), default=0.0)
    return diff, sorted(set(a) ^ set(b))


# ----------------------------------------------------------------------------------------------
# Weight noise


class WeightNoise:
    """Each training forward of every nn.Conv2d (except modules named with one of skip_prefixes)
    uses weight * (1 + sigma * eps), eps ~ N(0, 1) elementwise. A fresh eps is drawn per call of
    new_step() (once per optimiser step), so a convolution applied twice in one step (the shared
    stereo feature extractor) sees the same perturbed weights twice, as the converted model does.
    Off in eval mode; remove() restores the modules' own forward."""

    def __init__(self, model, sigma, skip_prefixes=()):
        self.sigma = float(sigma)
        self.step = 0
        self.modules = []
        for name, m in model.named_modules():
            if isinstance(m, nn.Conv2d) and not any(name.startswith(p) for p in skip_prefixes):
                m._wn = self
                m._wn_step, m._wn_eps = -1, None
                m.forward = types.MethodType(_noisy_conv_forward, m)
                self.modules.append(m)

    def new_step(self):
        self.step += 1

    def remove(self):
        for m in self.modules:
            del m.forward, m._wn, m._wn_step, m._wn_eps
        self.modules = []


def _noisy_conv_forward(self, x):
    w = self.weight
    if self.training and self._wn.sigma > 0:
        if self._wn_step != self._wn.step:
            self._wn_eps = torch.randn_like(w)
            self._wn_step = self._wn.step
        w = w * (1.0 + self._wn.sigma * self._wn_eps)
    return self._conv_forward(x, w, self.bias)


# ----------------------------------------------------------------------------------------------
# LNS8 activation fake quantization


def lns_fake_quantize(x, bias, frac_bits=3, max_log=63):
    """value = sign(x) * 2^((L + bias) / 2^F), L = clamp(round(2^F log2|x|) - bias, -max_log, max_log);
    |x| below half the smallest magnitude -> 0. No gradient (wrap with the STE)."""
    s = float(1 << frac_bits)
    a = x.abs()
    smallest = 2.0 ** ((-max_log + bias) / s)
    L = torch.clamp(torch.round(s * torch.log2(torch.clamp(a, min=1e-30))) - bias, -max_log, max_log)
    q = torch.sign(x) * torch.pow(2.0, (L + bias) / s)
    return torch.where(a < 0.5 * smallest, torch.zeros_like(x), q)


class ActQuant:
    """Per-tensor LNS8 fake quantization with a straight-through estimator. The bias of each named
    tensor comes from an exponential moving average of its batch absmax (B = ceil(8 log2 absmax) - 63,
    so the absmax lands on the top code, as the converter's absmax calibration does). Hooks every
    nn.ReLU of `model` (a ReLU module applied twice per step shares one running absmax); other
    tensors go through __call__(name, x). Identity when the model is in eval mode."""

    def __init__(self, model, momentum=0.1, frac_bits=3, max_log=63, skip_prefixes=()):
        self.model = model
        self.momentum = momentum
        self.frac_bits, self.max_log = frac_bits, max_log
        self.absmax = {}
        self.handles = []
        for name, m in model.named_modules():
            if isinstance(m, nn.ReLU) and not any(name.startswith(p) for p in skip_prefixes):
                self.handles.append(m.register_forward_hook(
                    lambda mod, inp, out, _n=name: self(_n, out)))

    def __call__(self, name, x):
        if not self.model.training:
            return x
        m = float(x.detach().abs().max())
        if not math.isfinite(m) or m <= 0:
            return x
        prev = self.absmax.get(name)
        self.absmax[name] = m if prev is None else (1 - self.momentum) * prev + self.momentum * m
        bias = math.ceil((1 << self.frac_bits) * math.log2(self.absmax[name])) - self.max_log
        xd = x.detach()
        return x + (lns_fake_quantize(xd, bias, self.frac_bits, self.max_log) - xd)

    def remove(self):
        for h in self.handles:
            h.remove()
        self.handles = []


# ----------------------------------------------------------------------------------------------
# Command line and the training loop


def add_noise_arguments(ap, quantized):
    """Adds --weight-noise and --act-quant to the argparse parser `ap`; `quantized` names the
    tensors besides the ReLU outputs that the model's forward passes through its act_quant."""
    ap.add_argument("--weight-noise", type=float, default=0.0, help="training forwards use conv weights * "
                    "(1 + S*eps), eps ~ N(0,1) elementwise, fresh per step (off at eval/export)")
    ap.add_argument("--act-quant", action="store_true", help=f"fake-quantize the ReLU outputs, {quantized} to "
                    "LNS8 Q4.3 (per-tensor bias from an EMA absmax, straight-through gradient) in training forwards "
                    "(off at eval/export)")


class TrainingNoise:
    """The --weight-noise and --act-quant of a run attached to `model` (a module with an act_quant
    attribute its forward calls): new_step() once per optimiser step, remove() before export."""

    def __init__(self, model, weight_noise, act_quant, quantized, skip_prefixes=()):
        self.model = model
        self.weight_noise = WeightNoise(model, weight_noise, skip_prefixes) if weight_noise > 0 else None
        self.act_quant = ActQuant(model) if act_quant else None
        model.act_quant = self.act_quant
        if self.weight_noise:
            print(f"weight noise {weight_noise} on {len(self.weight_noise.modules)} convolutions", flush=True)
        if self.act_quant:
            print(f"LNS8 activation fake quantization: {len(self.act_quant.handles)} ReLU hooks + {quantized}",
                  flush=True)

    def new_step(self):
        if self.weight_noise:
            self.weight_noise.new_step()

    def remove(self):
        if self.weight_noise:
            self.weight_noise.remove()
        if self.act_quant:
            self.act_quant.remove()
        self.model.act_quant = None
