"""Forgets to cut x out: h = w * x + b with x in the graph."""
CAUGHT_BY = ["test_h_without_x_rendering"]
MESSAGE = "x is still in the graph"


def h_without_x(w, x, b):
    return w * x + b
