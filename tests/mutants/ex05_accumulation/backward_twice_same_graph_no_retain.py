"""The second backward through the freed graph raises."""
CAUGHT_BY = ["test_backward_twice_same_graph"]
MESSAGE = "retain_graph=True"


def backward_twice_same_graph(w, x):
    w = w.detach().clone().requires_grad_(True)
    y = ((x.detach() + w) * (w + 1)).sum()
    y.backward()
    y.backward()
    return w.grad
