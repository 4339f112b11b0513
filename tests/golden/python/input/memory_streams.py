"""Streams, events, graphs, memory statistics and NVTX ranges."""

import torch


def overlap(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    side = torch.cuda.Stream()
    with torch.cuda.stream(side):
        c = a * 2
    torch.cuda.current_stream().wait_stream(side)
    done = torch.cuda.Event()
    done.record()
    done.synchronize()
    return c + b


def capture(model, static_in):
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        static_out = model(static_in)
    return graph, static_out


def memory_report() -> str:
    torch.cuda.nvtx.range_push("report")
    used = torch.cuda.memory_allocated()
    peak = torch.cuda.max_memory_allocated()
    free, total = torch.cuda.mem_get_info()
    torch.cuda.reset_peak_memory_stats()
    torch.cuda.empty_cache()
    torch.cuda.nvtx.range_pop()
    return f"{used} {peak} {free}/{total} {torch.cuda.memory_summary()}"
