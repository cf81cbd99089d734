"""`param = param - ...` makes a new tensor and rebinds the loop variable; the params never move."""
import torch

CAUGHT_BY = ["test_sgd", "test_train_recovers"]
MESSAGE = "rebinds"


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            grad = param.grad
            param = param - lr * grad / batch_size
            grad.zero_()
