"""Triton Python-backend preprocessing model of the edgefuse feature function.

Generated into models/triton/<name>-preprocess/<version>/model.py by `npm run triton:repo`; the
source is functions/image-features/triton/preprocess_model.py. One BYTES input ("input": encoded
PNG/JPEG/WebP, or WAV) in, the encoder's FP32 input tensor out. It computes exactly what the Node
feature function computes (functions/image-features/preprocess/*.ts), step by step and with the
same arithmetic, so an ensemble of this model and the ONNX encoder answers like the Node server
(parity-tested within 1/255 in test/image-features/triton-python.test.ts):

image: sniff PNG/JPEG/WebP -> decode (PIL) -> EXIF orientation -> RGBA -> alpha flattened with
       round((c*a + bg*(255-a))/255) -> letterbox to the target aspect (border median or fixed
       colour, centred) -> box pre-shrink by floor(scale/2) -> separable Lanczos-3 (PIL-style
       support, float64) -> round half up -> RGB or luma -> x/255 [-> (x-mean)/std] -> NCHW/NHWC.
audio: strict RIFF/WAVE parse -> PCM 8/16/24/32 or float 32/64 -> mono mean -> Hann-windowed sinc
       resampling -> length limits -> zero pad or trim.

The preprocessing settings come from config.pbtxt: parameters { key: "preprocess" value:
{ string_value: "<the config.json preprocess section as JSON>" } }.
Errors are per request: "<code>: <message>" with the Node server's stable codes.
"""
import io
import json
import math
import struct

import numpy as np

try:  # Triton provides this module inside the Python backend.
    import triton_python_backend_utils as pb_utils
except ImportError:  # pragma: no cover - only for import outside Triton
    pb_utils = None


class PreprocessError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------- image -----------------------

def sniff_format(data):
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def decode_image(data, index, max_pixels, alpha):
    from PIL import Image, ImageOps  # imported lazily: audio-only deployments need no PIL

    fmt = sniff_format(data)
    if fmt is None:
        raise PreprocessError("unsupported_image_format", "image %d is not PNG, JPEG or WebP" % index)
    try:
        img = Image.open(io.BytesIO(data))
        if img.format != fmt:
            raise ValueError("format mismatch")
        if img.size[0] * img.size[1] > max_pixels:
            raise PreprocessError("image_too_large", "image %d exceeds the decoded pixel limit" % index)
        img.load()
        img = ImageOps.exif_transpose(img)
        rgba = np.asarray(img.convert("RGBA"), dtype=np.uint8)
    except PreprocessError:
        raise
    except Exception:
        raise PreprocessError("corrupt_image", "image %d is not a valid %s (corrupt or truncated)" % (index, fmt.lower()))
    return flatten_alpha(rgba, alpha)


def flatten_alpha(rgba, bg):
    rgb = rgba[:, :, :3].astype(np.int64)
    a = rgba[:, :, 3:4].astype(np.int64)
    bg = np.asarray(bg, dtype=np.int64).reshape(1, 1, 3)
    flat = (rgb * a + bg * (255 - a) + 127) // 255
    return np.where(a == 255, rgb, flat).astype(np.uint8)


def border_median(img):
    h, w, _ = img.shape
    parts = [img[0, :, :]]
    if h > 1:
        parts.append(img[h - 1, :, :])
    if h > 2:
        parts.append(img[1:h - 1, 0, :])
        if w > 1:
            parts.append(img[1:h - 1, w - 1, :])
    border = np.concatenate(parts, axis=0)
    values = np.sort(border, axis=0)
    return [int(v) for v in values[(len(values) - 1) // 2]]


def letterbox(img, out_w, out_h, bg):
    h, w, _ = img.shape
    cw = max(w, -(-h * out_w // out_h))
    ch = max(h, -(-w * out_h // out_w))
    if cw == w and ch == h:
        return img
    ox = (cw - w) // 2
    oy = (ch - h) // 2
    canvas = np.empty((ch, cw, 3), dtype=np.uint8)
    canvas[:, :] = np.asarray(bg, dtype=np.uint8)
    canvas[oy:oy + h, ox:ox + w] = img
    return canvas


def lanczos3(x):
    x = np.asarray(x, dtype=np.float64)
    px = np.pi * x
    with np.errstate(divide="ignore", invalid="ignore"):
        v = (3.0 * np.sin(px) * np.sin(px / 3.0)) / (px * px)
    v = np.where((x > -3.0) & (x < 3.0), v, 0.0)
    return np.where(x == 0.0, 1.0, v)


def taps(in_size, out_size, scale):
    """Dense [out_size, in_size] Lanczos-3 weight matrix, rows normalised (resize.ts `taps`)."""
    filter_scale = max(scale, 1.0)
    support = 3.0 * filter_scale
    weights = np.zeros((out_size, in_size), dtype=np.float64)
    for i in range(out_size):
        center = (i + 0.5) * scale
        lo = max(0, int(math.floor(center - support + 0.5)))
        hi = min(in_size, int(math.floor(center + support + 0.5)))
        j = np.arange(lo, hi, dtype=np.float64)
        w = lanczos3((j + 0.5 - center) / filter_scale)
        total = 0.0
        for value in w:  # sequential sum, as in TypeScript
            total += value
        if total != 0.0:
            w = w / total
        weights[i, lo:hi] = w
    return weights


def box_shrink(src, kx, ky):
    h, w, _ = src.shape
    sums = np.add.reduceat(np.add.reduceat(src, np.arange(0, h, ky), axis=0), np.arange(0, w, kx), axis=1)
    rows = np.minimum(np.arange(0, h, ky) + ky, h) - np.arange(0, h, ky)
    cols = np.minimum(np.arange(0, w, kx) + kx, w) - np.arange(0, w, kx)
    return sums / (rows[:, None, None] * cols[None, :, None]).astype(np.float64)


def resize_lanczos3(img, out_w, out_h):
    h, w, _ = img.shape
    sx = w / out_w
    sy = h / out_h
    kx = max(1, int(math.floor(sx / 2)))
    ky = max(1, int(math.floor(sy / 2)))
    src = img.astype(np.float64)
    if kx > 1 or ky > 1:
        src = box_shrink(src, kx, ky)
    wx = taps(src.shape[1], out_w, sx / kx)
    wy = taps(src.shape[0], out_h, sy / ky)
    tmp = np.einsum("ow,hwc->hoc", wx, src)
    out = np.einsum("oh,hwc->owc", wy, tmp)
    return np.clip(np.floor(out + 0.5), 0, 255).astype(np.uint8)


def letterbox_resize(img, out_w, out_h, background):
    bg = border_median(img) if background == "border-median" else list(background)
    boxed = letterbox(img, out_w, out_h, bg)
    if boxed.shape[0] == out_h and boxed.shape[1] == out_w:
        return boxed
    return resize_lanczos3(boxed, out_w, out_h)


def image_tensor(data, index, pre, max_pixels):
    out_w, out_h = pre["size"]
    rgb = decode_image(data, index, max_pixels, pre.get("alpha", [255, 255, 255]))
    h, w, _ = rgb.shape
    if max(w, -(-h * out_w // out_h)) * max(h, -(-w * out_h // out_w)) > max_pixels:
        raise PreprocessError("image_too_large", "image %d (%dx%d) letterboxes to more than the pixel limit" % (index, w, h))
    pixels = letterbox_resize(rgb, out_w, out_h, pre.get("background", "border-median"))
    if pre.get("channels", "RGB") == "L":
        p = pixels.astype(np.float64)
        pixels = np.floor(0.299 * p[:, :, 0] + 0.587 * p[:, :, 1] + 0.114 * p[:, :, 2] + 0.5).astype(np.uint8)[:, :, None]
    x = pixels.astype(np.float32) / np.float32(255.0)
    mean, std = pre.get("mean"), pre.get("std")
    if mean is not None or std is not None:
        channels = x.shape[2]
        m = np.asarray(mean if mean is not None else [0.0] * channels, dtype=np.float64)
        s = np.asarray(std if std is not None else [1.0] * channels, dtype=np.float64)
        x = ((x.astype(np.float64) - m) / s).astype(np.float32)
    if pre.get("layout", "NCHW") == "NCHW":
        x = np.transpose(x, (2, 0, 1))
    return np.ascontiguousarray(x, dtype=np.float32)


# ---------------------------------------------------------------- audio -----------------------

MIN_SAMPLE_RATE = 1000
MAX_SAMPLE_RATE = 384000
MAX_CHANNELS = 32
ZERO_CROSSINGS = 16


STREAMED_SIZE = 0xFFFFFFFF


def parse_wav(data, index):
    def corrupt(why):
        return PreprocessError("corrupt_audio", "audio %d is not a valid WAV file: %s" % (index, why))

    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        if data[:4] in (b"RIFX", b"RF64", b"FORM"):
            raise PreprocessError("unsupported_audio_encoding", "audio %d is %s; only little-endian RIFF/WAVE is supported" % (index, data[:4].decode("latin1")))
        raise PreprocessError("unsupported_audio_format", "audio %d is not a WAV (RIFF/WAVE) file" % index)
    # A WAV streamed to a pipe (ffmpeg, sox) cannot know its length and writes 0xFFFFFFFF as the RIFF
    # and data sizes: read such a size as "to the end of the file" (whole frames), like wav.ts.
    declared = struct.unpack_from("<I", data, 4)[0]
    riff_end = len(data) if declared == STREAMED_SIZE else 8 + declared
    if riff_end > len(data):
        raise corrupt("RIFF header says %d bytes, the file has %d (truncated)" % (riff_end, len(data)))
    fmt = None
    chunk_data = None
    at = 12
    while at + 8 <= riff_end:
        cid = data[at:at + 4]
        size = struct.unpack_from("<I", data, at + 4)[0]
        body = at + 8
        streamed_data = cid == b"data" and size == STREAMED_SIZE and fmt is not None
        if streamed_data:
            size = (riff_end - body) // fmt[4] * fmt[4]
        if body + size > riff_end:
            raise corrupt("chunk of %d bytes runs past the end of the file" % size)
        if cid == b"fmt ":
            if fmt is not None:
                raise corrupt("more than one fmt chunk")
            if size < 16:
                raise corrupt("fmt chunk is %d bytes, at least 16 needed" % size)
            tag, channels, rate, byte_rate, block_align, bits = struct.unpack_from("<HHIIHH", data, body)
            if tag == 0xFFFE:
                if size < 40:
                    raise corrupt("WAVE_FORMAT_EXTENSIBLE fmt chunk shorter than 40 bytes")
                tag = struct.unpack_from("<H", data, body + 24)[0]
            if tag not in (1, 3):
                raise PreprocessError("unsupported_audio_encoding", "audio %d uses WAV format tag %d; only PCM (1) and IEEE float (3) are supported" % (index, tag))
            kind = "pcm" if tag == 1 else "float"
            if channels == 0:
                raise corrupt("0 channels")
            if channels > MAX_CHANNELS:
                raise corrupt("%d channels (at most %d)" % (channels, MAX_CHANNELS))
            if rate < MIN_SAMPLE_RATE or rate > MAX_SAMPLE_RATE:
                raise PreprocessError("unsupported_sample_rate", "audio %d has sample rate %d Hz" % (index, rate))
            if bits not in ((8, 16, 24, 32) if kind == "pcm" else (32, 64)):
                raise PreprocessError("unsupported_audio_encoding", "audio %d: %d-bit %s samples are not supported" % (index, bits, kind))
            if block_align * 8 != channels * bits:
                raise corrupt("block align %d does not match %d channels of %d bits" % (block_align, channels, bits))
            if byte_rate != rate * block_align:
                raise corrupt("byte rate %d does not match %d Hz x %d bytes" % (byte_rate, rate, block_align))
            fmt = (kind, channels, rate, bits, block_align)
        elif cid == b"data":
            if chunk_data is not None:
                raise corrupt("more than one data chunk")
            if fmt is None:
                raise corrupt("data chunk before the fmt chunk")
            chunk_data = (body, size)
            if streamed_data:
                break  # it runs to the end: what follows is a partial frame, not a chunk
        at = body + size + (size % 2)
    if fmt is None:
        raise corrupt("no fmt chunk")
    if chunk_data is None:
        raise corrupt("no data chunk")
    if chunk_data[1] % fmt[4] != 0:
        raise corrupt("data chunk of %d bytes is not a whole number of %d-byte frames" % (chunk_data[1], fmt[4]))
    return fmt, chunk_data


def decode_mono(data, fmt, chunk_data, index):
    kind, channels, _rate, bits, block_align = fmt
    offset, size = chunk_data
    raw = np.frombuffer(data, dtype=np.uint8, count=size, offset=offset)
    if kind == "float":
        samples = raw.view("<f4" if bits == 32 else "<f8").astype(np.float64)
    elif bits == 8:
        samples = (raw.astype(np.float64) - 128.0) / 128.0
    elif bits == 16:
        samples = raw.view("<i2").astype(np.float64) / 32768.0
    elif bits == 24:
        b = raw.reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        samples = np.where(v >= 1 << 23, v - (1 << 24), v).astype(np.float64) / 8388608.0
    else:
        samples = raw.view("<i4").astype(np.float64) / 2147483648.0
    frames = samples.reshape(-1, channels)
    total = frames[:, 0].copy()
    for c in range(1, channels):  # sequential sum over channels, as in TypeScript
        total += frames[:, c]
    if not np.all(np.isfinite(total)):
        raise PreprocessError("corrupt_audio", "audio %d is not a valid WAV file: a sample is not a finite number" % index)
    return total if channels == 1 else total / channels


def resample(x, rate_in, rate_out):
    if rate_in == rate_out:
        return x
    n = len(x)
    n_out = (n * rate_out) // rate_in
    fc = min(1.0, rate_out / rate_in)
    hw = ZERO_CROSSINGS / fc
    out = np.empty(n_out, dtype=np.float64)
    width = int(math.floor(2 * hw)) + 2
    for start in range(0, n_out, 4096):
        j = np.arange(start, min(n_out, start + 4096), dtype=np.float64)
        t = (j * rate_in) / rate_out
        lo = np.maximum(0, np.ceil(t - hw)).astype(np.int64)
        hi = np.minimum(n - 1, np.floor(t + hw)).astype(np.int64)
        idx = lo[:, None] + np.arange(width)[None, :]
        valid = idx <= hi[:, None]
        d = t[:, None] - idx
        w = fc * np.sinc(fc * d) * (0.5 + 0.5 * np.cos(np.pi * d / hw))
        values = x[np.minimum(idx, n - 1)]
        out[start:start + len(j)] = np.sum(np.where(valid, w * values, 0.0), axis=1)
    return out


def audio_tensor(data, index, pre):
    fmt, chunk_data = parse_wav(data, index)
    frames = chunk_data[1] // fmt[4]
    seconds = frames / fmt[2]
    if seconds > pre.get("maxSeconds", 30):
        raise PreprocessError("audio_too_long", "audio %d is %.2f s long; the limit is %s s" % (index, seconds, pre.get("maxSeconds", 30)))
    if seconds < pre.get("minSeconds", 0) or frames == 0:
        raise PreprocessError("audio_too_short", "audio %d is %.3f s long" % (index, seconds))
    mono = resample(decode_mono(data, fmt, chunk_data, index), fmt[2], pre["sampleRate"])
    out = np.zeros(pre["samples"], dtype=np.float32)
    n = min(len(mono), pre["samples"])
    out[:n] = mono[:n]
    return out


# ---------------------------------------------------------------- Triton ----------------------

def preprocess(data, index, pre, max_pixels=4096 * 4096):
    """One encoded item (bytes) -> the encoder's per-item input. Raises PreprocessError."""
    if pre["kind"] == "image":
        return image_tensor(data, index, pre, max_pixels)
    if pre["kind"] == "audio":
        return audio_tensor(data, index, pre)
    raise PreprocessError("bad_request", "unknown preprocessing kind %r" % pre["kind"])


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        params = config.get("parameters", {})
        self.pre = json.loads(params["preprocess"]["string_value"])
        self.max_pixels = int(params.get("max_pixels", {}).get("string_value", str(4096 * 4096)))
        self.input_name = config["input"][0]["name"]
        self.output_name = config["output"][0]["name"]

    def execute(self, requests):
        responses = []
        for request in requests:
            try:
                items = pb_utils.get_input_tensor_by_name(request, self.input_name).as_numpy().reshape(-1)
                batch = np.stack([preprocess(bytes(item), i, self.pre, self.max_pixels) for i, item in enumerate(items)])
                responses.append(pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor(self.output_name, batch)]))
            except PreprocessError as err:
                responses.append(pb_utils.InferenceResponse(output_tensors=[], error=pb_utils.TritonError("%s: %s" % (err.code, err))))
        return responses

    def finalize(self):
        pass
