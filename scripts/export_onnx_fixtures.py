#!/usr/bin/python3
"""Exports torchvision models to ONNX fixtures for `wattcast flops`, with their weights stripped.

Run with Debian's interpreter (python3-torchvision, python3-onnx):
    /usr/bin/python3 scripts/export_onnx_fixtures.py [OUT_DIR] [MODEL ...]

Each fixture keeps the graph and every initializer's dims and data type, but float weights lose
their data: the counter needs shapes only, and the files stay small enough to commit. Integer
initializers (shape arguments of Reshape and the like) keep their values, which shape inference
reads. BatchNorm stays a node of its own: the model is in eval mode but exported with
TrainingMode.PRESERVE, which skips the eval-only pass that folds BatchNorm into Conv.
"""

import os
import sys

import onnx
import torch
import torchvision

import workload_models

# name -> input side in pixels (torchvision's published figures use these sizes)
MODELS = {
    "resnet50": 224,
    "mobilenet_v2": 224,
    "vgg16": 224,
    "inception_v3": 299,
    "efficientnet_b0": 224,
    "densenet121": 224,
    "vit_b_16": 224,
    # The reference data's workloads that torchvision lacks (scripts/workload_models.py), at the
    # input they were trained at; BERT's "side" is its sequence length.
    "xception": 128,
    "nasnet_mobile": 128,
    "shufflenet_v2_cifar100": 32,
    "bert_base_qa": 384,
    # The H200 runs (data/h200_runs.csv) at their own input: Lightning's resnet18 with 4 classes at
    # 64 px, and the Hugging Face run's 4-layer BERT at 128 tokens.
    "resnet18_4class": 64,
    "bert_tiny_classifier": 128,
}
CUSTOM = {"xception": workload_models.xception, "nasnet_mobile": workload_models.nasnet_mobile, "shufflenet_v2_cifar100": workload_models.shufflenet_v2_cifar100,
          "bert_base_qa": workload_models.bert_base_qa, "bert_tiny_classifier": workload_models.bert_tiny_classifier,
          "resnet18_4class": lambda: torchvision.models.resnet18(weights=None, num_classes=4)}
OPSET = 17  # the first opset with LayerNormalization as one node

FLOAT_TYPES = {onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.DOUBLE, onnx.TensorProto.BFLOAT16}


def strip_weights(model):
    for tensor in model.graph.initializer:
        if tensor.data_type in FLOAT_TYPES:
            tensor.ClearField("raw_data")
            tensor.ClearField("float_data")
            tensor.ClearField("double_data")
            tensor.ClearField("int32_data")  # float16 payloads live here


def export(name, side, out_dir):
    if name in CUSTOM:
        model = CUSTOM[name]().eval()
    else:
        kwargs = {"weights": None}
        if name == "inception_v3":
            kwargs["init_weights"] = False  # random init is irrelevant here and slow for this model
        model = getattr(torchvision.models, name)(**kwargs).eval()
    # The exporter merges initializers with equal values (freshly initialised BatchNorm weights are
    # all ones), which would undercount parameters; a distinct value per parameter prevents it.
    with torch.no_grad():
        for index, parameter in enumerate(model.parameters()):
            parameter.fill_(2.0 + index)
    example = torch.zeros(1, side, dtype=torch.long) if name.startswith("bert") else torch.zeros(1, 3, side, side)
    path = os.path.join(out_dir, f"{name}.onnx")
    # Gradients stay enabled: under no_grad, nn.MultiheadAttention (vit_b_16) takes a fused fast
    # path that the exporter cannot translate, instead of its plain MatMul/Softmax graph.
    torch.onnx.export(
        model,
        example,
        path,
        opset_version=OPSET,
        input_names=["input"],
        output_names=["output"],
        dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
        training=torch.onnx.TrainingMode.PRESERVE,
        do_constant_folding=False,
    )
    exported = onnx.load(path)
    strip_weights(exported)
    onnx.save(exported, path)
    print(f"{path}: {os.path.getsize(path)} bytes, {len(exported.graph.node)} nodes")


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/onnx"
    names = sys.argv[2:] or list(MODELS)
    os.makedirs(out_dir, exist_ok=True)
    for name in names:
        export(name, MODELS[name], out_dir)


if __name__ == "__main__":
    main()
