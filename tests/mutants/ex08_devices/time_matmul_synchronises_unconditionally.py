"""Calls torch.cuda.synchronize() whatever the device: a machine without CUDA raises."""
import statistics
import time

import torch

from grading.references.ex08_devices import on_gpus_here

CAUGHT_BY = ["test_time_matmul_returns"] + on_gpus_here("test_time_matmul_on_each_gpu_here", kinds=("mps",))
MESSAGE = "synchronise only when"


def time_matmul(n, device, repeats=10):
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    a @ b
    torch.cuda.synchronize()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        torch.cuda.synchronize()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)
