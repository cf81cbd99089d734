"""The hook sits on b = w + 1, so it sees dy/db = a."""
# A wrong value fails the side-property test too: it earns no points for leaving the grads alone.
CAUGHT_BY = ["test_grad_of_intermediate"]
MESSAGE = "hook is on b"


def grad_of_intermediate(w, x):
    w = w.detach().requires_grad_(True)
    a = w + x.detach()
    b = w + 1
    seen = {}
    b.register_hook(lambda grad: seen.setdefault("g", grad))
    (a * b).backward()
    return seen["g"]
