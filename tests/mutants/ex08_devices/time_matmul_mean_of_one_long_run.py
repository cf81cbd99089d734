"""Times all repeats at once and divides: the mean, which one slow call pulls up."""
import time

import torch

CAUGHT_BY = ["test_time_matmul_returns", "test_time_matmul_synchronises"]
MESSAGE = "mean"


def time_matmul(n, device, repeats=10):
    device = torch.device(device)
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)

    def wait():
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        elif device.type == "mps":
            torch.mps.synchronize()

    a @ b
    wait()
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    wait()
    return (time.perf_counter() - start) / repeats
