"""Times each call without waiting for the GPU: on a GPU that measures only the queueing."""
import statistics
import time

import torch

CAUGHT_BY = ["test_time_matmul_synchronises", "test_time_matmul_on_each_gpu_here"]
MESSAGE = "never synchronised"


def time_matmul(n, device, repeats=10):
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    a @ b
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)
