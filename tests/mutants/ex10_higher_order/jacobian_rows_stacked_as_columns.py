"""Each VJP stacked along dim 1: the n x m transpose."""
import torch

CAUGHT_BY = ["test_jacobian_rows"]
MESSAGE = "transposed"


def jacobian_rows(f, x):
    x = x.detach().requires_grad_(True)
    out = f(x)
    rows = []
    for i in range(out.numel()):
        unit = torch.zeros_like(out)
        unit[i] = 1
        rows.append(torch.autograd.grad(out, x, grad_outputs=unit, retain_graph=True)[0])
    return torch.stack(rows, dim=1)
