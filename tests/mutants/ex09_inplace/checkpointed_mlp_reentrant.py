"""use_reentrant=True: the old checkpoint, a custom Function that torch.autograd.grad cannot go through."""
import torch
from torch.utils.checkpoint import checkpoint

CAUGHT_BY = ["test_checkpointed_mlp"]
MESSAGE = "use_reentrant=True"


def checkpointed_mlp(x, weights):
    h = x
    for w in weights:
        h = checkpoint(lambda h, w: torch.tanh(h @ w), h, w, use_reentrant=True)
    return h
