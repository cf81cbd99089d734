"""Forgets the dtype: always float32."""
import torch

CAUGHT_BY = ["test_make_leaf"]
MESSAGE = "dtype"


def make_leaf(values, *, dtype=torch.float32, device="cpu"):
    return torch.tensor(values, device=device, requires_grad=True)
