#!/usr/bin/env bash
# Comments never count: nvidia-smi, CUDA_VISIBLE_DEVICES=0, docker run --gpus all
set -euo pipefail
export CUDA_HOME="${CUDA_HOME:-/usr/local/cuda-12.1}"
export PATH=/usr/local/cuda-12.1/bin:$PATH LD_LIBRARY_PATH="/usr/local/cuda-12.1/lib64:${LD_LIBRARY_PATH:-}"
echo 'nvidia-smi is quoted here, and so is $CUDA_VISIBLE_DEVICES'
GPUS=$(nvidia-smi --query-gpu=index --format=csv,noheader | wc -l)
CUDA_VISIBLE_DEVICES=0,1 python train.py --gpus "$GPUS"
nvidia-smi
if command -v nvcc >/dev/null; then nvcc --version; fi
docker run --rm --gpus all \
    -e NVIDIA_VISIBLE_DEVICES=all \
    nvcr.io/nvidia/pytorch:24.05-py3 python -c 'import torch'
docker run --gpus '"device=0,1"' --runtime=nvidia nvidia/cuda:12.1.1-base-ubuntu22.04 true
pip install --index-url https://download.pytorch.org/whl/cu121 torch==2.3.0
cat <<'EOF2' > job.sh
#!/bin/bash
export NCCL_SOCKET_IFNAME=eth0
nvidia-smi
EOF2
sudo apt-get install -y cuda-toolkit-12-1
