"""Times from the very first call, whose start-up cost lands among the timed calls."""
import statistics
import time

import torch

CAUGHT_BY = ["test_time_matmul"]
MESSAGE = "warm-up"


def time_matmul(n, device, repeats=10):
    device = torch.device(device)
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        elif device.type == "mps":
            torch.mps.synchronize()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)
