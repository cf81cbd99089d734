"""Writes the versions down by hand, believing that a view has a version counter of its own."""
CAUGHT_BY = ["test_version_counts"]
MESSAGE = "a view shares its base's version counter"


def version_counts(a):
    return [0, 1, 2, 2, 3]
