"""Mixed precision through the deprecated torch.cuda.amp module."""

import torch
from torch.cuda.amp import GradScaler, autocast


class ScaledMatmul(torch.autograd.Function):
    @staticmethod
    @torch.cuda.amp.custom_fwd
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    @torch.cuda.amp.custom_bwd
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad @ b.t(), a.t() @ grad


def train_step(model, batch, opt, scaler: GradScaler) -> float:
    with autocast():
        loss = model(batch).mean()
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    return loss.item()


def make_scaler() -> torch.cuda.amp.GradScaler:
    return torch.cuda.amp.GradScaler(init_scale=2.0**14)


def evaluate(model, batch):
    with torch.cuda.amp.autocast(dtype=torch.bfloat16):
        return model(batch)
