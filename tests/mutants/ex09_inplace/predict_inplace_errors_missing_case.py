"""Leaves out the last statement, the one where the edit happens after the product saved b."""
CAUGHT_BY = ["test_predict_inplace_errors", "test_INPLACE_CASES"]
MESSAGE = "b = a.clone(); c = b * b"

RIGHT = {
    "b = a.sigmoid(); b.mul_(2)": True, "b = a * 2; b.add_(1)": False, "b = a.exp(); b.add_(1)": True,
    "b = a ** 2; b.add_(1)": False, "b = a.sin(); b.add_(1)": False, "b = a.tanh(); b.add_(1)": True,
    "b = a.relu(); b.zero_()": True, "b = a.clone(); b[0] = 0": False, "a.add_(1); b = a": True,
    "b = a.view(3); b.mul_(2)": True, "b = (a * 1).view(3); b.mul_(2)": False,
}


def predict_inplace_errors():
    return dict(RIGHT)
