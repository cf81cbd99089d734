"""Backpropagates into the caller's w, adding n gradients to whatever its .grad held."""
CAUGHT_BY = ["test_grad_after_n_backwards_leaves"]
MESSAGE = "caller's w"


def grad_after_n_backwards(w, x, n):
    for _ in range(n):
        ((x.detach() + w) * (w + 1)).sum().backward()
    return w.grad.clone()
