"""The product computed in numpy: right values, but the graph to w is cut."""
import torch

CAUGHT_BY = ["test_linreg", "test_train", "test_loss_for_graph"]
MESSAGE = "grad_fn"


def linreg(X, w, b):
    return torch.from_numpy(X.numpy() @ w.detach().numpy()) + b.detach()
