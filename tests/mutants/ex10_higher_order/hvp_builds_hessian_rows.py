"""Right value, but the Hessian is built row by row (n reverse passes, n x n numbers) and multiplied by v."""
import torch

CAUGHT_BY = ["test_hvp_forms_no_hessian"]
MESSAGE = "as large as the n x n Hessian"


def hvp(loss_fn, params, v):
    p = params.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(loss_fn(p), p, create_graph=True)
    rows = [torch.autograd.grad(g[i], p, retain_graph=True)[0] for i in range(p.numel())]
    return torch.stack(rows) @ v
