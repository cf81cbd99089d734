"""The hook sits on b = w + 1, so it sees dy/db = a."""
CAUGHT_BY = ["test_grad_of_intermediate_uses_a_hook"]
MESSAGE = "hook is on b"


def grad_of_intermediate(w, x):
    w = w.detach().requires_grad_(True)
    a = w + x.detach()
    b = w + 1
    seen = {}
    b.register_hook(lambda grad: seen.setdefault("g", grad))
    (a * b).backward()
    return seen["g"]
