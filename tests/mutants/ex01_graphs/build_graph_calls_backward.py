"""Runs y.backward() 'to check the graph', which leaves gradients in the caller's w.grad and x.grad."""
CAUGHT_BY = ["test_build_graph_values"]
MESSAGE = "w.grad"


def build_graph(w, x):
    a = w + x
    b = w + 1
    y = a * b
    y.sum().backward(retain_graph=True)
    return a, b, y
