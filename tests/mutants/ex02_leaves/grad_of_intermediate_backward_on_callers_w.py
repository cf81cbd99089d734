"""The right value from a hook, but backward runs on the caller's w and x."""
CAUGHT_BY = ["test_grad_of_intermediate_leaves_callers_grads_alone"]
MESSAGE = "w.grad"


def grad_of_intermediate(w, x):
    a = w + x
    seen = {}
    a.register_hook(lambda grad: seen.setdefault("a", grad))
    (a * (w + 1)).backward()
    return seen["a"]
