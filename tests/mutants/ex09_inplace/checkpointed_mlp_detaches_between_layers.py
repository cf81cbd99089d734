"""Detaches each layer's input, thinking checkpoint needs a leaf: the gradient stops at every layer."""
import torch
from torch.utils.checkpoint import checkpoint

CAUGHT_BY = ["test_checkpointed_mlp"]
MESSAGE = "cuts the gradient off"


def checkpointed_mlp(x, weights):
    h = x
    for w in weights:
        h = checkpoint(lambda h, w: torch.tanh(h @ w), h.detach(), w, use_reentrant=False)
    return h
