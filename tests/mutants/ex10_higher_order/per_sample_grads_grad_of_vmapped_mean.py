"""grad outside vmap: the gradient of the mean of the vmapped losses, shape w.shape."""
import torch

CAUGHT_BY = ["test_per_sample_grads"]
MESSAGE = "averaged over the batch"


def per_sample_grads(loss_fn, w, X, y):
    losses = lambda w: torch.func.vmap(loss_fn, in_dims=(None, 0, 0))(w, X, y).mean()
    return torch.func.grad(losses)(w.detach())
