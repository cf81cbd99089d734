"""Calls backward once (no second call, so no retain_graph needed): one gradient, not two."""
CAUGHT_BY = ["test_backward_twice_same_graph"]
MESSAGE = ".grad accumulates across calls"


def backward_twice_same_graph(w, x):
    leaf = w.detach().clone().requires_grad_(True)
    y = (x.detach() + leaf) * (leaf + 1)
    y.sum().backward()
    return leaf.grad
