"""t = a.detach() without .clone(): t shares a's memory and a's version counter."""
CAUGHT_BY = ["test_version_counts"]
MESSAGE = "a.detach()"


def version_counts(a):
    t = a.detach()
    counts = [t._version]
    t.add_(1)
    counts.append(t._version)
    t[0] = 5
    counts.append(t._version)
    t.view(-1).mul_(2)
    counts.append(t._version)
    t.detach().zero_()
    counts.append(t._version)
    return counts
