"""Right values, but always returns float64."""
import torch

CAUGHT_BY = ["test_dy_dw_by_hand"]
MESSAGE = "dtype"


def dy_dw_by_hand(w, x):
    return (2 * w + x + 1).to(torch.float64)
