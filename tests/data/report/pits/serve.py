# ruff: noqa
"""Inference helpers that lean on NVIDIA-only Python APIs (test input; never imported)."""
import tensorrt as trt
import torch
from torch.utils.cpp_extension import load

ops = load(name="ops", sources=["advanced.cu"])

jiterator = torch.cuda.jiterator  # no XPU or NPU twin
torch.backends.cuda.matmul.allow_tf32 = True


def build_engine(onnx_path):
    logger = trt.Logger(trt.Logger.WARNING)
    return trt.Builder(logger)
