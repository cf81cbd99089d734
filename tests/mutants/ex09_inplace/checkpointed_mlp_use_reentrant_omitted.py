"""Leaves use_reentrant out, which in torch 2.13 still means the reentrant variant (with a warning)."""
import torch
from torch.utils.checkpoint import checkpoint

CAUGHT_BY = ["test_checkpointed_mlp"]
MESSAGE = "use_reentrant is not given"


def checkpointed_mlp(x, weights):
    h = x
    for w in weights:
        h = checkpoint(lambda h, w: torch.tanh(h @ w), h, w)
    return h
