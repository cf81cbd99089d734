"""Clears .grad between the two backward calls: the gradient of one."""
# A wrong value fails the side-property test too: it earns no points there either.
CAUGHT_BY = ["test_backward_twice_same_graph"]
MESSAGE = "the gradient of one backward"


def backward_twice_same_graph(w, x):
    w = w.detach().clone().requires_grad_(True)
    y = ((x.detach() + w) * (w + 1)).sum()
    y.backward(retain_graph=True)
    w.grad.zero_()
    y.backward()
    return w.grad
