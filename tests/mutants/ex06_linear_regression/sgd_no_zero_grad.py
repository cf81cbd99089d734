"""The gradients are never cleared, so each batch adds onto the last one's."""
import torch

CAUGHT_BY = ["test_sgd", "test_train_recovers"]
MESSAGE = "forgot zero_grad: gradients accumulate"


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
