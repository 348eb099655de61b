#!/usr/bin/env bash
# CI smoke test of the training pipeline: a few steps of every stage on tiny data, export, int8
# quantization and manifest into a temporary directory (never models/), then load and run every
# ONNX file through onnxruntime-node. Installs the Debian packages when they are missing.
# A few minutes on 2 CPU cores.   scripts/train/smoke.sh [--keep]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PY=/usr/bin/python3
export OPENBLAS_NUM_THREADS=1

if ! "$PY" -c 'import torch, onnx, numpy' 2>/dev/null; then
  echo "== installing python3-torch python3-onnx python3-numpy libopenblas0-pthread (apt)"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q python3-torch python3-onnx python3-numpy libopenblas0-pthread
fi
"$PY" -c 'import torch, onnx; print("torch", torch.__version__, "onnx", onnx.__version__)'

TMP=$(mktemp -d -t edgefuse-smoke.XXXXXX)
if [ "${1:-}" != "--keep" ]; then trap 'rm -rf "$TMP"' EXIT; fi
echo "== smoke workdir $TMP"
T0=$(date +%s)
npx tsx scripts/dataset/cli.ts --seed 1 --images 200 --out "$TMP/data/train" --quiet
npx tsx scripts/dataset/cli.ts --seed 2 --images 60 --out "$TMP/data/val" --quiet
npx tsx scripts/dataset/cli.ts --seed 3 --images 4 --out "$TMP/data/fixture" --quiet
"$PY" scripts/train/train.py --train "$TMP/data/train" --val "$TMP/data/val" --work "$TMP/work" \
  --steps1 8 --steps2 20 --steps-early 4 --eval-every 1000 --eval-images 20 --bn-batches 2 --log-every 4
"$PY" scripts/train/export.py --work "$TMP/work" --out "$TMP/models" --fixtures "$TMP/fixtures" \
  --fixture-data "$TMP/data/fixture" --fixture-seed 3 2>&1 | grep -v -i "warn\|_C._jit\|^ *$" || true
"$PY" scripts/quantize/quantize.py "$TMP/models/text-encoder.fp32.onnx" "$TMP/models/text-encoder.int8.onnx"
"$PY" scripts/train/manifest.py --models "$TMP/models" --results "$TMP/work/results.json"
npx tsx scripts/eval-models.ts --models "$TMP/models" --seed 2026 --images 20 --batch 10
test -s "$TMP/models/EVAL.md"
echo "== smoke OK in $(( $(date +%s) - T0 )) s"
