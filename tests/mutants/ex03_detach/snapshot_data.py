"""t.data: out of the graph, but the same memory."""
CAUGHT_BY = ["test_snapshot"]
MESSAGE = "shares t's storage"


def snapshot(t):
    return t.data
