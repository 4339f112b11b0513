#!/usr/bin/env bash
# Comments never count: nvidia-smi, CUDA_VISIBLE_DEVICES=0, docker run --gpus all
set -euo pipefail
export SYCL_HOME="${SYCL_HOME:-/usr/local/cuda-12.1}"
export PATH=/usr/local/cuda-12.1/bin:$PATH LD_LIBRARY_PATH="/usr/local/cuda-12.1/lib64:${LD_LIBRARY_PATH:-}"
echo 'nvidia-smi is quoted here, and so is $CUDA_VISIBLE_DEVICES'
GPUS=$(nvidia-smi --query-gpu=index --format=csv,noheader | wc -l)
ZE_AFFINITY_MASK=0,1 python train.py --gpus "$GPUS"
xpu-smi discovery
if command -v nvcc >/dev/null; then icpx --version; fi
docker run --rm --device=/dev/dri \
    -e NVIDIA_VISIBLE_DEVICES=all \
    intel/intel-extension-for-pytorch:2.8.10-xpu python -c 'import torch'
docker run --device=/dev/dri --runtime=nvidia intel/oneapi-basekit:latest true
pip install --index-url https://download.pytorch.org/whl/cu121 torch==2.3.0
cat <<'EOF2' > job.sh
#!/bin/bash
export NCCL_SOCKET_IFNAME=eth0
xpu-smi discovery
EOF2
sudo apt-get install -y cuda-toolkit-12-1
