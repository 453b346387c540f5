#!/usr/bin/env bash
# The C++ compiler of mmcv's ninja build (CXX=this, called by build_mmcv.sh).
#
# 63 of mmcv's 77 sources open with `#include "pytorch_cpp_helper.hpp"`, which
# pulls in torch/types.h: parsing it is most of each object's compile time.
# On the first compile, this wrapper precompiles that header once, with the
# very flags ninja passes for the object (GCC uses a precompiled header only
# when they match), next to the header, where GCC looks for it. Every later
# compile then loads it instead of parsing it again; the sources that open
# with something else are compiled as before. What is compiled is unchanged:
# GCC uses a precompiled header exactly as if the header were parsed.
#
# Env: PCH_HEADER  the header to precompile (absolute path); unset: plain c++.
#      PCH_REAL_CXX the compiler (default c++).
# A precompiled header that fails to build only costs time: the objects are
# compiled without it (and -Winvalid-pch says so in the build log).
set -uo pipefail

real=${PCH_REAL_CXX:-c++}
header=${PCH_HEADER:-}
compiles=0
for a in "$@"; do [[ "$a" == -c ]] && compiles=1; done
if [[ -z "$header" || $compiles == 0 ]]; then
    exec "$real" "$@"
fi

gch="$header.gch"
if [[ ! -e "$gch" && ! -e "$gch.failed" ]]; then
    # the object's flags, with the source, object and dependency file
    # replaced by the header and its precompiled output
    pch_args=()
    skip=0
    for a in "$@"; do
        if (( skip )); then skip=0; continue; fi
        case "$a" in
            -c) ;;
            -o|-MF) skip=1 ;;
            -MMD) ;;
            *.cpp|*.cc|*.cxx) ;;
            *) pch_args+=("$a") ;;
        esac
    done
    (
        flock 9
        if [[ ! -e "$gch" && ! -e "$gch.failed" ]]; then
            if "$real" "${pch_args[@]}" -x c++-header "$header" -o "$gch.tmp"; then
                mv "$gch.tmp" "$gch"
            else
                rm -f "$gch.tmp"
                touch "$gch.failed"
            fi
        fi
    ) 9>"$gch.lock"
fi
exec "$real" "$@" -Winvalid-pch
