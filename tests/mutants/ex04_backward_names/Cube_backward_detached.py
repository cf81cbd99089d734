"""backward computed on x.detach(): first derivatives right, second derivatives lost."""
import torch

CAUGHT_BY = ["test_Cube_values", "test_Cube_passes_gradcheck"]
MESSAGE = "cannot be differentiated again"


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        x = x.detach()
        return 3 * x ** 2 * grad_output.detach()
