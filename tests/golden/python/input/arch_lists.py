"""Architecture lists for the extension build, set from Python: the values change with the name."""

import os
import subprocess

os.environ.setdefault("TORCH_CUDA_ARCH_LIST", "8.0;9.0")


def build(archs: str) -> None:
    os.environ["TORCH_CUDA_ARCH_LIST"] = "7.5 8.0 8.6+PTX"
    os.putenv("TORCH_CUDA_ARCH_LIST", '9.0a')
    os.environ["TORCH_CUDA_ARCH_LIST"] = archs  # a variable: kept, with a note
    os.environ["TORCH_CUDA_ARCH_LIST"] = "native"  # not a list of sm numbers: kept
    os.environ["MAX_JOBS"] = "8.0"  # not an architecture list: untouched
    env = {**os.environ, "TORCH_CUDA_ARCH_LIST": "8.0;9.0", "MAX_JOBS": "4"}
    subprocess.run(["python", "setup.py", "build_ext"], env=env, check=True)


def configured() -> str:
    return os.environ.get("TORCH_CUDA_ARCH_LIST", "8.0")
