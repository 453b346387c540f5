#!/usr/bin/env bash
# Create or update .venv with the pinned OpenMMLab stack (called by `make setup`).
#
# Idempotent: when the requirement files have not changed since the last
# successful run (stamp file) and the stack imports, it returns in seconds.
# The one slow step, building mmcv 2.1.0's compiled ops, runs once per machine:
# the wheel is kept in $HYBRIDMATCH_WHEEL_CACHE (default ~/.cache/hybridmatch-mmpose/wheels),
# so a fresh clone on the same machine installs it in seconds.
set -euo pipefail

cd "$(dirname "$0")/../.."
VENV=${VENV:-.venv}
PY_BIN=${PYTHON:-python3.11}
PIP="$VENV/bin/pip --disable-pip-version-check -q"
STAMP="$VENV/.hybridmatch-setup.stamp"

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

stamp_of() {
    cat requirements/*.txt setup.py tools/setup/setup_env.sh tools/setup/build_mmcv.sh | sha256sum | cut -d' ' -f1
}

stack_imports() {
    "$VENV/bin/python" - <<'EOF' >/dev/null 2>&1
import mmcv.ops, mmdet, mmpose.models, xtcocotools.coco, torchvision, onnxruntime  # noqa
import hybridmatch_mmpose  # noqa
EOF
}

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$(stamp_of)" ]] && stack_imports; then
    say "environment in $VENV is up to date"
    exit 0
fi

command -v "$PY_BIN" >/dev/null || PY_BIN=python3
"$PY_BIN" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null \
    || die "Python 3.11 is required (found: $("$PY_BIN" --version 2>&1)); set PYTHON=/path/to/python3.11"

if [[ ! -x "$VENV/bin/python" ]]; then
    say "creating $VENV"
    "$PY_BIN" -m venv "$VENV"
fi

say "installing torch + torchvision (requirements/torch.txt)"
$PIP install -r requirements/torch.txt
say "installing runtime, build, test and export requirements"
$PIP install -r requirements/build.txt -r requirements/runtime.txt -r requirements/tests.txt \
    -r requirements/export.txt

if ! "$VENV/bin/python" -c 'import mmcv.ops' >/dev/null 2>&1; then
    VENV="$VENV" bash tools/setup/build_mmcv.sh
fi

say "installing mmdet and mmpose without their dependency lists (requirements/openmmlab.txt)"
$PIP install --no-deps -r requirements/openmmlab.txt
say "installing hybridmatch_mmpose in editable mode"
$PIP install --no-deps --no-build-isolation -e .

"$VENV/bin/python" - <<'EOF' || die "the stack does not import; see the traceback above"
import mmcv, mmcv.ops, mmdet, mmengine, mmpose, mmpose.models, torch, torchvision
import hybridmatch_mmpose
print('[setup] torch', torch.__version__, '| mmengine', mmengine.__version__, '| mmcv', mmcv.__version__,
      '| mmdet', mmdet.__version__, '| mmpose', mmpose.__version__, '| hybridmatch_mmpose', hybridmatch_mmpose.__version__)
EOF
stamp_of > "$STAMP"
say "done"
