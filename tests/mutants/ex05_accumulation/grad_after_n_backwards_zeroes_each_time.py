"""Clears .grad before each backward out of habit: the gradient of one backward, not n."""
# A wrong value fails the side-property test too: it earns no points there either.
CAUGHT_BY = ["test_grad_after_n_backwards"]
MESSAGE = "the gradient of one backward"


def grad_after_n_backwards(w, x, n):
    w = w.detach().clone().requires_grad_(True)
    for _ in range(n):
        w.grad = None
        ((x.detach() + w) * (w + 1)).sum().backward()
    return w.grad
