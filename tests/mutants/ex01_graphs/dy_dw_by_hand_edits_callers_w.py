"""Builds b = w + 1 in place (w.add_(1)): the value comes out right, but the caller's w is now w + 1."""
CAUGHT_BY = ["test_dy_dw_by_hand"]
MESSAGE = "changed the values of the caller's w"


def dy_dw_by_hand(w, x):
    a = w + x
    b = w.add_(1)
    return b * 1 + a * 1
