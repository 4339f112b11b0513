"""A small mixed-precision training loop written for one NVIDIA GPU.

porter's neutral port of this file must still run on a CPU-only PyTorch
(tests/test_port_runs_on_cpu.py); the original needs CUDA.
"""

import torch
from torch import nn


class TinyNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


def batch(step: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(step)
    x = torch.randn(32, 16, generator=g)
    return x.to("cuda", non_blocking=True), x.sum(dim=1, keepdim=True).cuda()


def main() -> None:
    torch.manual_seed(0)
    torch.cuda.manual_seed_all(0)
    if torch.cuda.is_available():
        torch.backends.cudnn.benchmark = True

    model = TinyNet().cuda()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    scaler = torch.cuda.amp.GradScaler()
    probe = torch.zeros(1, device="cuda")

    first = last = None
    for step in range(20):
        x, y = batch(step)
        opt.zero_grad(set_to_none=True)
        with torch.cuda.amp.autocast():
            loss = nn.functional.mse_loss(model(x).float(), y)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        first = loss.item() if first is None else first
        last = loss.item()

    with torch.no_grad(), torch.amp.autocast("cuda"):
        eval_loss = nn.functional.mse_loss(model(x).float(), y).item()
    if torch.cuda.is_available():
        print(f"peak memory {torch.cuda.max_memory_allocated() / 2**20:.1f} MiB")
    print(f"device {probe.device.type} loss {first:.4f} -> {last:.4f} eval {eval_loss:.4f}")
    assert last < first, "training did not reduce the loss"


if __name__ == "__main__":
    main()
