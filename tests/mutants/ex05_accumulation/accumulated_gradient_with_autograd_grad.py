"""Right sum through torch.autograd.grad, but nothing is left in .grad."""
import torch

CAUGHT_BY = ["test_accumulated_gradient_leaves"]
MESSAGE = "left no gradient"


def accumulated_gradient(loss_fn, params, batches):
    total = [torch.zeros_like(p) for p in params]
    for batch in batches:
        grads = torch.autograd.grad(loss_fn(params, batch) / len(batches), params)
        total = [t + g for t, g in zip(total, grads)]
    return total
