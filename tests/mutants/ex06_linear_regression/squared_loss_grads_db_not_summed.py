"""db is the residual of each example, not their sum."""
CAUGHT_BY = ["test_squared_loss_grads"]
MESSAGE = "sum the residuals"


def squared_loss_grads(X, y, w, b):
    r = (X @ w + b).reshape(len(X), -1) - y.reshape(len(X), -1)
    return (X.T @ r).reshape(w.shape), r
