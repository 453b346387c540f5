#!/usr/bin/env bash
# On a CUDA machine with Python 3.12 + torch and no internet: install the device kit
# (tools/device/make_kit.py made it), build mmcv with every core, then train and test
# one config on the GPU.
#
#   bash tools/device/install_and_run.sh CONFIG WORK_DIR [--cfg-options KEY=VALUE ...]
#
# The venv (.venv-device, VENV to change) sees the system's torch, numpy and OpenCV
# (TORCH=system in tools/setup/setup_env.sh); the kit's wheels and sdists are the only
# package source (--no-index). The mmcv wheel it builds is cached as on any machine.
# Every step prints its time; the last lines are tools/test.py's metrics.
set -euo pipefail

cd "$(dirname "$0")/../.."
[[ $# -ge 2 ]] || { echo "usage: $0 CONFIG WORK_DIR [--cfg-options ...]" >&2; exit 2; }
CONFIG=$1; WORK=$2; shift 2
KIT=${KIT:-device_kit}
[[ -d "$KIT/wheels" && -d "$KIT/sdists" ]] \
    || { echo "[device] ERROR: no kit at $KIT (make it with: python tools/device/make_kit.py)" >&2; exit 1; }

t0=$(date +%s)
export VENV=${VENV:-.venv-device} TORCH=system PYTHON=${PYTHON:-python3}
export MAX_JOBS=${MAX_JOBS:-$(nproc)}
export PIP_ARGS="--no-index --find-links $KIT/wheels --find-links $KIT/sdists --no-build-isolation"
bash tools/setup/setup_env.sh
echo "[device] environment ready in $(( $(date +%s) - t0 )) s"

t1=$(date +%s)
"$VENV/bin/python" tools/train.py "$CONFIG" --work-dir "$WORK" "$@"
echo "[device] trained in $(( $(date +%s) - t1 )) s"
"$VENV/bin/python" tools/test.py "$CONFIG" "$(cat "$WORK/last_checkpoint")" \
    --work-dir "$WORK/test" --out "$WORK/metrics.json" "$@"
echo "[device] done in $(( $(date +%s) - t0 )) s"
