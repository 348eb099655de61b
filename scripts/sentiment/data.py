"""Load generated splits (scripts/dataset/sentiment.ts --arrays): one or more shard folders."""
import json
import os

import numpy as np

LABELS = ["negative", "neutral", "positive"]
KINDS = ["literal", "sarcastic", "ambiguous"]
SURFACES = ["positive", "negative", "neutral", "none"]
FACE = 64
SAMPLES = 48000


class Split:
    def __init__(self, dirs):
        if isinstance(dirs, str):
            dirs = dirs.split(",")
        self.records, faces, audio = [], [], []
        for d in dirs:
            recs = [json.loads(line) for line in open(os.path.join(d, "data.jsonl")) if line.endswith("\n")]
            fpath, apath = os.path.join(d, "faces64.u8"), os.path.join(d, "audio.i16")
            # a shard whose generator was stopped early: keep the complete records only
            n = min(len(recs), os.path.getsize(fpath) // (FACE * FACE * 3), os.path.getsize(apath) // (SAMPLES * 2))
            recs = recs[:n]
            self.records += recs
            faces.append(np.fromfile(fpath, np.uint8, count=n * FACE * FACE * 3).reshape(n, FACE, FACE, 3))
            audio.append(np.memmap(apath, np.int16, "r", shape=(n, SAMPLES)))
        self.dirs = list(dirs)
        self.shard_sizes = [f.shape[0] for f in faces]
        self.faces = np.concatenate(faces) if len(faces) > 1 else faces[0]
        self.audio = audio  # list of memmaps, read in chunks
        r = self.records
        self.n = len(r)
        self.texts = [x["text"] for x in r]
        self.labels = np.array([LABELS.index(x["label"]) for x in r], np.int64)
        self.score = np.array([x["score"] for x in r], np.float32)
        self.kind = np.array([KINDS.index(x["kind"]) for x in r], np.int64)
        self.surface = np.array([SURFACES.index(x["surface"]) for x in r], np.int64)
        self.face_readable = np.array([x["faceCondition"] == "clear" for x in r], np.int64)
        self.voice_readable = np.array([x["voiceCondition"] == "clear" for x in r], np.int64)
        self.drawl = np.array([bool(x["drawl"]) for x in r], np.int64)

    def audio_chunks(self, size=256):
        """Yield float32 [b, SAMPLES] chunks (PCM16 / 32768), in order."""
        for mm in self.audio:
            for i in range(0, mm.shape[0], size):
                yield np.asarray(mm[i: i + size], np.float32) / 32768.0

    def logmel(self):
        """float16 [N, 64, 298], from each shard's cache (see shard_logmel)."""
        parts = [np.asarray(shard_logmel(d, n)) for d, n in zip(self.dirs, self.shard_sizes)]
        return np.concatenate(parts) if len(parts) > 1 else parts[0]

    def faces_float(self, idx):
        """NCHW float32 in [0, 1] (x / 255), as the feature function feeds the encoder."""
        return self.faces[idx].transpose(0, 3, 1, 2).astype(np.float32) / 255.0


def shard_logmel(d, n=None):
    """DIR/logmel.npy: float16 [N, 64, 298] log-mel of the shard's audio (computed once, cached)."""
    import sys

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from frontend import reference_logmel, N_MELS, FRAMES

    path = os.path.join(d, "logmel.npy")
    if os.path.exists(path):
        mel = np.load(path, mmap_mode="r")
        if n is None or mel.shape[0] >= n:
            return mel[:n] if n is not None else mel
    split = Split([d])
    out = np.zeros((split.n, N_MELS, FRAMES), np.float16)
    i = 0
    for chunk in split.audio_chunks(64):
        out[i: i + len(chunk)] = reference_logmel(chunk).astype(np.float16)
        i += len(chunk)
    np.save(path + ".tmp.npy", out)
    os.replace(path + ".tmp.npy", path)
    return np.load(path, mmap_mode="r")


if __name__ == "__main__":
    # precompute the log-mel caches: python3 data.py DIR [DIR ...]
    import sys

    for d in sys.argv[1:]:
        m = shard_logmel(d)
        print(d, m.shape, flush=True)
