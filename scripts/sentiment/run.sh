#!/usr/bin/env bash
# Reproduce the sentiment suite end to end (docs/task-sentiment.md, models/sentiment/EVAL.md):
#   generate (TypeScript) -> pretrain the three encoders, each on its own modality (PyTorch, three
#   processes side by side) -> frozen features -> fusion heads + baselines -> ONNX export, int8 text
#   encoder, manifest, repository configs, fixtures -> ONNX evaluation -> EVAL.md.
#
#   scripts/sentiment/run.sh           # everything (about 30-40 min on 2 idle CPU cores)
#   scripts/sentiment/run.sh heads     # from the frozen features on
#   scripts/sentiment/run.sh export    # export + evaluation + report from the last run
#
# Environment: DATA_DIR (default .data/sentiment, gitignored), TRAIN_COUNT (7000), NICE (5).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PY=${PYTHON:-/usr/bin/python3}
D=${DATA_DIR:-$ROOT/.data/sentiment}
W=$D/work
N=${TRAIN_COUNT:-7000}
HALF=$((N / 2))
TRAIN_SEED=101
VAL_SEED=202
TEST_SEED=2027
RUN="nice -n ${NICE:-5}"
export OPENBLAS_NUM_THREADS=1
FROM=${1:-all}
stamp() { date -u +%H:%M:%S; }
gen() {
  echo "== $(stamp) generate: train seed $TRAIN_SEED ($N), validation seed $VAL_SEED (1000), test seed $TEST_SEED (2000)"
  $RUN npx tsx scripts/dataset/sentiment.ts --seed $TRAIN_SEED --start 0 --count $HALF --out "$D/train-a" --arrays --no-files --quiet &
  $RUN npx tsx scripts/dataset/sentiment.ts --seed $TRAIN_SEED --start $HALF --count $((N - HALF)) --out "$D/train-b" --arrays --no-files --quiet &
  wait
  $RUN npx tsx scripts/dataset/sentiment.ts --seed $VAL_SEED --count 1000 --out "$D/val" --arrays --no-files --quiet &
  $RUN npx tsx scripts/dataset/sentiment.ts --seed $TEST_SEED --count 2000 --out "$D/test" --arrays --quiet &
  wait
  $RUN "$PY" scripts/sentiment/data.py "$D/train-a" "$D/train-b" "$D/val" "$D/test"
}
encoders() {
  echo "== $(stamp) encoders (text, face, voice side by side; logs in $W)"
  mkdir -p "$W"
  local common=(--train "$D/train-a,$D/train-b" --val "$D/val" --work "$W" --seed $TRAIN_SEED)
  $RUN "$PY" scripts/sentiment/train_encoders.py "${common[@]}" --batch 64 --only text --steps-text 500 > "$W/text.log" 2>&1 &
  $RUN "$PY" scripts/sentiment/train_encoders.py "${common[@]}" --batch 64 --only face --steps-face 900 > "$W/face.log" 2>&1 &
  $RUN "$PY" scripts/sentiment/train_encoders.py "${common[@]}" --batch 48 --only audio --steps-audio 450 > "$W/audio.log" 2>&1 &
  wait
  tail -n 1 "$W/text.log" "$W/face.log" "$W/audio.log"
  $RUN "$PY" scripts/sentiment/train_encoders.py "${common[@]}" --only dump --dump test="$D/test"
}
heads() {
  echo "== $(stamp) heads + baselines (two processes side by side)"
  local common=(--work "$W" --train "$D/train-a,$D/train-b" --val "$D/val" --test "$D/test" --seed $TRAIN_SEED)
  $RUN "$PY" scripts/sentiment/heads.py "${common[@]}" --fusions attention --steps 800 --early-steps 600 --tag a > "$W/heads-a.log" 2>&1 &
  $RUN "$PY" scripts/sentiment/heads.py "${common[@]}" --fusions concat,tensor,lmf,gated --steps 1000 --baselines off --tag b > "$W/heads-b.log" 2>&1 &
  wait
  cat "$W/heads-a.log" "$W/heads-b.log" | grep -v " step "
  "$PY" scripts/sentiment/heads.py merge "$W" a b
}
export_all() {
  echo "== $(stamp) export"
  $RUN "$PY" scripts/sentiment/export.py --work "$W" --suite models/sentiment --repository models/repository \
    --fixtures test/sentiment/fixtures --fixture-data "$D/test" 2>&1 | grep -v -i "warn\|_C._jit\|^ *$" || true
  test -f models/sentiment/manifest.json
  # heads pre-optimised for onnxruntime-web (same outputs, faster load at the edge)
  $RUN npx tsx scripts/optimize/optimize-edge-models.ts models/sentiment
  # then int8 weights: a quarter of the bytes for the edge to read (docs/ort-in-workerd.md)
  $RUN npx tsx scripts/quantize/quantize-heads.ts models/sentiment
  echo "== $(stamp) evaluate the ONNX files (int8 text) on seed $TEST_SEED"
  $RUN npx tsx scripts/sentiment/eval-onnx.ts --data "$D/test" --out models/sentiment/eval-served.json
  local http=()
  if [ -f models/sentiment/eval-http.json ]; then http=(--http models/sentiment/eval-http.json); fi
  if [ -f models/sentiment/eval-served-http-samples.json ]; then http+=(--http-offline models/sentiment/eval-served-http-samples.json); fi
  "$PY" scripts/sentiment/report.py --work "$W" --suite models/sentiment --served models/sentiment/eval-served.json "${http[@]}"
}
case "$FROM" in
  all) gen; encoders; heads; export_all ;;
  encoders) encoders; heads; export_all ;;
  heads) heads; export_all ;;
  export) export_all ;;
  *) echo "usage: $0 [all|encoders|heads|export]" >&2; exit 2 ;;
esac
echo "== $(stamp) done (HTTP evaluation: npx tsx scripts/sentiment/eval-http.ts)"
