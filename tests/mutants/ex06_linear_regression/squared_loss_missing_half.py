"""The / 2 is missing."""
CAUGHT_BY = ["test_squared_loss_is", "test_train_starts", "test_train_records", "test_loss_for_graph"]
MESSAGE = "/ 2 is missing"


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2
