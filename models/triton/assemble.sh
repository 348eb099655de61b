#!/usr/bin/env sh
# Assemble a Triton model repository from models/triton/ and the ONNX file models/manifest.json
# names, without keeping a second copy of the model in git.
#
#   models/triton/assemble.sh [OUT_DIR] [--link]
#
# OUT_DIR defaults to .data/triton-repository (git-ignored). The model is copied by default
# because a symlink pointing outside OUT_DIR breaks inside a container's bind mount; --link
# makes a symlink instead (fine for a tritonserver run on the host).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/.data/triton-repository"
MODE=copy
for arg in "$@"; do
  case "$arg" in
    --link) MODE=link ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) OUT="$arg" ;;
  esac
done
MANIFEST="${IMAGE_FEATURES_MANIFEST:-$ROOT/models/repository/soc-image/config.json}"
# File name and sha256 of the image encoder, from the manifest (node is already required here).
eval "$(node -e '
const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
// A v1 manifest image section, or a models/repository/<name>/config.json (integer version folders).
const v = m.version ?? Math.max(...Object.keys(m.versions ?? {}).map(Number));
const s = m.image ?? { file: `${v}/model.onnx`, sha256: m.versions[v].sha256 };
const path = require("path").resolve(require("path").dirname(process.argv[1]), s.file);
console.log(`MODEL=${JSON.stringify(path)}; SHA=${JSON.stringify(s.sha256 || "")}`);
' "$MANIFEST")"
[ -f "$MODEL" ] || { echo "missing $MODEL (train/export it first)" >&2; exit 1; }
ACTUAL=$(sha256sum "$MODEL" | cut -d' ' -f1)
if [ -n "$SHA" ] && [ "$ACTUAL" != "$SHA" ]; then
  echo "sha256 of $MODEL is $ACTUAL, manifest says $SHA" >&2
  exit 1
fi
mkdir -p "$OUT/image-encoder/1"
cp "$ROOT/models/triton/image-encoder/config.pbtxt" "$OUT/image-encoder/config.pbtxt"
rm -f "$OUT/image-encoder/1/model.onnx"
if [ "$MODE" = link ]; then ln -s "$MODEL" "$OUT/image-encoder/1/model.onnx"; else cp "$MODEL" "$OUT/image-encoder/1/model.onnx"; fi
echo "Triton model repository ready at $OUT ($MODE of $MODEL, sha256 $ACTUAL)"
find "$OUT" | sort
