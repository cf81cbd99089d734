"""Right value, from the ready-made Jacobian."""
import torch

CAUGHT_BY = ["test_jacobian_rows_builds_one_row_per_vjp"]
MESSAGE = "called torch.autograd.functional.jacobian"


def jacobian_rows(f, x):
    return torch.autograd.functional.jacobian(f, x.detach())
