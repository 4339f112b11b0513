"""CUDA and NCCL environment variables set and read from Python."""

import os


def configure(gpus: str) -> None:
    os.environ["CUDA_VISIBLE_DEVICES"] = gpus
    os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True")
    os.environ["NCCL_DEBUG"] = "WARN"
    if os.environ.get("CUDA_LAUNCH_BLOCKING") == "1":
        print("synchronous kernel launches: slow")


def toolkit_root() -> str | None:
    return os.getenv("CUDA_HOME")
