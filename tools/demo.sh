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
           val_evaluator.data_root="$DATA_ROOT"
           test_evaluator.data_root="$DATA_ROOT")

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
    --out "$WORK_DIR/test/metrics.json" --show-dir overlays --interval 20 \
    --cfg-options "${ROOT_OPTS[@]}" default_hooks.visualization.kpt_thr=0.0
overlays=$(find "$WORK_DIR/test" -type d -name overlays | head -n 1)
rm -rf "$WORK_DIR/overlays" && mv "$overlays" "$WORK_DIR/overlays"
"$PY" tools/misc/print_metrics.py "$WORK_DIR/test/metrics.json"
echo "[demo] prediction overlays: $WORK_DIR/overlays ($(ls "$WORK_DIR/overlays" | wc -l) images)"
