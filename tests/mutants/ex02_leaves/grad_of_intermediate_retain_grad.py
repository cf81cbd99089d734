"""The right value, but through retain_grad instead of a hook."""
CAUGHT_BY = ["test_grad_of_intermediate_uses_a_hook"]
MESSAGE = "called retain_grad"


def grad_of_intermediate(w, x):
    w = w.detach().requires_grad_(True)
    a = w + x.detach()
    a.retain_grad()
    y = a * (w + 1)
    y.backward()
    return a.grad
