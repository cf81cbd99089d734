"""Breadth first, but a shared node is listed once per edge into it."""
CAUGHT_BY = ["test_backward_node_names"]
MESSAGE = "twice"


def backward_node_names(t):
    if t.grad_fn is None:
        return []
    names, queue = [], [t.grad_fn]
    while queue:
        node = queue.pop(0)
        names.append(type(node).__name__)
        queue.extend(child for child, _ in node.next_functions if child is not None)
    return names
