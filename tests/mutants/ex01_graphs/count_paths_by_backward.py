"""Right counts, but it first runs backward to see whether the leaf is reached at all, which fills
the caller's leaf.grad."""
CAUGHT_BY = ["test_count_paths"]
MESSAGE = "without backward"


def count_paths(root, leaf):
    if root.grad_fn is None or not leaf.requires_grad:
        return 0
    root.sum().backward(retain_graph=True)
    if leaf.grad is None:
        return 0

    def ways(node):
        if node is None:
            return 0
        if getattr(node, "variable", None) is leaf:
            return 1
        return sum(ways(child) for child, _ in node.next_functions)

    return ways(root.grad_fn)
