"""b taken out of the graph: the value is right, b's box is missing."""
CAUGHT_BY = ["test_loss_for_graph"]
MESSAGE = "b (1)"


def loss_for_graph(X, y, w, b):
    return squared_loss(linreg(X, w, b.detach()), y).sum()
