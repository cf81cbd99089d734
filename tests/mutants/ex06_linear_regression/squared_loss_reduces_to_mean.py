"""Reduces to the mean, where the contract keeps the loss elementwise."""
CAUGHT_BY = ["test_squared_loss_is", "test_train_recovers", "test_loss_for_graph"]
MESSAGE = "elementwise"


def squared_loss(y_hat, y):
    return ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).mean()
