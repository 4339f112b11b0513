"""CUDA-only libraries, imported where present."""

import torch

try:
    from flash_attn import flash_attn_func
except ImportError:
    flash_attn_func = None

try:
    import xformers.ops as xops
except ImportError:
    xops = None

import bitsandbytes as bnb
import triton
import triton.language as tl
from apex.optimizers import FusedAdam


@triton.jit
def add_kernel(x_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    tl.store(x_ptr + offs, tl.load(x_ptr + offs, mask=mask) + tl.load(y_ptr + offs, mask=mask), mask=mask)


def attention(q, k, v):
    if flash_attn_func is not None:
        return flash_attn_func(q, k, v, causal=True)
    if xops is not None:
        return xops.memory_efficient_attention(q, k, v)
    return torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)


def optimizer(params, eight_bit: bool):
    if eight_bit:
        return bnb.optim.Adam8bit(params, lr=1e-3)
    return FusedAdam(params, lr=1e-3)
