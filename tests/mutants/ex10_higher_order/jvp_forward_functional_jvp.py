"""Right value, through torch.autograd.functional.jvp, which is two reverse passes (the double-vjp trick)."""
import torch

CAUGHT_BY = ["test_jvp_forward_uses_no_reverse_mode"]
MESSAGE = "without reverse mode"


def jvp_forward(f, x, v):
    return torch.autograd.functional.jvp(f, x.detach(), v)[1]
