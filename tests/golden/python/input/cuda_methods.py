"""The .cuda() method in its forms, and .is_cuda."""

import torch
from torch import nn


def place(model: nn.Module, x: torch.Tensor, rank: int):
    model = model.cuda()
    x = x.cuda(non_blocking=True)
    y = x.cuda(rank)
    z = x.clone().cuda(device=rank)
    head = nn.Linear(8, 2).cuda().eval()
    return model, x, y, z, head


def check(x: torch.Tensor) -> None:
    if not x.is_cuda:
        raise ValueError("expected a GPU tensor")
