"""Weight-only int8 quantization of an ONNX model with the `onnx` package alone.

  /usr/bin/python3 scripts/quantize/quantize.py IN.onnx OUT.onnx

Every MatMul/Gemm whose weight is a constant initializer, and every Gather on a constant table
(embeddings), gets its weight stored as int8 with per-output-channel symmetric scales
(scale = max|w| / 127, zero point 0) and a DequantizeLinear node in front of it. Activations stay
fp32 and no DynamicQuantizeLinear is used, so a row's output never depends on the other rows of a
batch (the edge caches per-text vectors). Scales and dequantized weights are checked before
writing: |dequant(q) - w| <= scale / 2 for every element.
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto


def quantize_tensor(w, axis):
    """Symmetric int8 per-channel along `axis` (the kept axis). Returns q (int8), scale (f32)."""
    red = tuple(i for i in range(w.ndim) if i != axis)
    amax = np.abs(w).max(axis=red)
    scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
    shape = [1] * w.ndim
    shape[axis] = -1
    q = np.clip(np.rint(w / scale.reshape(shape)), -127, 127).astype(np.int8)
    deq = q.astype(np.float32) * scale.reshape(shape)
    err = np.abs(deq - w) - scale.reshape(shape) / 2
    assert err.max() <= 1e-6 * max(1.0, float(np.abs(w).max())), "quantization error exceeds scale/2"
    return q, scale


def quantize_model(model, min_elements=256):
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    users = {}
    for n in g.node:
        for x in n.input:
            users.setdefault(x, []).append(n)
    new_nodes, new_inits, report = [], [], []
    done = {}  # weight name -> dequantized output name (same weight used twice)

    def dq(name, axis):
        if name in done:
            return done[name]
        w = numpy_helper.to_array(inits[name]).astype(np.float32)
        q, scale = quantize_tensor(w, axis)
        base = name.replace(":", "_").replace("/", "_")
        qn, sn, zn, on = f"{base}_int8", f"{base}_scale", f"{base}_zero_point", f"{base}_dequantized"
        new_inits.extend([
            numpy_helper.from_array(q, qn),
            numpy_helper.from_array(scale, sn),
            numpy_helper.from_array(np.zeros(scale.shape, np.int8), zn),
        ])
        new_nodes.append(helper.make_node("DequantizeLinear", [qn, sn, zn], [on], name=f"{base}_DequantizeLinear", axis=axis))
        done[name] = on
        report.append((name, list(w.shape), axis))
        return on

    for n in g.node:
        if n.op_type == "MatMul" and n.input[1] in inits and len(inits[n.input[1]].dims) >= 2:
            if np.prod(inits[n.input[1]].dims) >= min_elements:
                # [..., K, N]: one scale per output column (shared across a stacked weight's leading axes)
                n.input[1] = dq(n.input[1], len(inits[n.input[1]].dims) - 1)
        elif n.op_type in ("Gemm", "FusedGemm") and n.input[1] in inits:  # FusedGemm: ORT's Gemm + activation
            trans_b = next((a.i for a in n.attribute if a.name == "transB"), 0)
            if np.prod(inits[n.input[1]].dims) >= min_elements:
                n.input[1] = dq(n.input[1], 0 if trans_b else 1)
        elif n.op_type == "Gather" and n.input[0] in inits and len(inits[n.input[0]].dims) == 2:
            axis = next((a.i for a in n.attribute if a.name == "axis"), 0)
            if axis == 0 and np.prod(inits[n.input[0]].dims) >= min_elements:
                n.input[0] = dq(n.input[0], 0)  # table [V, d]: one scale per row

    # DequantizeLinear nodes first (their inputs are initializers), then the original order
    nodes = new_nodes + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    still_used = {x for n in g.node for x in n.input} | {o.name for o in g.output}
    kept = [i for i in g.initializer if i.name in still_used]
    del g.initializer[:]
    g.initializer.extend(kept + new_inits)
    # drop stale value_info of removed weights (graph inputs that shadow initializers too)
    names = {i.name for i in g.initializer}
    keep_inputs = [i for i in g.input if i.name in names or i.name in still_used]
    del g.input[:]
    g.input.extend(keep_inputs)
    return report


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--min-elements", type=int, default=256, help="leave smaller weights fp32")
    ap.add_argument("--max-ratio", type=float, default=1 / 3,
                    help="fail when int8 bytes / fp32 bytes is above this (a model whose weights are mostly small stays larger)")
    args = ap.parse_args()
    model = onnx.load(args.input)
    report = quantize_model(model, args.min_elements)
    for op in model.graph.node:
        assert op.op_type not in ("DynamicQuantizeLinear", "MatMulInteger"), "weight-only quantization expected"
    onnx.checker.check_model(model)
    onnx.save(model, args.output)
    a, b = os.path.getsize(args.input), os.path.getsize(args.output)
    for name, shape, axis in report:
        print(f"int8 {name} {shape} per-axis {axis}")
    print(f"{args.input}: {a} bytes -> {args.output}: {b} bytes ({b / a:.3f}x), {len(report)} weights int8")
    if b > a * args.max_ratio:
        print(f"error: int8 file is larger than {args.max_ratio:.3f} of the fp32 file", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
