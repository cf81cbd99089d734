"""Computes h under torch.no_grad(): x is out, but so are w and b."""
import torch

CAUGHT_BY = ["test_h_without_x_values", "test_h_without_x_rendering"]


def h_without_x(w, x, b):
    with torch.no_grad():
        return w * x + b
