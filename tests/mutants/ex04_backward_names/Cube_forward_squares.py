"""A consistent Function for the wrong power: forward x ** 2 with backward 2 * x * grad_output.
gradcheck passes (backward matches forward), the node is CubeBackward, x is saved: but it is no cube."""
import torch

CAUGHT_BY = ["test_Cube"]
MESSAGE = "cube("


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 2

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 2 * x * grad_output


def cube(x):
    return Cube.apply(x)
