#!/usr/bin/python3
"""Builds LNScope's bundled tiny demo model and its reference data.

The model is *untrained*: it is a deterministic, seeded, randomly initialised segmentation-style
CNN whose only purpose is to exercise the importer, the executor and the conversion passes end
to end from a fresh clone (Conv + BatchNormalization + ReLU, a stride-2 block, a bilinear
upsample, a skip concatenation, a 1x1 classifier). The trained demo models live next to it once
the synthetic dataset exists (spec/data.md).

Run with Debian's interpreter, which has python3-torch 1.13 and python3-onnx:

    /usr/bin/python3 datasets/training/make_tiny_model.py

Writes (paths relative to datasets/):
    models/tiny_segnet.onnx                    the model, opset 13, BatchNormalization kept as nodes
    models/tiny_segnet.json                    adapter-like metadata (input size, mean/std, classes)
    models/tiny_segnet_reference_output.pb     PyTorch's float32 output on samples/tiny_input.pb
    samples/tiny_input.png                     a 96x64 synthetic road picture
    samples/tiny_input.pb                      that picture as the normalised 1x3x64x96 input tensor

Everything is a function of SEED; re-running reproduces the files (the .onnx bytes may differ
between PyTorch versions, the numbers do not).
"""

import json
import os
import struct
import sys
import zlib

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper

SEED = 20240601
HEIGHT, WIDTH = 64, 96
# ImageNet statistics, in [0, 1] units (what lnscope::core::ImageToTensorOptions expects).
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
CLASSES = [
    {"id": 0, "name": "road", "color": [128, 64, 128]},
    {"id": 1, "name": "lane marking", "color": [157, 234, 50]},
    {"id": 2, "name": "vegetation", "color": [107, 142, 35]},
    {"id": 3, "name": "sky", "color": [70, 130, 180]},
]

HERE = os.path.dirname(os.path.abspath(__file__))
DATASETS = os.path.dirname(HERE)


class ConvBnRelu(nn.Sequential):
    def __init__(self, cin, cout, stride=1):
        # bias=False: the BatchNormalization that follows makes a conv bias redundant, which is
        # exactly the case batch-norm folding has to handle (it creates the bias).
        super().__init__(
            nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=False),
        )


class TinySegNet(nn.Module):
    """3 -> 8 (full res) -> 16 (stride 2) -> 16 -> up x2 -> concat skip (24) -> 8 -> 1x1 -> classes."""

    def __init__(self, num_classes):
        super().__init__()
        self.enc1 = ConvBnRelu(3, 8)
        self.enc2 = ConvBnRelu(8, 16, stride=2)
        self.enc3 = ConvBnRelu(16, 16)
        self.dec = ConvBnRelu(16 + 8, 8)
        self.classifier = nn.Conv2d(8, num_classes, 1)

    def forward(self, x):
        skip = self.enc1(x)
        y = self.enc3(self.enc2(skip))
        # A constant scale factor exports as Resize with constant scales (no Shape/Gather chain).
        y = F.interpolate(y, scale_factor=2.0, mode="bilinear", align_corners=False)
        y = self.dec(torch.cat([y, skip], dim=1))
        return self.classifier(y)


def init_deterministic(model, gen):
    """Seeded weights plus non-trivial BN statistics, so that folding BN visibly changes weights."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1]
            bound = (6.0 / fan_in) ** 0.5  # He-uniform keeps activations O(1) through ReLUs
            m.weight.data = (torch.rand(m.weight.shape, generator=gen) * 2 - 1) * bound
            if m.bias is not None:
                m.bias.data = (torch.rand(m.bias.shape, generator=gen) * 2 - 1) * 0.1
        elif isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            m.running_mean.data = (torch.rand(n, generator=gen) * 2 - 1) * 0.3
            m.running_var.data = 0.5 + torch.rand(n, generator=gen) * 1.5
            m.weight.data = 0.5 + torch.rand(n, generator=gen)
            m.bias.data = (torch.rand(n, generator=gen) * 2 - 1) * 0.2


def draw_road_picture():
    """A small synthetic road scene (H x W x 3, uint8): sky, trees, road with dashed lane marks."""
    img = np.zeros((HEIGHT, WIDTH, 3), dtype=np.float64)
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float64)
    horizon = 26
    # Sky: a vertical gradient from deep to pale blue.
    t = ys / horizon
    sky = np.stack([70 + 90 * t, 130 + 70 * t, 180 + 60 * t], axis=-1)
    img[:] = sky
    # Vegetation band along the horizon with a bumpy tree line.
    tree_top = horizon - 6 + 3 * np.sin(xs / 5.0) + 2 * np.cos(xs / 2.3)
    veg = (ys >= tree_top) & (ys >= 0)
    img[veg] = [107, 142, 35]
    # Ground below the horizon: grass at the sides.
    ground = ys >= horizon
    img[ground] = [90, 120, 50]
    # Road: a trapezoid converging at the vanishing point.
    vx = WIDTH / 2.0
    depth = np.clip((ys - horizon) / (HEIGHT - horizon), 0, 1)
    half_width = 2 + depth * (WIDTH * 0.55)
    road = ground & (np.abs(xs - vx) <= half_width)
    img[road] = [128, 64, 128]
    # Dashed centre line, dashes longer near the camera.
    dash = ground & (np.abs(xs - vx) <= 0.3 + depth * 1.5) & (np.floor(np.sqrt(depth) * 8) % 2 == 0)
    img[dash] = [255, 255, 255]
    # Solid edge lines.
    edge = road & (np.abs(np.abs(xs - vx) - half_width) <= 0.4 + depth)
    img[edge] = [235, 235, 235]
    # Gentle shading and seeded noise so the input is not piecewise constant.
    rng = np.random.default_rng(SEED)
    img *= (0.85 + 0.15 * (1 - ys / HEIGHT))[..., None]
    img += rng.normal(0, 4.0, img.shape)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def write_png(path, rgb):
    """Minimal RGB8 PNG writer (Debian's /usr/bin/python3 has neither PIL nor cv2)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))  # filter type 0 per row

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9))
    png += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def to_input_tensor(rgb):
    """uint8 HxWx3 RGB -> float32 1x3xHxW, (x/255 - mean)/std: the same recipe as readImageTensor."""
    x = rgb.astype(np.float32) / np.float32(255.0)
    x = (x - np.array(MEAN, dtype=np.float32)) / np.array(STD, dtype=np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None].astype(np.float32))


def save_tensor(path, array, name):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name=name).SerializeToString())


def main():
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    model = TinySegNet(len(CLASSES))
    init_deterministic(model, gen)
    model.eval()

    os.makedirs(os.path.join(DATASETS, "models"), exist_ok=True)
    os.makedirs(os.path.join(DATASETS, "samples"), exist_ok=True)

    rgb = draw_road_picture()
    write_png(os.path.join(DATASETS, "samples", "tiny_input.png"), rgb)
    x = to_input_tensor(rgb)
    save_tensor(os.path.join(DATASETS, "samples", "tiny_input.pb"), x, "input")

    with torch.no_grad():
        ref = model(torch.from_numpy(x)).numpy().astype(np.float32)
        # float64 run: the float32 reference's own rounding noise, printed for the README/tests.
        ref64 = model.double()(torch.from_numpy(x).double()).numpy()
        model.float()
    noise = np.abs(ref.astype(np.float64) - ref64)
    save_tensor(os.path.join(DATASETS, "models", "tiny_segnet_reference_output.pb"), ref, "logits")

    onnx_path = os.path.join(DATASETS, "models", "tiny_segnet.onnx")
    torch.onnx.export(
        model,
        torch.from_numpy(x),
        onnx_path,
        input_names=["input"],
        output_names=["logits"],
        opset_version=13,
        training=torch.onnx.TrainingMode.PRESERVE,  # eval model + PRESERVE: BN stays a node
        do_constant_folding=False,
    )
    m = onnx.load(onnx_path)
    onnx.checker.check_model(m)
    ops = [n.op_type for n in m.graph.node]
    if ops.count("BatchNormalization") != 4:
        sys.exit(f"expected 4 BatchNormalization nodes, got ops {ops}")

    meta = {
        "task": "segmentation",
        "model": "tiny_segnet.onnx",
        "trained": False,
        "seed": SEED,
        "input": {"name": "input", "width": WIDTH, "height": HEIGHT, "channelOrder": "RGB",
                  "mean": MEAN, "std": STD},
        "output": {"name": "logits", "layout": "NCHW"},
        "classes": CLASSES,
    }
    with open(os.path.join(DATASETS, "models", "tiny_segnet.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")

    print(f"ops: {' '.join(ops)}")
    print(f"output {ref.shape}, range [{ref.min():.3f}, {ref.max():.3f}]")
    print(f"float32 vs float64 reference: max |d| {noise.max():.2e}, mean |d| {noise.mean():.2e}")


if __name__ == "__main__":
    main()
