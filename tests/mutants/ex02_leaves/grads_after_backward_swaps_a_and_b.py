"""Reads the chain rule backwards: dy/da = a and dy/db = b."""
CAUGHT_BY = ["test_grads_after_backward"]
MESSAGE = "swapped"


def grads_after_backward(w, x):
    a = w + x
    b = w + 1
    a.retain_grad()
    b.retain_grad()
    y = a * b
    y.backward()
    return {"w": w.grad, "x": x.grad, "a": b.grad, "b": a.grad, "y": None}
