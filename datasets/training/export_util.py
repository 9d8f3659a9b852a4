#!/usr/bin/python3
"""Export helpers shared by the demo-model training scripts: ONNX export with BatchNormalization
kept as nodes, an op whitelist check (the ops LNScope's executor supports), tensor .pb files."""

import os

import numpy as np
import onnx
import torch
from onnx import numpy_helper

SUPPORTED_OPS = {
    "Conv", "ConvTranspose", "BatchNormalization", "Relu", "LeakyRelu", "Sigmoid", "MaxPool",
    "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Add", "Sub", "Mul", "Div", "Concat",
    "Resize", "Upsample", "Reshape", "Flatten", "Transpose", "Slice", "Split", "Pad", "Gemm",
    "MatMul", "Softmax", "ReduceMean", "Clip", "Identity", "Shape", "Gather", "Unsqueeze",
    "Squeeze", "Cast", "Constant",
}


def save_tensor(path, array, name):
    """An ONNX TensorProto file (what core::readTensorPb reads)."""
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(np.ascontiguousarray(array), name=name).SerializeToString())


def export_onnx(model, example_inputs, path, input_names, output_names, min_bn=1):
    """Exports an eval-mode model with opset 13, TrainingMode.PRESERVE and no constant folding,
    so every BatchNormalization stays a node; checks the graph and the op whitelist. Returns the
    list of op types. Writes to a temporary name first, then renames."""
    model.eval()
    tmp = path + ".tmp"
    torch.onnx.export(model, tuple(example_inputs), tmp, input_names=input_names, output_names=output_names,
                      opset_version=13, training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    m = onnx.load(tmp)
    onnx.checker.check_model(m)
    ops = [n.op_type for n in m.graph.node]
    bad = sorted(set(ops) - SUPPORTED_OPS)
    if bad:
        raise SystemExit(f"exported graph uses ops the executor does not support: {bad}")
    if ops.count("BatchNormalization") < min_bn:
        raise SystemExit(f"expected at least {min_bn} BatchNormalization nodes, got {ops.count('BatchNormalization')}")
    for node in m.graph.node:
        if node.op_type == "BatchNormalization":
            for a in node.attribute:
                if a.name == "training_mode" and a.i != 0:
                    raise SystemExit("BatchNormalization exported in training mode")
    os.replace(tmp, path)
    return ops


def op_histogram(ops):
    hist = {}
    for o in ops:
        hist[o] = hist.get(o, 0) + 1
    return " ".join(f"{k}×{v}" for k, v in sorted(hist.items(), key=lambda kv: -kv[1]))
