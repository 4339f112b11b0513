"""Version and capability checks that assume CUDA."""

import torch


def describe() -> str:
    if torch.version.cuda is None:
        return "CPU build"
    return f"CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}"


def bf16_ok() -> bool:
    major, _ = torch.cuda.get_device_capability()
    return major >= 8 and torch.cuda.is_bf16_supported()


def needs_new_toolkit() -> bool:
    return tuple(int(p) for p in torch.version.cuda.split(".")) < (11, 8)
