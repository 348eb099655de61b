"""A small stand-in for Triton's triton_python_backend_utils, enough to run a Python-backend
model.py outside Triton in tests: Tensor, InferenceRequest, InferenceResponse, TritonError and
get_input_tensor_by_name behave as the Python backend documents them (python_backend README)."""
import numpy as np


class TritonError(Exception):
    UNKNOWN = 0
    INTERNAL = 1
    NOT_FOUND = 2
    INVALID_ARG = 3
    UNAVAILABLE = 4
    UNSUPPORTED = 5
    ALREADY_EXISTS = 6

    def __init__(self, message, code=UNKNOWN):
        super().__init__(message)
        self._message = message
        self._code = code

    def message(self):
        return self._message

    def code(self):
        return self._code


class Tensor:
    def __init__(self, name, array):
        if not isinstance(array, np.ndarray):
            raise TritonError("Tensor data must be a numpy array")
        self._name = name
        self._array = array

    def name(self):
        return self._name

    def as_numpy(self):
        return self._array


class InferenceRequest:
    def __init__(self, inputs):
        self._inputs = list(inputs)

    def inputs(self):
        return self._inputs


class InferenceResponse:
    def __init__(self, output_tensors=None, error=None):
        if error is not None and not isinstance(error, TritonError):
            raise TypeError("error must be a TritonError")
        self._outputs = list(output_tensors or [])
        self._error = error

    def output_tensors(self):
        return self._outputs

    def has_error(self):
        return self._error is not None

    def error(self):
        return self._error


def get_input_tensor_by_name(request, name):
    for tensor in request.inputs():
        if tensor.name() == name:
            return tensor
    return None


def get_output_tensor_by_name(response, name):
    for tensor in response.output_tensors():
        if tensor.name() == name:
            return tensor
    return None
