"""Raises ValueError, but its message does not say which devices there are."""
import torch

CAUGHT_BY = ["test_pick_device_rejects"]
MESSAGE = "devices that are available"


def pick_device(prefer=None):
    cuda, mps = torch.cuda.is_available(), torch.backends.mps.is_available()
    if prefer is None:
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    wanted = torch.device(prefer)
    if wanted.type == "cpu" or wanted.type == "mps" and mps \
            or wanted.type == "cuda" and cuda and (wanted.index or 0) < torch.cuda.device_count():
        return wanted
    raise ValueError(f"{prefer} is not available")
