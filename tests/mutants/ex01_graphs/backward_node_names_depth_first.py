"""Depth first instead of breadth first."""
CAUGHT_BY = ["test_backward_node_names"]
MESSAGE = "another order"


def backward_node_names(t):
    names, seen = [], set()

    def visit(node):
        if node is None or node in seen:
            return
        seen.add(node)
        names.append(type(node).__name__)
        for child, _ in node.next_functions:
            visit(child)

    visit(t.grad_fn)
    return names
