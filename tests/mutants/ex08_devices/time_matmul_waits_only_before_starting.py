"""Synchronises before starting the clock but not before stopping it."""
import statistics
import time

import torch

CAUGHT_BY = ["test_time_matmul_synchronises", "test_time_matmul_on_each_gpu_here"]
MESSAGE = "still running"


def time_matmul(n, device, repeats=10):
    device = torch.device(device)
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    a @ b
    seconds = []
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        a @ b
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)
