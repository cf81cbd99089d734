"""y is not reshaped: (n, 1) - (n,) broadcasts to (n, n)."""
CAUGHT_BY = ["test_squared_loss_is"]
MESSAGE = "was not reshaped"


def squared_loss(y_hat, y):
    return (y_hat - y) ** 2 / 2
