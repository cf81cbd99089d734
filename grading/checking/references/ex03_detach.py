"""Ground truth for ex03_detach, and the checks its grader and notebook share."""
from __future__ import annotations

import torch

from grading.checking import checks, graphs
from grading.checking.references import ground_truth
from grading.runtime.targets import GradingFailure, StudentFunction, expect_ok
from grading.runtime.wire import TensorResult


@ground_truth
def render_h(w: torch.Tensor, x: torch.Tensor, b: torch.Tensor) -> str:
    """The rendering (DOT source, leaves named w, x and b) of the reference h, x cut out of the graph."""
    return graphs.render_dot(torch.add(torch.mul(w, x.detach()), b), {"w": w, "x": x, "b": b})


@ground_truth
def partial_stop(w: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, list]:
    """The value w * x + w ** 2, and the gradient of its sum reaching w and x (dy/dw = x)."""
    return value_and_grads(lambda w, x: torch.add(torch.mul(w, x), torch.pow(w.detach(), 2)), w, x)


@ground_truth
def straight_through_round(x: torch.Tensor) -> tuple[torch.Tensor, list]:
    """The value round(x), and the gradient of its sum reaching x (ones: straight through)."""
    return value_and_grads(lambda x: x + (torch.round(x) - x).detach(), x)


def value_and_grads(fn, *inputs: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor | None]]:
    """fn(*inputs) detached, and the gradient of its sum with respect to each input, by torch.autograd."""
    leaves = [t.detach().clone().requires_grad_(True) for t in inputs]
    value = fn(*leaves)
    value.sum().backward()
    return value.detach(), [leaf.grad for leaf in leaves]


# --------------------------------------------------------- probes (in the child)


def grads_of_sum(result, *args):
    """Backpropagate result.sum() and report each input's .grad; None when result needs no grad."""
    if not isinstance(result, torch.Tensor) or not result.requires_grad:
        return None
    result.sum().backward()
    return [a.grad if isinstance(a, torch.Tensor) else None for a in args]


def edit_after_snapshot(result, t):
    """Whether result shares t's memory; then t is edited in place and result's values reported."""
    if not isinstance(result, torch.Tensor):
        return None
    shares = result.untyped_storage().data_ptr() == t.untyped_storage().data_ptr()
    with torch.no_grad():
        t.add_(100)
    return {"shares_storage": shares, "after_edit": result.detach().clone()}


def with_history(values: torch.Tensor) -> torch.Tensor:
    """A non-leaf holding ``values``: it has a grad_fn, as a model's activations do."""
    return values.detach().clone().requires_grad_(True) * 1.0


# ---------------------------------------------------------------------- checks


def check_h_values(fn: StudentFunction, inputs) -> None:
    """h = w * x + b, still connected to w and b."""
    for w, x, b in inputs:
        label = f"h_without_x({checks.describe_inputs((w, x, b))})"
        got = expect_ok(fn.run(w, x, b))
        checks.check_close(got, (w * x + b).detach(), name=label)
        if not got.requires_grad:
            checks.fail(f"{label} does not require grad, so no gradient reaches w and b either: "
                        "only x leaves the graph (x.detach()), not the whole computation (torch.no_grad())")


def check_h_rendering(fn: StudentFunction, inputs, picture: str) -> None:
    """The rendering has accumulate nodes for w and b only."""
    try:
        checks.check_graph(fn, reference=render_h, inputs=inputs, params={"w": 0, "x": 1, "b": 2},
                           picture=picture)
    except GradingFailure as failure:
        text = str(failure)
        if "AccumulateGrad(x)" in text:
            text += "; x is still in the graph: use x.detach() where x is used"
        elif "missing node AccumulateGrad(w)" in text:
            text += ("; w is not in the graph either: cut out x alone (x.detach()), "
                     "not the whole computation (torch.no_grad())")
        raise GradingFailure(text) from None


def check_callers_x(fn: StudentFunction, inputs) -> None:
    """The value is w * x + b (a side property earns nothing on a wrong answer), the caller's x still
    requires grad, and w, x, b are otherwise untouched."""
    for w, x, b in inputs:
        outcome = fn.run(w, x, b)
        label = f"h_without_x({checks.describe_inputs((w, x, b))})"
        checks.check_close(expect_ok(outcome), (w * x + b).detach(), name=label)
        after = outcome.args_after[1]
        if isinstance(after, TensorResult) and not after.requires_grad:
            checks.fail("h_without_x switched off the caller's x.requires_grad: requires_grad_(False) changes "
                        "the caller's tensor; x.detach() leaves it as it was")
        for name, before, seen in zip("wxb", (w, x, b), outcome.args_after):
            checks.check_unchanged(before, seen, name=name)


def check_gradient_flow(fn: StudentFunction, *, reference, inputs, names: str, mistakes=None) -> None:
    """Value equals the reference's; the gradient of its sum reaching each input equals the reference's.

    ``reference(*args)`` gives (value, [gradient reaching each input]) (``partial_stop``);
    ``mistakes`` maps a description to a function of the inputs giving a known wrong gradient
    of the first input.
    """
    for args in inputs:
        label = f"{fn.name}({checks.describe_inputs(args)})"
        outcome = fn.run(*args, probe=grads_of_sum)
        got = expect_ok(outcome)
        value, expected = reference(*args)
        checks.check_close(got, value, name=label)
        for name, before, after in zip(names, args, outcome.args_after):
            checks.check_unchanged(before, after, name=name)
        if outcome.probe is None:
            checks.fail(f"{label} does not require grad, so no gradient flows back at all: "
                        ".detach() only the part that must not pass a gradient")
        for i, (name, grad, want) in enumerate(zip(names, outcome.probe, expected)):
            where = f"gradient of {label}.sum() reaching {name}"
            if grad is None:
                checks.fail(f"{where}: got None, expected {checks.short(want)}")
            known = {text: wrong(*args) for text, wrong in (mistakes or {}).items()} if i == 0 else {}
            checks.check_close(grad, want, name=where, mistakes=known)


PARTIAL_STOP_MISTAKES = {
    "dy/dw = x + 2w: the w ** 2 term still passes its gradient; detach w there": lambda w, x: (x + 2 * w).detach(),
    "dy/dw = 2w: the detach is on the w * x term instead of w ** 2": lambda w, x: (2 * w).detach(),
}

ROUND_MISTAKES = {
    "zero gradient: it went only through torch.round, whose gradient is 0 almost everywhere; "
    "detach the rounding correction so that the gradient of x itself passes":
        lambda x: torch.zeros_like(x),
}


def check_snapshot(fn: StudentFunction, cases) -> None:
    """A copy of t's values, out of any graph, that an in-place edit of t leaves alone.

    ``cases`` are (description, argument, values): the argument is a tensor or a Build
    making one in the child, and ``values`` what it holds.
    """
    for description, argument, values in cases:
        label = f"snapshot({description})"
        outcome = fn.run(argument, probe=edit_after_snapshot)
        got = expect_ok(outcome)
        checks.check_close(got, values, name=label)
        if got.requires_grad or got.grad_fn is not None:
            checks.fail(f"{label} is still in the graph (grad_fn={got.grad_fn}, requires_grad={got.requires_grad}): "
                        ".clone() alone records a CloneBackward node; use t.detach().clone()")
        if isinstance(argument, torch.Tensor):
            checks.check_unchanged(argument, outcome.args_after[0], name="t")
        report = outcome.probe if isinstance(outcome.probe, dict) else {}
        after = report.get("after_edit")
        if report.get("shares_storage") or not isinstance(after, TensorResult) or not torch.equal(after.value, values):
            checks.fail(f"{label} shares t's storage: after an in-place edit of t it holds "
                        f"{checks.short(getattr(after, 'value', after))} instead of {checks.short(values)}; "
                        ".detach() and .data are views of the same memory, add .clone()")
