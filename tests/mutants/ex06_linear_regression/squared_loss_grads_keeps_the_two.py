"""Differentiates (y_hat - y) ** 2 and forgets that the loss halves it."""
CAUGHT_BY = ["test_squared_loss_grads"]
MESSAGE = "the 2 from the square cancels"


def squared_loss_grads(X, y, w, b):
    r = (X @ w + b).reshape(len(X), -1) - y.reshape(len(X), -1)
    return (2 * X.T @ r).reshape(w.shape), (2 * r.sum()).reshape(b.shape)
