"""d(x^3)/dx written as x^2."""
import torch

CAUGHT_BY = ["test_Cube_values", "test_Cube_passes_gradcheck"]
MESSAGE = "factor 3"


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return x ** 2 * grad_output
