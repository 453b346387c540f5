#!/usr/bin/env bash
# Build (once per machine) and install full mmcv 2.1.0 with its compiled ops.
#
# Why a build: MMPose's model registry imports mmcv.ops (mmcv-lite cannot import
# mmpose.models) and PyPI has no mmcv 2.1.0 wheel for this torch. Two traps:
#  * mmcv's setup.py imports pkg_resources: build with setuptools<70 and no build isolation;
#  * it compiles with -std=c++14/17 while torch >= 2.10 headers need C++20
#    ("#error C++20 or later compatible compiler is required to use ATen"):
#    the sdist is patched to -std=c++20 before building.
# The wheel is cached in $HYBRIDMATCH_WHEEL_CACHE so later clones install it in seconds.
set -euo pipefail

VENV=${VENV:-.venv}
CACHE=${HYBRIDMATCH_WHEEL_CACHE:-$HOME/.cache/hybridmatch-mmpose/wheels}
PIP="$VENV/bin/pip --disable-pip-version-check -q"
say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

mkdir -p "$CACHE"
wheel=$(ls "$CACHE"/mmcv-2.1.0-*.whl 2>/dev/null | head -n 1 || true)
if [[ -z "$wheel" ]]; then
    command -v g++ >/dev/null || die "no C++ compiler found: mmcv 2.1.0 must be built from source. Install one (Debian/Ubuntu: apt-get install -y build-essential) and run 'make setup' again."
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    say "building mmcv 2.1.0 with ops from its sdist (once per machine; about 6 min on 2 cores, 2.8 GB RAM)"
    $PIP download --no-deps --no-build-isolation --no-binary :all: mmcv==2.1.0 -d "$work" \
        || die "could not download the mmcv 2.1.0 sdist from PyPI"
    tar -xzf "$work"/mmcv-2.1.0.tar.gz -C "$work"
    sed -i 's/-std=c++1[47]/-std=c++20/g' "$work"/mmcv-2.1.0/setup.py
    log="$CACHE/mmcv-build.log"
    if ! MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} $PIP wheel --no-build-isolation --no-deps \
            "$work"/mmcv-2.1.0 -w "$CACHE" >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "building mmcv failed (full log: $log). Check that g++ supports C++20 (gcc >= 10) and that 3 GB of RAM are free, then run 'make setup' again."
    fi
    wheel=$(ls "$CACHE"/mmcv-2.1.0-*.whl | head -n 1)
fi
say "installing $wheel"
$PIP install --no-deps "$wheel"
