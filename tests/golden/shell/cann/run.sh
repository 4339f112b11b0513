#!/usr/bin/env bash
# Comments never count: nvidia-smi, CUDA_VISIBLE_DEVICES=0, docker run --gpus all
set -euo pipefail
export ASCEND_HOME_PATH="${ASCEND_HOME_PATH:-/usr/local/cuda-12.1}"
export PATH=/usr/local/cuda-12.1/bin:$PATH LD_LIBRARY_PATH="/usr/local/cuda-12.1/lib64:${LD_LIBRARY_PATH:-}"
echo 'nvidia-smi is quoted here, and so is $CUDA_VISIBLE_DEVICES'
GPUS=$(nvidia-smi --query-gpu=index --format=csv,noheader | wc -l)
ASCEND_RT_VISIBLE_DEVICES=0,1 python train.py --gpus "$GPUS"
npu-smi info
if command -v nvcc >/dev/null; then nvcc --version; fi
docker run --rm --device=/dev/davinci0 --device=/dev/davinci_manager --device=/dev/devmm_svm --device=/dev/hisi_hdc -v /usr/local/dcmi:/usr/local/dcmi -v /usr/local/bin/npu-smi:/usr/local/bin/npu-smi -v /usr/local/Ascend/driver:/usr/local/Ascend/driver \
    -e NVIDIA_VISIBLE_DEVICES=all \
    quay.io/ascend/cann:9.1.0-910b-ubuntu22.04-py3.12 python -c 'import torch'
docker run --device=/dev/davinci0 --device=/dev/davinci_manager --device=/dev/devmm_svm --device=/dev/hisi_hdc -v /usr/local/dcmi:/usr/local/dcmi -v /usr/local/bin/npu-smi:/usr/local/bin/npu-smi -v /usr/local/Ascend/driver:/usr/local/Ascend/driver --runtime=nvidia quay.io/ascend/cann:9.1.0-910b-ubuntu22.04-py3.12 true
pip install --index-url https://download.pytorch.org/whl/cu121 torch==2.3.0
cat <<'EOF2' > job.sh
#!/bin/bash
export HCCL_SOCKET_IFNAME=eth0
npu-smi info
EOF2
sudo apt-get install -y cuda-toolkit-12-1
