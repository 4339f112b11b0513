#!/usr/bin/env bash
# Architecture lists: the value changes with the name; quotes and separators are kept.
set -euo pipefail
export TORCH_CUDA_ARCH_LIST="8.0;9.0"
export TORCH_CUDA_ARCH_LIST='7.5 8.0+PTX'
export TORCH_CUDA_ARCH_LIST=9.0
TORCH_CUDA_ARCH_LIST=8.6 MAX_JOBS=8 python setup.py build_ext
env TORCH_CUDA_ARCH_LIST="8.0 9.0" pip install --no-build-isolation .
export TORCH_CUDA_ARCH_LIST="${ARCHS:-8.0}"
declare -x TORCH_CUDA_ARCH_LIST=
export MAX_JOBS="8.0"
echo "building for $TORCH_CUDA_ARCH_LIST"
