"""x taken out of the graph: values right, rendering wrong."""
CAUGHT_BY = ["test_build_graph_rendering"]
MESSAGE = "x (2)"


def build_graph(w, x):
    a = w + x.detach()
    b = w + 1
    return a, b, a * b
