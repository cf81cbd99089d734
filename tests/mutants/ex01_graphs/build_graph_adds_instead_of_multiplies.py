"""y = a + b instead of a * b."""
CAUGHT_BY = ["test_build_graph"]


def build_graph(w, x):
    a = w + x
    b = w + 1
    return a, b, a + b
