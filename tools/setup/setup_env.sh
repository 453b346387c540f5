#!/usr/bin/env bash
# Create or update .venv with the OpenMMLab stack (called by `make setup`).
#
# Two stacks (docs/user_guides/install.md):
#  * TORCH=pinned (default, what CI tests): Python 3.11, the exact pins of
#    requirements/torch.txt and requirements/runtime.txt (numpy 1.26).
#  * TORCH=system: the interpreter named by PYTHON (3.10-3.12) and the torch,
#    numpy, OpenCV, SciPy, Matplotlib and Pillow its environment already has
#    (e.g. PYTHON=python3.12 TORCH=system on a CUDA machine with numpy 2). The
#    venv sees the system packages; requirements/system.txt adds what is missing,
#    and what has no wheel for that Python (mmcv, xtcocotools) is built against
#    that torch and numpy.
# PIP_ARGS is passed to every pip install (the device kit: --no-index --find-links DIR).
#
# Idempotent: when the requirement files have not changed since the last
# successful run (stamp file) and the stack imports, it returns in seconds.
# The one slow step, building mmcv 2.1.0's compiled ops, runs once per machine
# and stack: the wheel is kept in $HYBRIDMATCH_WHEEL_CACHE (default
# ~/.cache/hybridmatch-mmpose/wheels), so a fresh clone installs it in seconds.
set -euo pipefail

cd "$(dirname "$0")/../.."
VENV=${VENV:-.venv}
TORCH=${TORCH:-pinned}
PIP_ARGS=${PIP_ARGS:-}
PIP="$VENV/bin/pip --disable-pip-version-check -q"
STAMP="$VENV/.hybridmatch-setup.stamp"

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

case "$TORCH" in
    pinned) PY_BIN=${PYTHON:-python3.11} ;;
    system) PY_BIN=${PYTHON:-python3} ;;
    *) die "TORCH must be 'pinned' (Python 3.11 and the pinned torch) or 'system' (the torch of PYTHON's environment), not '$TORCH'" ;;
esac

stamp_of() {
    { cat requirements/*.txt setup.py tools/setup/setup_env.sh tools/setup/build_mmcv.sh; echo "$TORCH $PY_BIN"; } \
        | sha256sum | cut -d' ' -f1
}

stack_imports() {
    "$VENV/bin/python" - <<'PYEOF' >/dev/null 2>&1
import mmcv.ops, mmdet, mmpose.models, xtcocotools.coco, torchvision  # noqa
import hybridmatch_mmpose  # noqa
PYEOF
}

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$(stamp_of)" ]] && stack_imports; then
    say "environment in $VENV is up to date"
    exit 0
fi

if [[ "$TORCH" == pinned ]]; then
    command -v "$PY_BIN" >/dev/null || PY_BIN=python3
    "$PY_BIN" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null \
        || die "Python 3.11 is required for the pinned stack (found: $("$PY_BIN" --version 2>&1)); set PYTHON=/path/to/python3.11, or use the torch of another Python with TORCH=system PYTHON=..."
else
    command -v "$PY_BIN" >/dev/null || die "PYTHON=$PY_BIN: no such interpreter"
    "$PY_BIN" -c 'import sys; assert (3, 10) <= sys.version_info[:2] <= (3, 12)' 2>/dev/null \
        || die "TORCH=system needs Python 3.10-3.12 (found: $("$PY_BIN" --version 2>&1))"
    "$PY_BIN" -c 'import torch, torchvision, numpy, cv2' 2>/dev/null \
        || die "TORCH=system: $PY_BIN cannot import torch, torchvision, numpy and cv2; install them in its environment (or use the pinned stack: make setup without TORCH)"
fi

if [[ ! -x "$VENV/bin/python" ]]; then
    say "creating $VENV ($TORCH stack, $("$PY_BIN" --version 2>&1))"
    if [[ "$TORCH" == system ]]; then
        "$PY_BIN" -m venv --system-site-packages "$VENV"
    else
        "$PY_BIN" -m venv "$VENV"
    fi
fi

if [[ "$TORCH" == pinned ]]; then
    say "installing torch + torchvision (requirements/torch.txt)"
    $PIP install $PIP_ARGS -r requirements/torch.txt
    say "installing runtime, build, test and export requirements"
    $PIP install $PIP_ARGS -r requirements/build.txt -r requirements/runtime.txt -r requirements/tests.txt \
        -r requirements/export.txt
else
    "$VENV/bin/python" -c 'import torch, numpy; print("[setup] system torch", torch.__version__, "| numpy", numpy.__version__)'
    say "installing what the environment lacks (requirements/system.txt; xtcocotools is built from its sdist where it has no wheel)"
    # mmcv's setup.py imports pkg_resources: setuptools<70 in the venv, over the system's
    $PIP install $PIP_ARGS 'setuptools<70' wheel ninja
    $PIP install $PIP_ARGS --no-deps -r requirements/system.txt
fi

if ! "$VENV/bin/python" -c 'import mmcv.ops' >/dev/null 2>&1; then
    VENV="$VENV" bash tools/setup/build_mmcv.sh
fi

say "installing mmdet and mmpose without their dependency lists (requirements/openmmlab.txt)"
$PIP install $PIP_ARGS --no-deps -r requirements/openmmlab.txt
say "installing hybridmatch_mmpose in editable mode"
$PIP install $PIP_ARGS --no-deps --no-build-isolation -e .

"$VENV/bin/python" - <<'PYEOF' || die "the stack does not import; see the traceback above"
import mmcv, mmcv.ops, mmdet, mmengine, mmpose, mmpose.models, numpy, torch, torchvision
import hybridmatch_mmpose
print('[setup] torch', torch.__version__, '| numpy', numpy.__version__, '| mmengine', mmengine.__version__,
      '| mmcv', mmcv.__version__, '| mmdet', mmdet.__version__, '| mmpose', mmpose.__version__,
      '| hybridmatch_mmpose', hybridmatch_mmpose.__version__)
PYEOF
stamp_of > "$STAMP"
say "done"
