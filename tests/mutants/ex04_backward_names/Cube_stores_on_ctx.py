"""Keeps x as ctx.x instead of ctx.save_for_backward(x): right derivatives, no saved tensors."""
import torch

CAUGHT_BY = ["test_Cube_saves"]
MESSAGE = "save_for_backward"


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        return 3 * ctx.x ** 2 * grad_output
