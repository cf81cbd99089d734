"""Calls torch.cuda.synchronize() whatever the device: a machine without CUDA raises.

(On a Mac, whose GPU is MPS, the test on each GPU here catches it too.)
"""
import statistics
import time

import torch

CAUGHT_BY = ["test_time_matmul_returns"]
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
