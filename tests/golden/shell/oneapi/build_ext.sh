#!/usr/bin/env bash
# Architecture lists: the value changes with the name; quotes and separators are kept.
set -euo pipefail
export TORCH_XPU_ARCH_LIST="pvc,bmg"
export TORCH_XPU_ARCH_LIST='pvc,bmg'
export TORCH_XPU_ARCH_LIST=pvc,bmg
TORCH_XPU_ARCH_LIST=pvc,bmg MAX_JOBS=8 python setup.py build_ext
env TORCH_XPU_ARCH_LIST="pvc,bmg" pip install --no-build-isolation .
export TORCH_XPU_ARCH_LIST="${ARCHS:-8.0}"
declare -x TORCH_XPU_ARCH_LIST=
export MAX_JOBS="8.0"
echo "building for $TORCH_XPU_ARCH_LIST"
