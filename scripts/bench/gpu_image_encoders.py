#!/usr/bin/env python3
"""Batched vs batch-1 throughput of the image encoders on a GPU (issue 15 part 6), same weights.

The GPU machine has PyTorch with CUDA but no Node and no onnxruntime, so this runs each shipped
ONNX image encoder (models/repository/<name>/config.json with kind "image") with a small ONNX
interpreter written in PyTorch: the graph and the weights are the shipped file's, nothing is
re-trained or re-exported. Unsupported operators stop the run with their names.

  /usr/bin/python3 scripts/bench/gpu_image_encoders.py [--models models] [--device cuda]
      [--batches 1,8,32] [--seconds 5] [--out gpu.json]

For each encoder and batch size it reports images/s and ms per batch (median of timed windows, CUDA
synchronised), the batched/batch-1 throughput ratio, and the largest difference between the
device's outputs and the CPU's on the same inputs. Not run on the development machine (no GPU);
docs/BENCHMARKS.md says so.
"""
import argparse, json, os, platform, statistics, sys, time

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn.functional as F


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def pads_for(pads):
    # ONNX: [x1_begin, x2_begin, x1_end, x2_end]; symmetric pads only here.
    n = len(pads) // 2
    if pads[:n] != pads[n:]:
        raise NotImplementedError("asymmetric pads")
    return tuple(pads[:n])


def run_node(op, a, x, dev):
    if op == "Identity": return [x[0]]
    if op == "Constant":
        return [torch.as_tensor(numpy_helper.to_array(a["value"]).copy(), device=dev)]
    if op in ("Add", "Sub", "Mul", "Div", "Pow"):
        f = {"Add": torch.add, "Sub": torch.sub, "Mul": torch.mul, "Div": torch.div, "Pow": torch.pow}[op]
        return [f(x[0], x[1])]
    if op == "Equal": return [torch.eq(x[0], x[1])]
    if op == "Where": return [torch.where(x[0].bool(), x[1], x[2])]
    if op == "Relu": return [F.relu(x[0])]
    if op == "Sigmoid": return [torch.sigmoid(x[0])]
    if op == "Sqrt": return [torch.sqrt(x[0])]
    if op == "Softmax": return [torch.softmax(x[0], dim=a.get("axis", -1))]
    if op == "Conv":
        w, b = x[1], (x[2] if len(x) > 2 else None)
        return [F.conv2d(x[0], w, b, stride=tuple(a.get("strides", [1, 1])), padding=pads_for(list(a.get("pads", [0, 0, 0, 0]))),
                         dilation=tuple(a.get("dilations", [1, 1])), groups=a.get("group", 1))]
    if op == "BatchNormalization":
        return [F.batch_norm(x[0], x[3], x[4], x[1], x[2], training=False, eps=a.get("epsilon", 1e-5))]
    if op == "MaxPool":
        return [F.max_pool2d(x[0], tuple(a["kernel_shape"]), tuple(a.get("strides", a["kernel_shape"])), pads_for(list(a.get("pads", [0, 0, 0, 0]))))]
    if op == "AveragePool":
        return [F.avg_pool2d(x[0], tuple(a["kernel_shape"]), tuple(a.get("strides", a["kernel_shape"])), pads_for(list(a.get("pads", [0, 0, 0, 0]))))]
    if op == "GlobalAveragePool": return [x[0].mean(dim=(2, 3), keepdim=True)]
    if op == "Flatten":
        ax = a.get("axis", 1); return [x[0].reshape(int(np.prod(x[0].shape[:ax])) if ax else 1, -1)]
    if op == "Gemm":
        A = x[0].t() if a.get("transA", 0) else x[0]
        B = x[1].t() if a.get("transB", 0) else x[1]
        y = a.get("alpha", 1.0) * (A @ B)
        if len(x) > 2: y = y + a.get("beta", 1.0) * x[2]
        return [y]
    if op == "MatMul": return [x[0] @ x[1]]
    if op == "Shape": return [torch.tensor(list(x[0].shape), dtype=torch.int64, device=dev)]
    if op == "Gather":
        idx = x[1].long(); ax = a.get("axis", 0)
        return [torch.index_select(x[0], ax, idx.reshape(-1)).reshape(list(x[0].shape[:ax]) + list(idx.shape) + list(x[0].shape[ax + 1:]))]
    if op == "Unsqueeze":
        y = x[0]
        for d in sorted(int(v) for v in x[1].tolist()): y = y.unsqueeze(d if d >= 0 else d + y.dim() + 1)
        return [y]
    if op == "Squeeze":
        dims = [int(v) for v in x[1].tolist()] if len(x) > 1 else [i for i, s in enumerate(x[0].shape) if s == 1]
        y = x[0]
        for d in sorted(dims, reverse=True): y = y.squeeze(d)
        return [y]
    if op == "Concat": return [torch.cat(x, dim=a["axis"])]
    if op == "Reshape":
        shape = [int(v) for v in x[1].tolist()]
        shape = [x[0].shape[i] if s == 0 else s for i, s in enumerate(shape)]
        return [x[0].reshape(shape)]
    if op == "ConstantOfShape":
        v = numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, np.float32)
        return [torch.full([int(s) for s in x[0].tolist()], float(v.reshape(-1)[0]), dtype=torch.as_tensor(v).dtype, device=dev)]
    if op == "Expand":
        return [x[0] * torch.ones([int(s) for s in x[1].tolist()], dtype=x[0].dtype, device=dev)]
    if op == "Slice":
        starts, ends = x[1].tolist(), x[2].tolist()
        axes = x[3].tolist() if len(x) > 3 else list(range(len(starts)))
        steps = x[4].tolist() if len(x) > 4 else [1] * len(starts)
        idx = [slice(None)] * x[0].dim()
        for s, e, ax, st in zip(starts, ends, axes, steps):
            n = x[0].shape[ax]
            s = max(min(s + n if s < 0 else s, n), 0); e = max(min(e + n if e < 0 else e, n), 0)
            idx[ax] = slice(s, e, st)
        return [x[0][tuple(idx)]]
    if op == "Transpose": return [x[0].permute(*a["perm"])]
    if op in ("ReduceMean", "ReduceMax", "ReduceSum"):
        axes = a.get("axes") or (x[1].tolist() if len(x) > 1 else list(range(x[0].dim())))
        keep = bool(a.get("keepdims", 1))
        if op == "ReduceMean": return [x[0].mean(dim=tuple(axes), keepdim=keep)]
        if op == "ReduceSum": return [x[0].sum(dim=tuple(axes), keepdim=keep)]
        y = x[0]
        for d in sorted(axes, reverse=True): y = y.amax(dim=d, keepdim=keep)
        return [y]
    if op == "Cast":
        to = {1: torch.float32, 6: torch.int32, 7: torch.int64, 9: torch.bool, 10: torch.float16}[a["to"]]
        return [x[0].to(to)]
    raise NotImplementedError(op)


class OnnxOnTorch:
    def __init__(self, path, dev):
        self.model = onnx.load(path)
        self.dev = dev
        self.weights = {t.name: torch.as_tensor(numpy_helper.to_array(t).copy(), device=dev) for t in self.model.graph.initializer}
        missing = sorted({n.op_type for n in self.model.graph.node} - SUPPORTED)
        if missing:
            raise SystemExit(f"{path}: operators not supported by this interpreter: {', '.join(missing)}")
        self.input = [i.name for i in self.model.graph.input if i.name not in self.weights][0]
        self.outputs = [o.name for o in self.model.graph.output]

    @torch.no_grad()
    def __call__(self, image):
        env = dict(self.weights); env[self.input] = image
        for node in self.model.graph.node:
            outs = run_node(node.op_type, attrs(node), [env[i] if i else None for i in node.input], self.dev)
            for name, value in zip(node.output, outs): env[name] = value
        return {name: env[name] for name in self.outputs}


SUPPORTED = {"Identity", "Constant", "Add", "Sub", "Mul", "Div", "Pow", "Equal", "Where", "Relu", "Sigmoid", "Sqrt", "Softmax", "Conv",
             "BatchNormalization", "MaxPool", "AveragePool", "GlobalAveragePool", "Flatten", "Gemm", "MatMul", "Shape", "Gather",
             "Unsqueeze", "Squeeze", "Concat", "Reshape", "ConstantOfShape", "Expand", "Slice", "Transpose", "ReduceMean",
             "ReduceMax", "ReduceSum", "Cast"}


def image_encoders(models_dir):
    repo = os.path.join(models_dir, "repository")
    for name in sorted(os.listdir(repo)) if os.path.isdir(repo) else []:
        cfg_path = os.path.join(repo, name, "config.json")
        if not os.path.exists(cfg_path): continue
        cfg = json.load(open(cfg_path))
        if cfg.get("kind") != "image": continue
        if "file" in cfg:
            path = os.path.join(repo, name, cfg["file"])
        else:  # integer version folders: the newest one
            version = max(int(v) for v in cfg.get("versions", {}) or [d for d in os.listdir(os.path.join(repo, name)) if d.isdigit()])
            path = os.path.join(repo, name, str(version), "model.onnx")
        yield name, path, cfg["input"]["shape"]


def throughput(model, shape, batch, seconds, dev):
    x = torch.rand([batch] + [int(d) for d in shape[1:]], device=dev)
    for _ in range(3): model(x)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    sync()
    windows, deadline = [], time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        t0, n = time.perf_counter(), 0
        while time.perf_counter() - t0 < 0.25:
            model(x); n += 1
        sync()
        windows.append((time.perf_counter() - t0) / n)
    per_batch = statistics.median(windows)
    return {"batch": batch, "msPerBatch": per_batch * 1000, "imagesPerSecond": batch / per_batch, "windows": len(windows)}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--models", default="models")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--batches", default="1,8,32")
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--out")
    args = p.parse_args()
    dev = torch.device(args.device)
    machine = {"device": torch.cuda.get_device_name(dev) if dev.type == "cuda" else platform.processor() or "cpu",
               "torch": torch.__version__, "cuda": torch.version.cuda, "host": platform.platform(), "cpus": os.cpu_count()}
    print(f"image encoders on {machine['device']} (torch {machine['torch']})", flush=True)
    results = []
    for name, path, shape in image_encoders(args.models):
        model = OnnxOnTorch(path, dev)
        x = torch.rand([4] + [int(d) for d in shape[1:]])
        ref = OnnxOnTorch(path, torch.device("cpu"))(x)
        got = model(x.to(dev))
        diff = max(float((got[k].float().cpu() - ref[k].float()).abs().max()) for k in ref)
        rows = [throughput(model, shape, int(b), args.seconds, dev) for b in args.batches.split(",")]
        base = next(r for r in rows if r["batch"] == 1)["imagesPerSecond"] if any(r["batch"] == 1 for r in rows) else None
        for r in rows:
            r["ratioToBatch1"] = r["imagesPerSecond"] / base if base else None
            print(f"{name} batch {r['batch']:>3}: {r['imagesPerSecond']:.0f} img/s, {r['msPerBatch']:.3f} ms per batch"
                  + (f", {r['ratioToBatch1']:.2f}x batch-1" if base else ""), flush=True)
        results.append({"model": name, "file": path, "maxDeviceVsCpuDifference": diff, "rows": rows})
    out = {"machine": machine, "seconds": args.seconds, "results": results}
    if args.out:
        with open(args.out, "w") as f: json.dump(out, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
