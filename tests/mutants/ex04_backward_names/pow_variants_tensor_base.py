"""The base 2 made a tensor: tensor ** tensor, PowBackward1 again, not PowBackward2."""
import torch

CAUGHT_BY = ["test_pow_variants"]
MESSAGE = "tensor ** tensor"


def pow_variants(a, b):
    return a ** 2, a ** b, torch.full_like(a, 2.0) ** a
