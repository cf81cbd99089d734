"""Asks for MPS before CUDA, so a machine with both gets MPS."""
import torch

CAUGHT_BY = ["test_pick_device_prefers"]
MESSAGE = "check CUDA first"


def pick_device(prefer=None):
    if prefer is None:
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    wanted = torch.device(prefer)
    if wanted.type == "cpu" or wanted.type == "mps" and torch.backends.mps.is_available() \
            or wanted.type == "cuda" and (wanted.index or 0) < torch.cuda.device_count():
        return wanted
    available = ["cpu"] + [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    available += ["mps"] if torch.backends.mps.is_available() else []
    raise ValueError(f"{prefer} is not available; choose one of {available}")
