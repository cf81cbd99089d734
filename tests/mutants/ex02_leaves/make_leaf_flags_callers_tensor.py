"""as_tensor returns the caller's tensor itself when nothing needs converting; requires_grad_ then flags it."""
import torch

CAUGHT_BY = ["test_make_leaf"]
MESSAGE = "switched on requires_grad of the caller"


def make_leaf(values, *, dtype=torch.float32, device="cpu"):
    return torch.as_tensor(values, dtype=dtype, device=device).requires_grad_(True)
