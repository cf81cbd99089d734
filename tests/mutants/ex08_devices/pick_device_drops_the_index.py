"""Checks only the kind of device: "cuda:1" is accepted with one GPU, and comes back as "cuda"."""
import torch

CAUGHT_BY = ["test_pick_device_returns", "test_pick_device_rejects"]


def pick_device(prefer=None):
    cuda, mps = torch.cuda.is_available(), torch.backends.mps.is_available()
    if prefer is None:
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    kind = torch.device(prefer).type
    if kind == "cpu" or kind == "cuda" and cuda or kind == "mps" and mps:
        return torch.device(kind)
    available = ["cpu"] + (["cuda"] if cuda else []) + (["mps"] if mps else [])
    raise ValueError(f"{prefer} is not available (available: {', '.join(available)})")
