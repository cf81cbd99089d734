"""The step is not divided by the batch size."""
import torch

CAUGHT_BY = ["test_sgd"]
MESSAGE = "forgot to divide by batch_size"


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad
            param.grad.zero_()
