"""The "cuda" device string in many positions, and strings that only look like it."""

import argparse

import torch

DEFAULT_DEVICE = "cuda"


def move(x: torch.Tensor, rank: int) -> torch.Tensor:
    y = x.to("cuda")
    z = x.to(device="cuda:0", non_blocking=True)
    w = x.to(f"cuda:{rank}")
    return y + z + w


def make(rank: int, device: str = "cuda") -> torch.Tensor:
    a = torch.zeros(3, device="cuda")
    b = torch.ones(3, device=torch.device("cuda", rank))
    c = torch.empty(3, device=device)
    return a + b + c


def load(path: str):
    return torch.load(path, map_location="cuda")


def pick() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def on_gpu(x: torch.Tensor) -> bool:
    return x.device.type == "cuda"


def options() -> dict:
    return {"device": "cuda", "log": "cuda kernels are warm"}


def not_devices() -> None:
    # None of these is a device: a log line, a flag name, a key and a CUDA API name.
    print("moving the model to cuda")
    parser = argparse.ArgumentParser()
    parser.add_argument("--cuda", action="store_true", help="train on cuda")
    settings = {"cuda_graphs": True}
    api = "cudaMalloc"
    print(parser, settings, api)
