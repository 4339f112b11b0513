#!/usr/bin/env bash
# Architecture lists: the value changes with the name; quotes and separators are kept.
set -euo pipefail
export PYTORCH_ROCM_ARCH="gfx90a;gfx942"
export PYTORCH_ROCM_ARCH='gfx90a gfx942'
export PYTORCH_ROCM_ARCH="gfx90a;gfx942"
PYTORCH_ROCM_ARCH="gfx90a;gfx942" MAX_JOBS=8 python setup.py build_ext
env PYTORCH_ROCM_ARCH="gfx90a gfx942" pip install --no-build-isolation .
export PYTORCH_ROCM_ARCH="${ARCHS:-8.0}"
declare -x PYTORCH_ROCM_ARCH=
export MAX_JOBS="8.0"
echo "building for $PYTORCH_ROCM_ARCH"
