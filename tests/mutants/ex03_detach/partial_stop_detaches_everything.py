"""Detaches the whole result: the value is right, no gradient flows at all."""
CAUGHT_BY = ["test_partial_stop"]
MESSAGE = "does not require grad"


def partial_stop(w, x):
    return (w * x + w ** 2).detach()
