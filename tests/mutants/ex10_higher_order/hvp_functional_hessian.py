"""Right value, from the ready-made Hessian."""
from torch.autograd.functional import hessian

CAUGHT_BY = ["test_hvp_forms_no_hessian"]
MESSAGE = "called torch.autograd.functional.hessian"


def hvp(loss_fn, params, v):
    return hessian(loss_fn, params.detach()) @ v
