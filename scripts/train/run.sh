#!/usr/bin/env bash
# Reproduce the default model suite end to end:
#   generate (TypeScript) -> train (PyTorch) -> export ONNX + fixtures -> int8 text encoder ->
#   models/manifest.json -> evaluate through onnxruntime-node (models/EVAL.md).
#
#   scripts/train/run.sh            # everything (about 35-45 min on 2 CPU cores)
#   scripts/train/run.sh export     # re-export/quantize/manifest/eval from the last training run
#   scripts/train/run.sh eval       # only the evaluation
#
# Environment: DATA_DIR (default .data/soc, gitignored), MODELS_DIR (default models),
# FIXTURES_DIR (default test/scripts/fixtures), TRAIN_IMAGES (60000), EVAL_IMAGES (2000),
# TRAIN_ARGS (extra arguments for train.py).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PY=${PYTHON:-/usr/bin/python3}
DATA=${DATA_DIR:-$ROOT/.data/soc}
MODELS=${MODELS_DIR:-$ROOT/models}
FIXTURES=${FIXTURES_DIR:-$ROOT/test/scripts/fixtures}
TRAIN_IMAGES=${TRAIN_IMAGES:-60000}
EVAL_IMAGES=${EVAL_IMAGES:-2000}
TRAIN_SEED=1234
VAL_SEED=4321
FIXTURE_SEED=31337
EVAL_SEED=2026
FROM=${1:-all}
export OPENBLAS_NUM_THREADS=1

stamp() { date -u +%H:%M:%S; }
gen() {
  echo "== $(stamp) generate: train seed $TRAIN_SEED ($TRAIN_IMAGES images), held-out seed $VAL_SEED, fixture seed $FIXTURE_SEED"
  npx tsx scripts/dataset/cli.ts --seed "$TRAIN_SEED" --images "$TRAIN_IMAGES" --out "$DATA/train"
  npx tsx scripts/dataset/cli.ts --seed "$VAL_SEED" --images 2000 --out "$DATA/val" --quiet
  npx tsx scripts/dataset/cli.ts --seed "$FIXTURE_SEED" --images 4 --out "$DATA/fixture" --quiet
}
train() {
  echo "== $(stamp) train"
  # shellcheck disable=SC2086
  "$PY" scripts/train/train.py --seed "$TRAIN_SEED" --train "$DATA/train" --val "$DATA/val" --work "$DATA/work" ${TRAIN_ARGS:-}
}
export_all() {
  echo "== $(stamp) export + fixtures"
  rm -rf "$MODELS/heads"
  mkdir -p "$MODELS"
  "$PY" scripts/train/export.py --work "$DATA/work" --out "$MODELS" --fixtures "$FIXTURES" \
    --fixture-data "$DATA/fixture" --fixture-seed "$FIXTURE_SEED" 2>&1 | grep -v -i "warn\|_C._jit\|^ *$" || true
  test -f "$MODELS/heads/attention.onnx"
  echo "== $(stamp) int8 text encoder"
  "$PY" scripts/quantize/quantize.py "$MODELS/text-encoder.fp32.onnx" "$MODELS/text-encoder.int8.onnx"
  echo "== $(stamp) manifest"
  "$PY" scripts/train/manifest.py --models "$MODELS" --results "$DATA/work/results.json"
}
evaluate() {
  echo "== $(stamp) evaluate (seed $EVAL_SEED, $EVAL_IMAGES images)"
  npx tsx scripts/eval-models.ts --models "$MODELS" --seed "$EVAL_SEED" --images "$EVAL_IMAGES"
}
case "$FROM" in
  all) gen; train; export_all; evaluate ;;
  train) train; export_all; evaluate ;;
  export) export_all; evaluate ;;
  eval) evaluate ;;
  *) echo "usage: $0 [all|train|export|eval]" >&2; exit 2 ;;
esac
echo "== $(stamp) done"
