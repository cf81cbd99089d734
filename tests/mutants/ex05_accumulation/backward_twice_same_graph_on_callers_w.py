"""Works on the caller's w and x, leaving gradients in them."""
CAUGHT_BY = ["test_backward_twice_same_graph_leaves"]


def backward_twice_same_graph(w, x):
    w.grad = None
    y = ((x + w) * (w + 1)).sum()
    y.backward(retain_graph=True)
    y.backward()
    return w.grad.clone()
