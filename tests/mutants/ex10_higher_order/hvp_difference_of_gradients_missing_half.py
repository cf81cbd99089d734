"""H v as a difference of gradients at p + eps v and p - eps v, divided by eps instead of 2 eps."""
import torch

CAUGHT_BY = ["test_hvp"]
MESSAGE = "factor of 2"


def hvp(loss_fn, params, v):
    eps = 1e-3

    def gradient(p):
        p = p.detach().requires_grad_(True)
        return torch.autograd.grad(loss_fn(p), p)[0]

    return (gradient(params + eps * v) - gradient(params - eps * v)) / eps
