"""backward returns the local derivative 3x^2 and drops grad_output (the chain rule)."""
import torch

CAUGHT_BY = ["test_Cube_values", "test_Cube_passes_gradcheck"]
MESSAGE = "grad_output"


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 3 * x ** 2
