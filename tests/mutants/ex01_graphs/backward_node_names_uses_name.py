"""node.name() gives 'torch::autograd::AccumulateGrad', not the class name."""
CAUGHT_BY = ["test_backward_node_names"]
MESSAGE = "type(node).__name__"


def backward_node_names(t):
    if t.grad_fn is None:
        return []
    names, seen, queue = [], {t.grad_fn}, [t.grad_fn]
    while queue:
        node = queue.pop(0)
        names.append(node.name())
        for child, _ in node.next_functions:
            if child is not None and child not in seen:
                seen.add(child)
                queue.append(child)
    return names
