#!/usr/bin/env bash
# The main job of `make demo`: train on SynthFace-68 on CPU, test, print the
# NME / FR / AUC table and keep prediction overlays.
# Usage: tools/demo.sh CONFIG WORK_DIR DATA_ROOT
# Idempotent: an existing final checkpoint in WORK_DIR is reused (make clean-demo retrains).
set -euo pipefail
CONFIG=$1
WORK_DIR=$2
DATA_ROOT=${3%/}/
PY=${PY:-.venv/bin/python}
ROOT_OPTS=(train_dataloader.dataset.data_root="$DATA_ROOT"
           val_dataloader.dataset.data_root="$DATA_ROOT"
           test_dataloader.dataset.data_root="$DATA_ROOT"
           val_evaluator.data_root="$DATA_ROOT")
# with --dump, tools/test.py turns test_evaluator into [metric, DumpResults]
TEST_OPTS=(test_dataloader.dataset.data_root="$DATA_ROOT"
           test_evaluator.0.data_root="$DATA_ROOT")

ckpt() { [[ -f "$WORK_DIR/last_checkpoint" ]] && cat "$WORK_DIR/last_checkpoint"; }
done_marker="$WORK_DIR/.demo-trained"

if [[ -f "$done_marker" && -f "$(ckpt)" ]]; then
    echo "[demo] reusing the trained model $(ckpt) (make clean-demo to retrain)"
else
    echo "[demo] training $CONFIG on $DATA_ROOT (CPU); log in $WORK_DIR"
    start=$(date +%s)
    "$PY" tools/train.py "$CONFIG" --work-dir "$WORK_DIR" --cfg-options "${ROOT_OPTS[@]}"
    echo "[demo] training took $(( $(date +%s) - start )) s"
    touch "$done_marker"
fi

echo "[demo] testing $(ckpt)"
rm -rf "$WORK_DIR/test"
"$PY" tools/test.py "$CONFIG" "$(ckpt)" --work-dir "$WORK_DIR/test" \
    --out "$WORK_DIR/test/metrics.json" --dump "$WORK_DIR/test/predictions.pkl" \
    --cfg-options "${TEST_OPTS[@]}"
rm -rf "$WORK_DIR/overlays"
"$PY" tools/misc/draw_predictions.py "$WORK_DIR/test/predictions.pkl" \
    --out-dir "$WORK_DIR/overlays" --num 24
echo "[demo] test set NME / FR / AUC (%):"
"$PY" tools/misc/print_metrics.py "$WORK_DIR/test/metrics.json"
echo "[demo] overlays: $WORK_DIR/overlays/contact_sheet.png and one image per face"
