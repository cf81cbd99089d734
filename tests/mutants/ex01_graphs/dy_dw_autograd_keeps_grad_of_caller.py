"""Right value, but it leaves a gradient in the caller's w.grad."""
import torch

CAUGHT_BY = ["test_dy_dw_autograd_leaves_callers_grads_alone"]
MESSAGE = "w.grad"


def dy_dw_autograd(w, x):
    w.grad = None
    y = (w + x) * (w + 1)
    y.sum().backward()
    return w.grad.clone()
