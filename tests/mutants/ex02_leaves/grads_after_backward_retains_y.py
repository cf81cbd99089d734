"""Retains y's gradient as well, so "y" maps to 1 instead of None."""
CAUGHT_BY = ["test_grads_after_backward"]
MESSAGE = "not y"


def grads_after_backward(w, x):
    a = w + x
    b = w + 1
    y = a * b
    for t in (a, b, y):
        t.retain_grad()
    y.backward()
    return {"w": w.grad, "x": x.grad, "a": a.grad, "b": b.grad, "y": y.grad}
