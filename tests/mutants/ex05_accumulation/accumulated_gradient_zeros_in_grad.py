"""Clears the gradients and returns copies of them without accumulating anything: what is in .grad
and what is returned agree, and both are zeros."""
import torch

CAUGHT_BY = ["test_accumulated_gradient"]


def accumulated_gradient(loss_fn, params, batches):
    for p in params:
        p.grad = torch.zeros_like(p)
    return [p.grad.clone() for p in params]
