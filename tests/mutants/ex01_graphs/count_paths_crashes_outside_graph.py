"""Assumes the leaf is in the graph and raises otherwise."""
CAUGHT_BY = ["test_count_paths"]


def count_paths(root, leaf):
    def ways(node):
        if node is None:
            return 0
        if getattr(node, "variable", None) is leaf:
            return 1
        return sum(ways(child) for child, _ in node.next_functions)

    total = ways(root.grad_fn)
    if total == 0:
        raise ValueError("leaf not in graph")
    return total
