"""The three overloads, in the order they come to mind rather than PowBackward0, 1, 2."""
CAUGHT_BY = ["test_pow_variants"]
MESSAGE = "wrong order"


def pow_variants(a, b):
    return a ** 2, 2 ** a, a ** b
