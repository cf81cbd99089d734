"""Counts whether the leaf is reachable (visited-set search), not the paths."""
CAUGHT_BY = ["test_count_paths"]
MESSAGE = "over edges"


def count_paths(root, leaf):
    seen, stack = set(), [root.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if getattr(node, "variable", None) is leaf:
            return 1
        stack.extend(child for child, _ in node.next_functions)
    return 0
