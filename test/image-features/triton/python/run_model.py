"""Runs a Triton Python-backend model.py against the stand-in triton_python_backend_utils.

stdin: JSON {"model_py": path, "model_config": <config as Triton passes it, JSON>, "requests":
[[base64 item, ...], ...]}. Each request becomes one InferenceRequest with a BYTES tensor of shape
[N, 1] (numpy object array of bytes, as Triton gives a TYPE_STRING input). stdout: JSON list, per
request {"error": str} or {"outputs": {name: {"shape": [...], "dtype": str, "data": base64 of
little-endian bytes}}}."""
import base64
import importlib.util
import json
import sys

import numpy as np

import triton_python_backend_utils as pb_utils

job = json.load(sys.stdin)
spec = importlib.util.spec_from_file_location("model", job["model_py"])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
model = module.TritonPythonModel()
config = job["model_config"]
model.initialize({"model_config": json.dumps(config), "model_instance_kind": "CPU", "model_name": config["name"], "model_version": "1"})
input_name = config["input"][0]["name"]
requests = []
for items in job["requests"]:
    array = np.array([[base64.b64decode(x)] for x in items], dtype=np.object_)
    requests.append(pb_utils.InferenceRequest([pb_utils.Tensor(input_name, array)]))
responses = model.execute(requests)
assert len(responses) == len(requests), "one response per request"
out = []
for response in responses:
    if response.has_error():
        out.append({"error": response.error().message()})
        continue
    tensors = {}
    for t in response.output_tensors():
        a = np.ascontiguousarray(t.as_numpy())
        tensors[t.name()] = {"shape": list(a.shape), "dtype": str(a.dtype), "data": base64.b64encode(a.astype("<f4").tobytes()).decode()}
    out.append({"outputs": tensors})
model.finalize()
json.dump(out, sys.stdout)
