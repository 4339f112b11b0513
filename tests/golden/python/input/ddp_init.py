"""DistributedDataParallel set-up as torchrun launches it."""

import os

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP


def init_distributed() -> tuple[int, int]:
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
    if not dist.is_nccl_available():
        raise RuntimeError("this build of torch has no NCCL")
    dist.init_process_group(backend="nccl", init_method="env://")
    return dist.get_rank(), local_rank


def wrap(model: torch.nn.Module, local_rank: int) -> DDP:
    model = model.to(torch.device("cuda", local_rank))
    return DDP(model, device_ids=[local_rank], output_device=local_rank)


def sub_groups(world: int) -> list:
    groups = []
    for start in range(0, world, 8):
        groups.append(dist.new_group(list(range(start, start + 8)), backend=dist.Backend.NCCL))
    return groups


def init_positional() -> None:
    dist.init_process_group("nccl")
