"""Returns a detached copy of theta0 without training: detached and harmless, and wrong."""
CAUGHT_BY = ["test_train_linear"]


def train_linear(theta0, X, y, steps, lr):
    return theta0.detach().clone()
