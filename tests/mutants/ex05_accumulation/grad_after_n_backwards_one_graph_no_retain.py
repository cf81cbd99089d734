"""Builds the graph once and backpropagates through it n times without retain_graph."""
CAUGHT_BY = ["test_grad_after_n_backwards_is_n", "test_grad_after_n_backwards_leaves"]
MESSAGE = "retain_graph=True"


def grad_after_n_backwards(w, x, n):
    w = w.detach().clone().requires_grad_(True)
    y = ((x.detach() + w) * (w + 1)).sum()
    for _ in range(n):
        y.backward()
    return w.grad
