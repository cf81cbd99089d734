"""retain_grad called after backward: the gradients of a and b are already gone."""
CAUGHT_BY = ["test_grads_after_backward"]
MESSAGE = "before y.backward()"


def grads_after_backward(w, x):
    a = w + x
    b = w + 1
    y = a * b
    y.backward()
    a.retain_grad()
    b.retain_grad()
    return {"w": w.grad, "x": x.grad, "a": a.grad, "b": b.grad, "y": None}
