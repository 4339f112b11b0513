"""torch.cuda reached through aliases."""

import torch as T
import torch.cuda as tc
from torch import cuda
from torch.cuda import synchronize as sync


def timed(fn):
    start = T.cuda.Event(enable_timing=True)
    end = T.cuda.Event(enable_timing=True)
    start.record()
    fn()
    end.record()
    sync()
    return start.elapsed_time(end)


def report() -> str:
    if not cuda.is_available():
        return "no GPU"
    return f"{tc.device_count()} GPUs, {cuda.memory_allocated() / 2**20:.0f} MiB in use"


def to_gpu(x: T.Tensor) -> T.Tensor:
    return x.to(T.device("cuda"))
