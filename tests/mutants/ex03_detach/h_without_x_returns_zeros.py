"""Returns zeros and touches nothing: the caller's x keeps requiring grad, but there is no answer."""
import torch

CAUGHT_BY = ["test_h_without_x"]


def h_without_x(w, x, b):
    return torch.zeros_like(w.detach())
