"""Returns the primal of the dual output, f(x), instead of its tangent."""
import torch
import torch.autograd.forward_ad as fwAD

CAUGHT_BY = ["test_jvp_forward"]
MESSAGE = "primal output"


def jvp_forward(f, x, v):
    with fwAD.dual_level():
        return fwAD.unpack_dual(f(fwAD.make_dual(x.detach(), v))).primal.clone()
