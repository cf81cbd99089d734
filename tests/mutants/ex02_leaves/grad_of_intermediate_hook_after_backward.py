"""Registers the hook after backward has run: it is never called."""
# A wrong value fails the side-property test too: it earns no points for leaving the grads alone.
CAUGHT_BY = ["test_grad_of_intermediate"]
MESSAGE = "registered before y.backward()"


def grad_of_intermediate(w, x):
    w = w.detach().requires_grad_(True)
    a = w + x.detach()
    y = a * (w + 1)
    y.backward()
    seen = {}
    a.register_hook(lambda grad: seen.setdefault("a", grad))
    return seen.get("a")
