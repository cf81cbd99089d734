"""Right value, but the gradient flows through both terms: dy/dw = x + 2w."""
CAUGHT_BY = ["test_partial_stop"]
MESSAGE = "still passes its gradient"


def partial_stop(w, x):
    return w * x + w ** 2
