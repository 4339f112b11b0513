"""porter: find, port and price NVIDIA CUDA lock-in in PyTorch/CUDA repositories."""

__version__ = "0.1.0"
