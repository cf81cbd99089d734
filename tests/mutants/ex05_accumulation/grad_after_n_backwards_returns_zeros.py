"""Returns zeros of w's shape and touches nothing: the caller's tensors stay alone, but there is no answer."""
import torch

CAUGHT_BY = ["test_grad_after_n_backwards"]


def grad_after_n_backwards(w, x, n):
    return torch.zeros_like(w.detach())
