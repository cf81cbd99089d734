"""detach() without clone(): no history, but the same storage as t."""
CAUGHT_BY = ["test_snapshot"]
MESSAGE = "shares t's storage"


def snapshot(t):
    return t.detach()
