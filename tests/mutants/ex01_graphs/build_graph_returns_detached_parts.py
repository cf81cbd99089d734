"""a and b handed back as detached copies: the values are right, but they carry no history."""
CAUGHT_BY = ["test_build_graph_values"]
MESSAGE = "has no grad_fn"


def build_graph(w, x):
    a = w + x
    b = w + 1
    return a.detach(), b.detach(), a * b
