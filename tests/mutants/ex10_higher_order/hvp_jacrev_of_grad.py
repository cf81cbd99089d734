"""Right value, the Hessian as torch.func.jacrev of torch.func.grad, then times v."""
import torch

CAUGHT_BY = ["test_hvp_forms_no_hessian"]
MESSAGE = "called torch.func.jacrev"


def hvp(loss_fn, params, v):
    return torch.func.jacrev(torch.func.grad(loss_fn))(params.detach()) @ v
