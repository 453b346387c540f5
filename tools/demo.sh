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
# every data set of the config (supervised or semi-supervised layout) -> DATA_ROOT
mapfile -t ROOT_OPTS < <("$PY" tools/misc/data_root_options.py "$CONFIG" "$DATA_ROOT")
if (( ${#ROOT_OPTS[@]} == 0 )); then
    echo "[demo] could not read the data set keys of $CONFIG (see the error above)" >&2
    exit 1
fi

ckpt() { [[ -f "$WORK_DIR/last_checkpoint" ]] && cat "$WORK_DIR/last_checkpoint"; }
# the marker holds the data set's synthface_meta.json: a model trained on
# another data set (e.g. SynthFace-68 made with another --variant) is moved
# aside, never reused and never overwritten
done_marker="$WORK_DIR/.demo-trained"
data_stamp() {
    if [[ -f "${DATA_ROOT}synthface_meta.json" ]]; then cat "${DATA_ROOT}synthface_meta.json"
    else echo "no synthface_meta.json in $DATA_ROOT"; fi
}

if [[ -f "$done_marker" && "$(cat "$done_marker")" != "$(data_stamp)" ]]; then
    stale="${WORK_DIR%/}.stale-$(date +%Y%m%d_%H%M%S)"
    mv "$WORK_DIR" "$stale"
    echo "[demo] the model in $WORK_DIR was trained on another data set than $DATA_ROOT; moved it to $stale and retraining"
fi
if [[ -f "$done_marker" && -f "$(ckpt)" ]]; then
    echo "[demo] reusing the trained model $(ckpt) (make clean-demo to retrain)"
else
    echo "[demo] training $CONFIG on $DATA_ROOT (CPU); log in $WORK_DIR"
    start=$(date +%s)
    "$PY" tools/train.py "$CONFIG" --work-dir "$WORK_DIR" --cfg-options "${ROOT_OPTS[@]}"
    echo "[demo] training took $(( $(date +%s) - start )) s"
    data_stamp > "$done_marker"
fi

echo "[demo] testing $(ckpt)"
rm -rf "$WORK_DIR/test"
"$PY" tools/test.py "$CONFIG" "$(ckpt)" --work-dir "$WORK_DIR/test" \
    --out "$WORK_DIR/test/metrics.json" --dump "$WORK_DIR/test/predictions.pkl" \
    --ced-dir "$WORK_DIR/test/ced" --worst 24 \
    --cfg-options "${ROOT_OPTS[@]}"
rm -rf "$WORK_DIR/overlays"
"$PY" tools/misc/draw_predictions.py "$WORK_DIR/test/predictions.pkl" \
    --out-dir "$WORK_DIR/overlays" --num 24
echo "[demo] test set NME / FR / AUC (%):"
"$PY" tools/misc/print_metrics.py "$WORK_DIR/test/metrics.json" \
    --reference "${DEMO_REFERENCE:-docs/results/synthface_reference.json}"
"$PY" tools/analysis/plot_train_log.py "$WORK_DIR" --out "$WORK_DIR/train_log.png"
echo "[demo] overlays: $WORK_DIR/overlays/contact_sheet.png and one image per face"
echo "[demo] worst 24 faces: $WORK_DIR/test/worst/worst.png; CED: $WORK_DIR/test/ced/ced.png; training log: $WORK_DIR/train_log.png"
