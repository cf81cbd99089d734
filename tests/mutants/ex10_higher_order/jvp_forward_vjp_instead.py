"""A vector-Jacobian product, v^T J, with torch.func.vjp: reverse mode, and the transpose."""
import torch

CAUGHT_BY = ["test_jvp_forward"]
MESSAGE = "vector-Jacobian product"


def jvp_forward(f, x, v):
    _, pullback = torch.func.vjp(f, x.detach())
    return pullback(v)[0]
