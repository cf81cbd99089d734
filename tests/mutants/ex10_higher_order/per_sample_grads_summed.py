"""One backward through the summed losses: the batch gradient, shape w.shape."""
import torch

CAUGHT_BY = ["test_per_sample_grads"]
MESSAGE = "summed over the batch"


def per_sample_grads(loss_fn, w, X, y):
    w = w.detach().requires_grad_(True)
    total = sum(loss_fn(w, X[i], y[i]) for i in range(X.shape[0]))
    return torch.autograd.grad(total, w)[0]
