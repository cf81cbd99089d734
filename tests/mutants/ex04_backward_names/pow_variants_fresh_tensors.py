"""The right three overloads, but raised on fresh tensors instead of a and b: nothing built from them."""
import torch

CAUGHT_BY = ["test_pow_variants"]
MESSAGE = "not built from a or b"


def pow_variants(a, b):
    base = torch.full_like(a, 1.5).requires_grad_(True)
    exponent = torch.full_like(b, 0.5).requires_grad_(True)
    return base ** 2, base ** exponent, 2 ** exponent
