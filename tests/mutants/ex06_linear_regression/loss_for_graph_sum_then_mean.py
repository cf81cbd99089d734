"""The blog's make_dot(l.mean()) on the summed loss: same value, an extra MeanBackward0 node."""
CAUGHT_BY = ["test_loss_for_graph"]
MESSAGE = "MeanBackward0"


def loss_for_graph(X, y, w, b):
    return squared_loss(linreg(X, w, b), y).sum().mean()
