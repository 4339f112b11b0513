"""Names that spell cuda but are the user's own: none of them is a site."""

from dataclasses import dataclass

import torch


@dataclass
class Config:
    cuda: bool = True
    cuda_graphs: bool = False


class Runner:
    def __init__(self, config: Config) -> None:
        self.cuda = config.cuda
        self.use_cuda = config.cuda and torch.cuda.is_available()

    def cuda(self) -> "Runner":  # the user's method, not Tensor.cuda
        self.cuda_ready = True
        return self


def main(args) -> None:
    cuda = args.cuda
    use_cuda = cuda
    runner = Runner(Config(cuda=use_cuda))
    print(runner, Config.cuda)
