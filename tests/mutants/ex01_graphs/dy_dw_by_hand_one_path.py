"""Only the path through a: dy/dw = b."""
CAUGHT_BY = ["test_dy_dw_by_hand"]
MESSAGE = "path through b"


def dy_dw_by_hand(w, x):
    return w + 1
