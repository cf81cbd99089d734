"""Returns the right a and b, but y recomputed from w and x: y was not built from the a and b returned."""
CAUGHT_BY = ["test_build_graph_values"]
MESSAGE = "y was not built from the a returned"


def build_graph(w, x):
    a = w + x
    b = w + 1
    y = (w + x) * (w + 1)
    return a, b, y
