"""The Function class is called CubeFunction, so its node is CubeFunctionBackward."""
import torch

CAUGHT_BY = ["test_Cube_node"]
MESSAGE = "call the class Cube"


class CubeFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 3 * x ** 2 * grad_output


def cube(x):
    return CubeFunction.apply(x)
