"""Starts from root.grad_fn.next_functions without asking whether root has a grad_fn at all."""
CAUGHT_BY = ["test_count_paths"]
MESSAGE = "root has no grad_fn"


def count_paths(root, leaf):
    def ways(node):
        if node is None:
            return 0
        if getattr(node, "variable", None) is leaf:
            return 1
        return sum(ways(child) for child, _ in node.next_functions)

    return sum(ways(child) for child, _ in root.grad_fn.next_functions)
