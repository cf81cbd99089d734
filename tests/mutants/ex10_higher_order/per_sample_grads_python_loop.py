"""Right value, with a Python loop of torch.autograd.grad instead of vmap over grad."""
import torch

CAUGHT_BY = ["test_per_sample_grads_uses_vmap_over_grad"]
MESSAGE = "torch.func.vmap"


def per_sample_grads(loss_fn, w, X, y):
    rows = []
    for i in range(X.shape[0]):
        leaf = w.detach().requires_grad_(True)
        rows.append(torch.autograd.grad(loss_fn(leaf, X[i], y[i]), leaf)[0])
    return torch.stack(rows)
