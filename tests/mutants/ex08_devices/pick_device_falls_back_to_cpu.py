"""An unavailable preference quietly gives the CPU instead of raising."""
import torch

CAUGHT_BY = ["test_pick_device_rejects"]
MESSAGE = "raise ValueError"


def pick_device(prefer=None):
    cuda, mps = torch.cuda.is_available(), torch.backends.mps.is_available()
    if prefer is None:
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    wanted = torch.device(prefer)
    if wanted.type == "mps" and mps or wanted.type == "cuda" and (wanted.index or 0) < torch.cuda.device_count():
        return wanted
    return torch.device("cpu")
