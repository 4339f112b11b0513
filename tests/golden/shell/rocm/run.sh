#!/usr/bin/env bash
# Comments never count: nvidia-smi, CUDA_VISIBLE_DEVICES=0, docker run --gpus all
set -euo pipefail
export ROCM_PATH="${ROCM_PATH:-/opt/rocm}"
export PATH=/opt/rocm/bin:$PATH LD_LIBRARY_PATH="/opt/rocm/lib:${LD_LIBRARY_PATH:-}"
echo 'nvidia-smi is quoted here, and so is $CUDA_VISIBLE_DEVICES'
GPUS=$(nvidia-smi --query-gpu=index --format=csv,noheader | wc -l)
HIP_VISIBLE_DEVICES=0,1 python train.py --gpus "$GPUS"
rocm-smi
if command -v hipcc >/dev/null; then hipcc --version; fi
docker run --rm --device=/dev/kfd --device=/dev/dri --group-add video \
    -e NVIDIA_VISIBLE_DEVICES=all \
    rocm/pytorch:latest python -c 'import torch'
docker run --device=/dev/kfd --device=/dev/dri --group-add video --runtime=nvidia rocm/dev-ubuntu-22.04:latest true
pip install --index-url https://download.pytorch.org/whl/cu121 torch==2.3.0
cat <<'EOF2' > job.sh
#!/bin/bash
export NCCL_SOCKET_IFNAME=eth0
rocm-smi
EOF2
sudo apt-get install -y cuda-toolkit-12-1
