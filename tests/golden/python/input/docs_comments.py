"""Helpers that move work to the GPU.

Call ``model.cuda()`` before :func:`step`; on machines without CUDA the
``torch.cuda.synchronize()`` below is skipped. Set CUDA_VISIBLE_DEVICES to choose GPUs.
"""

import torch


def step(model, batch):
    """One step on "cuda": see torch.cuda.amp for mixed precision."""
    # torch.cuda.synchronize()  # kept for profiling, on "cuda" only
    out = model(batch)  # nccl all-reduce happens in DDP hooks
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return out


ERROR = "CUDA out of memory: lower the batch size or use 'cuda:1'"
