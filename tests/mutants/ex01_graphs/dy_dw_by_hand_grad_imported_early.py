"""Right value through autograd, with ``grad`` imported under another name at the module's
top, before any call is watched: the count is taken at autograd's engine, not on the name."""
import torch
from torch.autograd import grad as _derivative

CAUGHT_BY = ["test_dy_dw_by_hand"]
MESSAGE = "without autograd"


def dy_dw_by_hand(w, x):
    with torch.enable_grad():
        w = w.detach().requires_grad_(True)
        y = (w + x) * (w + 1)
        (g,) = _derivative(y.sum(), w)
    return g.detach()
