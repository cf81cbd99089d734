"""Forward differences (f(x + eps e_i) - f(x)) / eps: an error of order eps."""
import torch

CAUGHT_BY = ["test_numerical_gradient"]
MESSAGE = "forward differences"


def numerical_gradient(f, x, eps=1e-6):
    point = x.detach().clone().reshape(-1)
    base = float(f(point.view(x.shape)))
    grad = torch.empty_like(point)
    for i in range(point.numel()):
        kept = point[i].item()
        point[i] = kept + eps
        grad[i] = (float(f(point.view(x.shape))) - base) / eps
        point[i] = kept
    return grad.view(x.shape)
