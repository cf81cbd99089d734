"""Returns zeros of the right shape and leaves every tensor alone: no side effect, and no answer."""
import torch

CAUGHT_BY = ["test_grad_of_intermediate"]


def grad_of_intermediate(w, x):
    return torch.zeros_like(w.detach())
