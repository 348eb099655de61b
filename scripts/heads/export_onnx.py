"""ONNX export of a trained head (opset 17) and its parity check in onnxruntime-node.

The check runs scripts/heads/check-onnx.ts (the runtime the feature function and the tests use;
the edge runs the same graphs in onnxruntime-web), since Debian's python3-onnx has no reference
evaluator and onnxruntime has no Debian package.
"""
import json
import os
import shutil
import subprocess
import tempfile

import onnx
import torch

OPSET = 17
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def export_head(head, sample, path):
    """sample: list of tensors in head.input_names order. Writes path; returns graph input/output names."""
    head.eval()
    names, outs = head.input_names, head.output_names()
    dyn = {n: {0: "batch"} for n in names + outs}
    with torch.no_grad():
        torch.onnx.export(head, tuple(sample), path, opset_version=OPSET, input_names=names, output_names=outs,
                          dynamic_axes=dyn, do_constant_folding=True)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    init = {i.name for i in m.graph.initializer}
    ins = [i.name for i in m.graph.input if i.name not in init]
    got_outs = [o.name for o in m.graph.output]
    if ins != names or got_outs != outs:
        raise RuntimeError(f"{path}: graph inputs {ins} / outputs {got_outs}, expected {names} / {outs}")
    return ins, got_outs


def parity_case(head, sample, path):
    with torch.no_grad():
        res = head(*sample)
    res = res if isinstance(res, tuple) else (res,)
    return {
        "file": os.path.abspath(path),
        "inputs": {n: {"dims": list(t.shape), "data": t.reshape(-1).tolist()} for n, t in zip(head.input_names, sample)},
        "outputs": {n: {"dims": list(t.shape), "data": t.reshape(-1).tolist()} for n, t in zip(head.output_names(), res)},
    }


def check_in_onnxruntime(cases, tol=1e-4):
    """Runs every case through onnxruntime-node; returns {file: max abs diff} or None when Node is unavailable."""
    if shutil.which("npx") is None or not os.path.isdir(os.path.join(REPO, "node_modules", "onnxruntime-node")):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        p = os.path.join(tmp, "cases.json")
        with open(p, "w") as f:
            json.dump({"tolerance": tol, "cases": cases}, f)
        r = subprocess.run(["npx", "--no-install", "tsx", os.path.join(REPO, "scripts", "heads", "check-onnx.ts"), p],
                           cwd=REPO, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            raise RuntimeError(f"onnxruntime parity check failed:\n{r.stdout}\n{r.stderr}")
        return json.loads(r.stdout.strip().splitlines()[-1])
