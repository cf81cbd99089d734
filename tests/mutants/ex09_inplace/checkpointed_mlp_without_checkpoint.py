"""The plain MLP: right value and gradients, and every activation saved."""
import torch

CAUGHT_BY = ["test_checkpointed_mlp_saves_fewer"]
MESSAGE = "as many as without checkpointing"


def checkpointed_mlp(x, weights):
    h = x
    for w in weights:
        h = torch.tanh(h @ w)
    return h
