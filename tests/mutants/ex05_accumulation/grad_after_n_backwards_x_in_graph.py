"""Copies w but keeps the caller's x in the graph, so x.grad fills up."""
CAUGHT_BY = ["test_grad_after_n_backwards_leaves"]
MESSAGE = "x.grad"


def grad_after_n_backwards(w, x, n):
    w = w.detach().clone().requires_grad_(True)
    for _ in range(n):
        ((x + w) * (w + 1)).sum().backward()
    return w.grad
