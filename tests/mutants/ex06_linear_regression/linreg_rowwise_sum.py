"""Elementwise product summed over each row: right numbers, but shape (n,) instead of (n, 1)."""
CAUGHT_BY = ["test_linreg", "test_loss_for_graph"]
MESSAGE = "has shape"


def linreg(X, w, b):
    return (X * w.reshape(-1)).sum(dim=1) + b
