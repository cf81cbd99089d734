"""b built from a copy of w, so w has one path to y instead of two."""
CAUGHT_BY = ["test_build_graph_rendering"]


def build_graph(w, x):
    a = w + x
    b = w.detach().clone().requires_grad_(True) + 1
    return a, b, a * b
