"""GPU inventory from nvidia-smi and NVML."""

import subprocess

import pynvml


def gpu_names() -> list[str]:
    out = subprocess.run(
        ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
        capture_output=True, text=True, check=True,
    ).stdout
    return out.strip().splitlines()


def driver() -> str:
    return subprocess.check_output("nvidia-smi --query-gpu=driver_version --format=csv,noheader", shell=True).decode()


def free_memory(index: int) -> int:
    pynvml.nvmlInit()
    handle = pynvml.nvmlDeviceGetHandleByIndex(index)
    return pynvml.nvmlDeviceGetMemoryInfo(handle).free
