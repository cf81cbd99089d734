"""Right value, every row in one batched reverse pass (is_grads_batched), not one row at a time."""
import torch

CAUGHT_BY = ["test_jacobian_rows_builds_one_row_per_vjp"]
MESSAGE = "one row at a"


def jacobian_rows(f, x):
    x = x.detach().requires_grad_(True)
    out = f(x)
    units = torch.eye(out.numel(), dtype=out.dtype)
    return torch.autograd.grad(out, x, grad_outputs=units, is_grads_batched=True)[0]
