#!/usr/bin/python3
"""`wattcast flops` beside a Python reference doing the same with Debian's python3-onnx: load the
model, run ONNX shape inference (with data propagation), count convolution and linear MACs
(torchvision's convention) and parameters. Prints both figures and times per fixture, twice:
in process (the library call against the Python function), and as whole commands, what a user
waits for (`wattcast flops FILE` against this script counting FILE, interpreter start included).

    /usr/bin/python3 bench/flops_reference.py BUILD_DIR FIXTURE.onnx ...
    /usr/bin/python3 bench/flops_reference.py --count FIXTURE.onnx    (the reference as a command)
"""

import math
import subprocess
import sys
import time

import onnx
from onnx import shape_inference

FLOAT_TYPES = {onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.DOUBLE, onnx.TensorProto.BFLOAT16}


def dims_of(value_info):
    if not value_info.type.tensor_type.HasField("shape"):
        return None
    shape = value_info.type.tensor_type.shape
    dims = [d.dim_value if d.HasField("dim_value") else None for d in shape.dim]
    return None if any(d is None for d in dims) else dims


def count(path):
    model = onnx.load(path)
    for tensor in model.graph.input:  # a symbolic batch counts as 1, as in wattcast
        dims = tensor.type.tensor_type.shape.dim
        if dims and not dims[0].HasField("dim_value"):
            dims[0].dim_value = 1
    del model.graph.value_info[:]
    model = shape_inference.infer_shapes(model, data_prop=True)
    shapes = {}
    for vi in list(model.graph.input) + list(model.graph.value_info) + list(model.graph.output):
        dims = dims_of(vi)
        if dims is not None:
            shapes[vi.name] = dims
    for init in model.graph.initializer:
        shapes[init.name] = list(init.dims)
    stats = set()
    for node in model.graph.node:
        if node.op_type == "BatchNormalization":
            stats.update(node.input[3:5])
    macs, unresolved = 0, 0
    for node in model.graph.node:
        out = shapes.get(node.output[0]) if node.output else None
        if node.op_type == "Conv":
            w = shapes.get(node.input[1])
            if out is None or not w:
                unresolved += 1
                continue
            macs += math.prod(out) * math.prod(w[1:])
        elif node.op_type in ("Gemm", "MatMul"):
            a = shapes.get(node.input[0])
            if out is None or not a:
                unresolved += 1
                continue
            trans_a = any(at.name == "transA" and at.i for at in node.attribute)
            macs += math.prod(out) * (a[0] if trans_a else a[-1])
    # BatchNorm statistics reach BatchNormalization through Identity nodes in torch exports.
    identity_of = {n.output[0]: n.input[0] for n in model.graph.node if n.op_type == "Identity"}
    stats |= {identity_of[s] for s in list(stats) if s in identity_of}
    params = sum(math.prod(t.dims) for t in model.graph.initializer if t.data_type in FLOAT_TYPES and t.name not in stats)
    return macs, params, unresolved


def time_reference(path):
    runs, start = 0, time.perf_counter()
    while runs < 5 or time.perf_counter() - start < 0.5:
        result = count(path)
        runs += 1
    return result, (time.perf_counter() - start) / runs * 1000


def median_command_ms(argv, runs=7):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[runs // 2]


def print_command_table(build, paths):
    print()
    print("| model | `wattcast flops` ms | reference command ms | speed-up |")
    print("|---|---:|---:|---:|")
    for path in paths:
        ours = median_command_ms([f"{build}/wattcast", "flops", path, "--format", "json"])
        reference = median_command_ms([sys.executable, __file__, "--count", path])
        name = path.rsplit("/", 1)[-1].removesuffix(".onnx")
        print(f"| {name} | {ours:.1f} | {reference:.1f} | {reference / ours:.0f}x |")


def main():
    if sys.argv[1] == "--count":
        macs, params, unresolved = count(sys.argv[2])
        print(f"macs {macs} params {params} unresolved {unresolved}")
        return
    build, paths = sys.argv[1], sys.argv[2:]
    ours = {}
    out = subprocess.run([f"{build}/bench/flops_bench", *paths], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        path, macs, params, ms, _ = line.split()
        ours[path] = (int(macs), int(params), float(ms))
    print("| model | wattcast MACs | reference MACs | wattcast params | reference params | wattcast ms | reference ms | speed-up |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for path in paths:
        (macs, params, unresolved), ref_ms = time_reference(path)
        w_macs, w_params, w_ms = ours[path]
        name = path.rsplit("/", 1)[-1].removesuffix(".onnx")
        note = f" ({unresolved} nodes unresolved)" if unresolved else ""
        print(f"| {name} | {w_macs:,} | {macs:,}{note} | {w_params:,} | {params:,} | {w_ms:.1f} | {ref_ms:.1f} | {ref_ms / w_ms:.1f}x |")
    print_command_table(build, paths)


if __name__ == "__main__":
    main()
