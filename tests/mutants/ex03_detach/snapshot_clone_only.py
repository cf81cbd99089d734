"""clone() without detach(): its own storage, but still in the graph."""
CAUGHT_BY = ["test_snapshot"]
MESSAGE = "still in the graph"


def snapshot(t):
    return t.clone()
