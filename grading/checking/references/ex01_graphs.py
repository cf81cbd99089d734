"""Ground truth for ex01_graphs."""
from __future__ import annotations

import torch

from grading.checking import graphs
from grading.checking.references import ground_truth


def forward(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """The lesson's function, y = (x + w) * (w + 1)."""
    return (x + w) * (w + 1)


@ground_truth
def parts(w: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """The values of a, b and y, detached."""
    return (x + w).detach(), (w + 1).detach(), forward(w, x).detach()


@ground_truth
def render_target(w: torch.Tensor, x: torch.Tensor) -> str:
    """The rendering (DOT source, leaves named w and x) of the reference y, built with the
    structure the contract asks for."""
    a = torch.add(w, x)
    b = torch.add(w, 1)
    return graphs.render_dot(torch.mul(a, b), {"w": w, "x": x})


@ground_truth
def dy_dw(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """dy/dw from torch.autograd on fresh leaves."""
    w = w.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(forward(w, x.detach()).sum(), w)
    return grad


# What typical wrong answers to dy/dw evaluate to, so messages can name them.
DY_DW_MISTAKES = {
    "only the path through a was followed (dy/dw = b): the path through b = w + 1 is missing":
        lambda w, x: (w + 1).detach(),
    "only the path through b was followed (dy/dw = a): the path through a = w + x is missing":
        lambda w, x: (w + x).detach(),
    "the two paths were multiplied instead of added": lambda w, x: ((w + x) * (w + 1)).detach(),
}


def parts_of_y(result, *args) -> dict | None:
    """probe: whether the returned a and b carry autograd history, and whether their nodes are
    reachable from y.grad_fn, i.e. whether y was built from these very a and b (None when the
    result is not three tensors)."""
    if not isinstance(result, tuple) or len(result) != 3 or not all(isinstance(t, torch.Tensor) for t in result):
        return None
    a, b, y = result
    reachable, pending = set(), [y.grad_fn] if y.grad_fn is not None else []
    while pending:
        node = pending.pop()
        if node is None or node in reachable:
            continue
        reachable.add(node)
        pending.extend(child for child, _ in node.next_functions)
    return {name: {"history": t.grad_fn is not None, "in_y": t.grad_fn is not None and t.grad_fn in reachable}
            for name, t in (("a", a), ("b", b))}


# ------------------------------------------------------ graphs built in the child
# Each builder returns (root, leaves...) so that a grader can ask about any leaf.

def graph_y(w, x):
    """y = (x + w) * (w + 1) on fresh leaves."""
    w = torch.as_tensor(w, dtype=torch.float32).detach().requires_grad_(True)
    x = torch.as_tensor(x, dtype=torch.float32).detach().requires_grad_(True)
    return forward(w, x), w, x


def graph_square(w):
    """w * w: one leaf reached along two edges of the same node."""
    w = torch.as_tensor(w, dtype=torch.float32).detach().requires_grad_(True)
    return w * w, w


def graph_deep(w, x):
    """A diamond chain: z = sin(w * x) * (w * x) + exp(w) - x; shared nodes and three leaves' worth of paths."""
    w = torch.as_tensor(w, dtype=torch.float32).detach().requires_grad_(True)
    x = torch.as_tensor(x, dtype=torch.float32).detach().requires_grad_(True)
    h = w * x
    return (h.sin() * h + w.exp() - x).sum(), w, x


def graph_detached(w, x):
    """x is used only through .detach(): it is not in the graph."""
    w = torch.as_tensor(w, dtype=torch.float32).detach().requires_grad_(True)
    x = torch.as_tensor(x, dtype=torch.float32).detach().requires_grad_(True)
    return w * x.detach() + w, w, x


def graph_none(w):
    """A tensor with no history."""
    w = torch.as_tensor(w, dtype=torch.float32)
    return w * 2, w


BUILDERS = {"y": graph_y, "square": graph_square, "deep": graph_deep, "detached": graph_detached,
            "none": graph_none}


def root_only(kind: str, values: tuple) -> tuple:
    """(root,): the argument tuple for backward_node_names, built in the student's process."""
    return (BUILDERS[kind](*values)[0],)


def root_and_leaf(kind: str, values: tuple, leaf: int) -> tuple:
    """(root, leaf): the argument tuple for count_paths, from one graph."""
    built = BUILDERS[kind](*values)
    return built[0], built[leaf]


@ground_truth
def node_names(t: torch.Tensor) -> list[str]:
    """The names of the nodes reachable from t.grad_fn, breadth first over next_functions, each once."""
    order = [] if t.grad_fn is None else [t.grad_fn]
    position = 0
    while position < len(order):
        inputs = [edge[0] for edge in order[position].next_functions]
        order.extend(n for n in dict.fromkeys(i for i in inputs if i is not None) if n not in order)
        position += 1
    return [type(node).__name__ for node in order]


@ground_truth
def path_count(root: torch.Tensor, leaf: torch.Tensor) -> int:
    """Edge paths from root.grad_fn to leaf's AccumulateGrad, summed over a topological order."""
    if root.grad_fn is None:
        return 0
    ordered, done = [], set()

    def visit(node):  # depth first: a node is appended after every node it points to
        if node in done:
            return
        done.add(node)
        for edge in node.next_functions:
            if edge[0] is not None:
                visit(edge[0])
        ordered.append(node)

    visit(root.grad_fn)
    ways = {}
    # A node's paths are the sum over its input edges, whose nodes come earlier in this order.
    for node in ordered:
        own = 1 if hasattr(node, "variable") and node.variable is leaf else 0
        ways[node] = own + sum(ways[edge[0]] for edge in node.next_functions if edge[0] is not None)
    return ways[root.grad_fn]
