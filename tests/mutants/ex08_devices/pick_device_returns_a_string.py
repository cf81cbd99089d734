"""Returns the name of the device, a str, instead of a torch.device."""
import torch

CAUGHT_BY = ["test_pick_device_prefers", "test_pick_device_returns", "test_pick_device_on_this"]
MESSAGE = "torch.device"


def pick_device(prefer=None):
    cuda, mps = torch.cuda.is_available(), torch.backends.mps.is_available()
    if prefer is None:
        return "cuda" if cuda else "mps" if mps else "cpu"
    wanted = torch.device(prefer)
    if wanted.type == "cpu" or wanted.type == "mps" and mps \
            or wanted.type == "cuda" and cuda and (wanted.index or 0) < torch.cuda.device_count():
        return prefer
    available = ["cpu"] + [f"cuda:{i}" for i in range(torch.cuda.device_count() if cuda else 0)]
    raise ValueError(f"{prefer} is not available; available: {', '.join(available + (['mps'] if mps else []))}")
