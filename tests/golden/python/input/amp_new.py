"""Mixed precision through the device-generic torch.amp API, told to use CUDA."""

import torch


def train_step(model, batch, opt, scaler) -> float:
    with torch.amp.autocast("cuda", dtype=torch.bfloat16):
        loss = model(batch).mean()
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    return loss.item()


def make_scaler():
    return torch.amp.GradScaler("cuda")


def evaluate(model, batch):
    with torch.autocast(device_type="cuda", enabled=True):
        return model(batch)


def autocast_dtype() -> torch.dtype:
    return torch.get_autocast_gpu_dtype()
