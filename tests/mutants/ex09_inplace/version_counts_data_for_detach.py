"""Zeroes t through .data instead of t.detach(): .data hides the edit from the version counter."""
CAUGHT_BY = ["test_version_counts"]
MESSAGE = "only .data hides"


def version_counts(a):
    t = a.detach().clone()
    counts = [t._version]
    t.add_(1)
    counts.append(t._version)
    t[0] = 5
    counts.append(t._version)
    t.view(-1).mul_(2)
    counts.append(t._version)
    t.data.zero_()
    counts.append(t._version)
    return counts
