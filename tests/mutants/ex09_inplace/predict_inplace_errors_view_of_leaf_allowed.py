"""Thinks a view is a new tensor, so editing a view of a leaf is as fine as editing a clone."""
CAUGHT_BY = ["test_predict_inplace_errors"]
MESSAGE = "a view of a leaf that requires grad"

RIGHT = {
    "b = a.sigmoid(); b.mul_(2)": True, "b = a * 2; b.add_(1)": False, "b = a.exp(); b.add_(1)": True,
    "b = a ** 2; b.add_(1)": False, "b = a.sin(); b.add_(1)": False, "b = a.tanh(); b.add_(1)": True,
    "b = a.relu(); b.zero_()": True, "b = a.clone(); b[0] = 0": False, "a.add_(1); b = a": True,
    "b = a.view(3); b.mul_(2)": True, "b = (a * 1).view(3); b.mul_(2)": False,
    "b = a.clone(); c = b * b; b.add_(1); b = c": True,
}


def predict_inplace_errors():
    return {**RIGHT, "b = a.view(3); b.mul_(2)": False}
