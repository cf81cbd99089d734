"""Central differences with a step of its own (1e-5), whatever eps the caller passes."""
import torch

CAUGHT_BY = ["test_numerical_gradient_uses_central_differences_with_eps"]
MESSAGE = "eps argument ignored"


def numerical_gradient(f, x, eps=1e-6):
    h = 1e-5
    point = x.detach().clone().reshape(-1)
    grad = torch.empty_like(point)
    for i in range(point.numel()):
        kept = point[i].item()
        point[i] = kept + h
        up = float(f(point.view(x.shape)))
        point[i] = kept - h
        down = float(f(point.view(x.shape)))
        point[i] = kept
        grad[i] = (up - down) / (2 * h)
    return grad.view(x.shape)
