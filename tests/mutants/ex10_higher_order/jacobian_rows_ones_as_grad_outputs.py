"""grad_outputs of ones for every row: each row is the gradient of f(x).sum()."""
import torch

CAUGHT_BY = ["test_jacobian_rows"]
MESSAGE = "unit vector e_i"


def jacobian_rows(f, x):
    x = x.detach().requires_grad_(True)
    out = f(x)
    return torch.stack([torch.autograd.grad(out, x, grad_outputs=torch.ones_like(out), retain_graph=True)[0]
                        for _ in range(out.numel())])
