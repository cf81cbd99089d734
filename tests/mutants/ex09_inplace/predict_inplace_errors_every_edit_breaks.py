"""Believes that editing any result in place breaks backward: every statement raises."""
CAUGHT_BY = ["test_predict_inplace_errors"]
MESSAGE = "multiplying by a Python number saves no tensor"


def predict_inplace_errors():
    return {s: True for s in INPLACE_CASES}  # noqa: F821 - the stub's constant
