"""Expects backward to fill a.grad and b.grad by itself: only leaves get .grad."""
CAUGHT_BY = ["test_grads_after_backward"]
MESSAGE = "retain_grad() is called before"


def grads_after_backward(w, x):
    a = w + x
    b = w + 1
    y = a * b
    y.backward()
    return {"w": w.grad, "x": x.grad, "a": a.grad, "b": b.grad, "y": y.grad}
