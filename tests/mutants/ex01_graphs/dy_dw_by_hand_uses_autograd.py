"""Right value, but computed with autograd."""
import torch

CAUGHT_BY = ["test_dy_dw_by_hand"]
MESSAGE = "without autograd"


def dy_dw_by_hand(w, x):
    with torch.enable_grad():
        w = w.detach().requires_grad_(True)
        y = (w + x) * (w + 1)
        (g,) = torch.autograd.grad(y.sum(), w)
    return g.detach()
