"""The mean of the elementwise loss instead of its sum."""
CAUGHT_BY = ["test_loss_for_graph"]
MESSAGE = "the mean, not the sum"


def loss_for_graph(X, y, w, b):
    return squared_loss(linreg(X, w, b), y).mean()
