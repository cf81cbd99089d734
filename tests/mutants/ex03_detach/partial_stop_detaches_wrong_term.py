"""Detaches the w * x term instead of w ** 2: dy/dw = 2w."""
CAUGHT_BY = ["test_partial_stop"]
MESSAGE = "instead of w ** 2"


def partial_stop(w, x):
    return w.detach() * x + w ** 2
