#!/usr/bin/env bash
# Build (once per machine) and install full mmcv 2.1.0 with its compiled ops.
#
# Why a build: MMPose's model registry imports mmcv.ops (mmcv-lite cannot import
# mmpose.models) and PyPI has no mmcv 2.1.0 wheel for this torch. Two traps:
#  * mmcv's setup.py imports pkg_resources: build with setuptools<70 and no build isolation;
#  * it compiles with -std=c++14/17 while torch >= 2.10 headers need C++20
#    ("#error C++20 or later compatible compiler is required to use ATen"):
#    the sdist is patched to -std=c++20 before building.
# How it is compiled (MMCV_BUILD=fast, the default; docs/user_guides/install.md):
#  * -g0: no debug information (Python's own CFLAGS carry -g, which makes every
#    object and the link about 1.5x slower and the wheel 3x larger);
#  * torch's headers are parsed once: tools/setup/pch_cxx.sh precompiles the
#    header 63 of the 77 sources open with. Same sources, same -O3, same ops;
#  * the longest object (pybind.cpp) is started first rather than last.
# MMCV_BUILD=stock builds as pip would (for the side-by-side timing in
# tools/benchmarks/mmcv_build_time.py). MAX_JOBS: parallel compiles (default: cores);
# MMCV_INSTALL=0 builds the wheel without installing it; MMCV_CUDA=1 also compiles
# mmcv's CUDA kernels (on a machine whose torch sees a GPU).
# Progress (objects compiled of the total, elapsed, estimate) is shown as it
# builds; the full log is kept in the cache folder.
# The wheel is cached in $HYBRIDMATCH_WHEEL_CACHE so later clones install it in seconds.
set -euo pipefail

VENV=${VENV:-.venv}
here=$(cd "$(dirname "$0")" && pwd)
CACHE=${HYBRIDMATCH_WHEEL_CACHE:-$HOME/.cache/hybridmatch-mmpose/wheels}
PIP="$VENV/bin/pip --disable-pip-version-check -q"
say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# one wheel per Python, torch and op set: a wheel built against another torch does not load
ops=cpu; [[ "${MMCV_CUDA:-0}" == 1 ]] && ops=cuda
CACHE="$CACHE/$("$VENV/bin/python" -c 'import sys, torch; print("cp%d%d-torch%s" % (sys.version_info[:2] + (torch.__version__.split("+")[0],)))')-$ops"
mkdir -p "$CACHE"
wheel=$(ls "$CACHE"/mmcv-2.1.0-*.whl 2>/dev/null | head -n 1 || true)
if [[ -z "$wheel" ]]; then
    command -v g++ >/dev/null || die "no C++ compiler found: mmcv 2.1.0 must be built from source. Install one (Debian/Ubuntu: apt-get install -y build-essential) and run 'make setup' again."
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    jobs=${MAX_JOBS:-$(nproc 2>/dev/null || echo 2)}
    say "building mmcv 2.1.0 with ops from its sdist (once per machine; ${MMCV_BUILD:-fast} build, $jobs parallel compiles, about 1.5 GB of RAM each)"
    $PIP download ${PIP_ARGS:-} --no-deps --no-build-isolation --no-binary :all: mmcv==2.1.0 -d "$work" \
        || die "could not download the mmcv 2.1.0 sdist from PyPI"
    tar -xzf "$work"/mmcv-2.1.0.tar.gz -C "$work"
    sed -i 's/-std=c++1[47]/-std=c++20/g' "$work"/mmcv-2.1.0/setup.py
    if [[ "${MMCV_BUILD:-fast}" == fast ]]; then
        # ninja starts the objects in the listed order: the longest one (the
        # Python bindings, 3-4x any other) first, not last, so no core idles
        # at the end waiting for it
        sed -i 's/^        ext_ops = extension($/        op_files.sort(key=lambda f: not f.endswith("pybind.cpp"))\n&/' \
            "$work"/mmcv-2.1.0/setup.py
        grep -q 'op_files.sort' "$work"/mmcv-2.1.0/setup.py || die "could not patch mmcv's setup.py (build order)"
    fi
    build_env=(MMCV_WITH_OPS=1 MAX_JOBS="$jobs")
    # CPU ops only unless MMCV_CUDA=1: mmcv compiles its CUDA kernels whenever torch sees
    # a GPU, which takes far longer, and no mmcv op runs in this project's models
    [[ $ops == cpu ]] && build_env+=(CUDA_VISIBLE_DEVICES= FORCE_CUDA=0)
    case "${MMCV_BUILD:-fast}" in
        fast) build_env+=(CFLAGS="${CFLAGS:-} -g0"
                          CXX="$here/pch_cxx.sh" PCH_REAL_CXX="${CXX:-c++}"
                          PCH_HEADER="$work/mmcv-2.1.0/mmcv/ops/csrc/common/pytorch_cpp_helper.hpp") ;;
        stock) ;;
        *) die "MMCV_BUILD must be 'fast' or 'stock', not '${MMCV_BUILD}'" ;;
    esac
    log="$CACHE/mmcv-build.log"
    set +o pipefail
    env "${build_env[@]}" "$VENV/bin/pip" --disable-pip-version-check wheel -v --no-build-isolation \
        --no-deps "$work"/mmcv-2.1.0 -w "$CACHE" 2>&1 | "$VENV/bin/python" "$here/build_progress.py" "$log" mmcv
    rc=${PIPESTATUS[0]}
    set -o pipefail
    if [[ $rc != 0 ]]; then
        tail -n 30 "$log" >&2
        die "building mmcv failed (full log: $log). Check that g++ supports C++20 (gcc >= 10) and that 3 GB of RAM are free, then run 'make setup' again."
    fi
    wheel=$(ls "$CACHE"/mmcv-2.1.0-*.whl | head -n 1)
fi
[[ "${MMCV_INSTALL:-1}" == 0 ]] && exit 0  # build only (tools/benchmarks/mmcv_build_time.py)
say "installing $wheel"
$PIP install --no-deps "$wheel"
