"""The gradient of the mean loss, where the contract differentiates the sum."""
CAUGHT_BY = ["test_squared_loss_grads"]
MESSAGE = "the mean over the batch"


def squared_loss_grads(X, y, w, b):
    r = (X @ w + b).reshape(len(X), -1) - y.reshape(len(X), -1)
    return (X.T @ r / len(X)).reshape(w.shape), (r.sum() / len(X)).reshape(b.shape)
