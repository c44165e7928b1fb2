#!/usr/bin/python3
"""Writes the small hand-made seed models in fuzz/seeds (python3-onnx): one per family of
operators the counter handles, plus the dynamic-shape chain that wattcast folds itself."""

import os
import sys

import onnx
from onnx import TensorProto, helper

F = TensorProto.FLOAT


def weight(name, dims):
    # Shape only, like the stripped fixtures: the counter never reads weight values.
    tensor = TensorProto(name=name, data_type=F)
    tensor.dims.extend(dims)
    return tensor


def ints(name, values):
    return helper.make_tensor(name, TensorProto.INT64, [len(values)], values)


def model(nodes, inputs, outputs, initializers=(), opset=17):
    graph = helper.make_graph(nodes, "seed", inputs, outputs, list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def io(name, dims):
    return helper.make_tensor_value_info(name, F, dims)


SEEDS = {
    "conv.onnx": model(
        [helper.make_node("Conv", ["x", "w", "b"], ["c"], group=2, pads=[1, 1, 1, 1], strides=[2, 2], dilations=[2, 2]),
         helper.make_node("BatchNormalization", ["c", "s", "b", "m", "v"], ["n"]),
         helper.make_node("Relu", ["n"], ["r"]),
         helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2]),
         helper.make_node("ConvTranspose", ["p", "wt"], ["t"], strides=[2, 2]),
         helper.make_node("GlobalAveragePool", ["t"], ["y"])],
        [io("x", ["N", 4, 16, 16])], [io("y", None)],
        [weight("w", [6, 2, 3, 3]), weight("b", [6]), weight("s", [6]), weight("m", [6]), weight("v", [6]), weight("wt", [6, 3, 3, 3])]),
    "attention.onnx": model(
        [helper.make_node("MatMul", ["x", "wq"], ["q"]),
         helper.make_node("Transpose", ["q"], ["kt"], perm=[0, 2, 1]),
         helper.make_node("MatMul", ["q", "kt"], ["s"]),
         helper.make_node("Softmax", ["s"], ["p"], axis=-1),
         helper.make_node("Einsum", ["p", "q"], ["o"], equation="bqk,bkd->bqd"),
         helper.make_node("LayerNormalization", ["o", "g", "beta"], ["y"], axis=-1)],
        [io("x", ["N", 10, 8])], [io("y", None)],
        [weight("wq", [8, 8]), weight("g", [8]), weight("beta", [8])]),
    "dynamic_shape.onnx": model(
        [helper.make_node("Shape", ["x"], ["shape"]),
         helper.make_node("Gather", ["shape", "zero"], ["n"], axis=0),
         helper.make_node("Unsqueeze", ["n", "zero1"], ["n1"]),
         helper.make_node("Concat", ["n1", "minus1"], ["target"], axis=0),
         helper.make_node("Equal", ["target", "minus1b"], ["is_neg"]),
         helper.make_node("Where", ["is_neg", "ones", "target"], ["expand_to"]),
         helper.make_node("Reshape", ["x", "target"], ["flat"]),
         helper.make_node("Gemm", ["flat", "w"], ["y"], transB=1)],
        [io("x", ["N", 3, 4, 4])], [io("y", None)],
        [helper.make_tensor("zero", TensorProto.INT64, [], [0]), ints("zero1", [0]), ints("minus1", [-1]), ints("minus1b", [-1, -1]),
         ints("ones", [1, 1]), weight("w", [5, 48])]),
    "resize_unknown.onnx": model(
        [helper.make_node("Resize", ["x", "", "scales"], ["r"], mode="linear"),
         helper.make_node("Frobnicate", ["r"], ["y"], domain="custom")],
        [io("x", [1, 1, 4, 4])], [io("y", None)],
        [helper.make_tensor("scales", F, [4], [1, 1, 2, 2])]),
}


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "seeds")
    os.makedirs(out_dir, exist_ok=True)
    for name, m in SEEDS.items():
        if name == "resize_unknown.onnx":
            m.opset_import.append(helper.make_opsetid("custom", 1))
        onnx.save(m, os.path.join(out_dir, name))


if __name__ == "__main__":
    main()
