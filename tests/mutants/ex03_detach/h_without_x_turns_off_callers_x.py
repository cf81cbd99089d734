"""Switches off requires_grad on the caller's x: the graph is right, the caller's x is changed."""
CAUGHT_BY = ["test_h_without_x_leaves_callers_x"]
MESSAGE = "requires_grad_(False)"


def h_without_x(w, x, b):
    x.requires_grad_(False)
    return w * x + b
