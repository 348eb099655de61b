#!/usr/bin/env bash
# CI smoke test of the training pipeline: a few steps of every stage on tiny data, export, int8
# quantization and manifest into a temporary directory (never models/), then load and run every
# ONNX file through onnxruntime-node. Installs the Debian packages when they are missing.
# A few minutes on 2 CPU cores.   scripts/train/smoke.sh [--keep]
# (stage 1 saves results-stage1.json; stage 2 runs separately on its checkpoint, as in run.sh)
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
export OMP_WAIT_POLICY=PASSIVE
D="$TMP/data"
npx tsx scripts/dataset/cli.ts --seed 1 --images 120 --out "$D/train" --quiet
npx tsx scripts/dataset/cli.ts --seed 2 --images 40 --out "$D/val" --quiet
npx tsx scripts/dataset/cli.ts --seed 2 --images 20 --out "$D/val-exact" --quiet
npx tsx scripts/dataset/cli.ts --seed 3 --images 4 --out "$D/fixture" --quiet
npx tsx scripts/dataset/views.ts --seed 1 --images 120 --views 2 --size 150 --out "$D/train" --quiet
npx tsx scripts/dataset/views.ts --seed 2 --images 40 --views 1 --size 150 --out "$D/val" --quiet
npx tsx scripts/dataset/views.ts --seed 2 --images 20 --views 1 --size 150 --exact --out "$D/val-exact" --quiet
npx tsx scripts/dataset/views.ts --seed 3 --images 4 --views 1 --size 150 --exact --out "$D/fixture" --quiet
TRAIN=("$PY" scripts/train/train.py --threads 1 --train "$D/train" --val "$D/val" --val-exact "$D/val-exact" --work "$TMP/work")
"${TRAIN[@]}" --steps1 4 --batch-images 8 --rel-att-weight 1 --cell-shape-weight 1 --eval-every 1000 --eval-images 20 \
  --bn-batches 2 --bn-batches-eval 1 --log-every 2 --stage1-only
"${TRAIN[@]}" --init "$TMP/work/stage1.pt" --skip-stage1 --steps2 20 --batch2 64 --steps-early 2 --log-every 4
mkdir -p "$TMP/models/sort-of-clevr" "$TMP/models/repository/soc-image/2"
"$PY" scripts/train/export.py --work "$TMP/work" --out "$TMP/models/sort-of-clevr" --image-out "$TMP/models/repository/soc-image/2/model.onnx" \
  --fixtures "$TMP/fixtures" --fixture-data "$D/fixture" --fixture-seed 3 2>&1 | grep -v -i "warn\|_C._jit\|^ *$" || true
"$PY" scripts/quantize/quantize.py "$TMP/models/sort-of-clevr/text-encoder.fp32.onnx" "$TMP/models/sort-of-clevr/text-encoder.int8.onnx"
"$PY" scripts/train/manifest.py --suite "$TMP/models/sort-of-clevr" --repository "$TMP/models/repository" --results "$TMP/work/results.json"
npx tsx scripts/optimize/optimize-edge-models.ts "$TMP/models/sort-of-clevr"
npx tsx scripts/quantize/quantize-heads.ts "$TMP/models/sort-of-clevr"
npx tsx scripts/optimize/optimize-edge-models.ts --check "$TMP/models/sort-of-clevr"
npx tsx scripts/train/check-suite.ts "$TMP/models/sort-of-clevr"
npx tsx scripts/eval-models.ts --models "$TMP/models/sort-of-clevr" --seed 2026 --images 10 --batch 10 --shifts exact-png,jpeg-q75,letterbox-135x75
test -s "$TMP/models/sort-of-clevr/EVAL.md"
echo "== smoke OK in $(( $(date +%s) - T0 )) s"
