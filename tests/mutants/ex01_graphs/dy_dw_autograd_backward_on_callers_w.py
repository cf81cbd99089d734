"""The classic: backward on the caller's tensors, returning w.grad."""
CAUGHT_BY = ["test_dy_dw_autograd_leaves_callers_grads_alone"]


def dy_dw_autograd(w, x):
    y = (w + x) * (w + 1)
    y.sum().backward()
    return w.grad
