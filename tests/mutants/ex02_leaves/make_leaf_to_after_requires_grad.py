"""The .to() trap: requires_grad first, then .to(), which returns a non-leaf."""
import torch

CAUGHT_BY = ["test_make_leaf"]
MESSAGE = ".to() or .cuda()"


def make_leaf(values, *, dtype=torch.float32, device="cpu"):
    return torch.tensor(values, requires_grad=True).to(dtype=dtype, device=device)
