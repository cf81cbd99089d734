"""Switches on requires_grad of the caller's w when it arrives without it, then uses torch.autograd.grad."""
import torch

CAUGHT_BY = ["test_dy_dw_autograd_leaves_callers_grads_alone"]
MESSAGE = "requires_grad"


def dy_dw_autograd(w, x):
    w.requires_grad_(True)
    y = (w + x) * (w + 1)
    (grad,) = torch.autograd.grad(y.sum(), w)
    return grad
