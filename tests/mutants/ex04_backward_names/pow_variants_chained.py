"""Believes the digit counts layers, and chains powers to reach PowBackward1 and PowBackward2."""
CAUGHT_BY = ["test_pow_variants"]
MESSAGE = "not a depth in the graph"


def pow_variants(a, b):
    t0 = a ** 2
    t1 = t0 ** 2
    t2 = t1 ** 2
    return t0, t1, t2
