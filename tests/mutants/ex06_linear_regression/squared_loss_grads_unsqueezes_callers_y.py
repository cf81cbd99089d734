"""Makes y a column in place (y.unsqueeze_(1)) to match y_hat: right gradients, but the caller's y
has changed shape."""
CAUGHT_BY = ["test_squared_loss_grads"]
MESSAGE = "changed the values of the caller's y"


def squared_loss_grads(X, y, w, b):
    if y.dim() == 1:
        y.unsqueeze_(1)
    y_hat = (X @ w + b).reshape(len(X), -1)
    r = y_hat - y
    return (X.T @ r).reshape(w.shape), r.sum().reshape(b.shape)
