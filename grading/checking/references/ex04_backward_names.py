"""Ground truth for ex04_backward_names: the installed torch, asked live; and the checks its
grader and notebook share.

grad_fn names belong to the torch version, so no name is written down here: the
grader evaluates each expression with its own a, b and M and reads
``type(t.grad_fn).__name__``. The hints for wrong answers are built from those live
names too.
"""
from __future__ import annotations

import re
from typing import Iterable

import torch

from grading.checking import checks
from grading.runtime.targets import StudentFunction
from grading.runtime.wire import TensorResult

# The contract's expressions (CURRICULUM.md). Only these strings are ever evaluated,
# and only in the grader's process: a submission's own EXPRESSIONS is compared with
# them, never run here.
EXPRESSIONS = (
    "a + b", "a - b", "2 - a", "a * b", "a / b", "M @ a", "M @ M", "a @ b", "a.sum()", "a.sum(0)",
    "a.mean()", "a ** 2", "a ** b", "2 ** a", "a.sin()", "a.relu()", "a.sigmoid()", "a.view(3, 1)",
    "M.t()", "M.T", "a[0]", "a.to(torch.float64)",
)

POW_EXPRESSIONS = ("a ** 2", "a ** b", "2 ** a")


def operands(seed: int = 0) -> dict[str, torch.Tensor]:
    """a, b (3,) and M (3, 3): float32 leaves that require grad, positive so that a ** b is defined."""
    generator = torch.Generator().manual_seed(seed)
    draw = lambda *shape: (torch.rand(shape, generator=generator) + 0.5).requires_grad_(True)
    return {"a": draw(3), "b": draw(3), "M": draw(3, 3)}


def node_name(t: torch.Tensor) -> str | None:
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def live_names(expressions=EXPRESSIONS, seed: int = 0) -> dict[str, str | None]:
    """{expression: grad_fn name} from the installed torch."""
    names = {}
    for text in expressions:
        scope = {"torch": torch, **operands(seed)}
        names[text] = node_name(eval(text, {"__builtins__": {}}, scope))  # our own constant strings only
    return names


# --------------------------------------------------------------- hints


def _op(name: str) -> str:
    """'PowBackward1' -> 'Pow'."""
    return re.sub(r"Backward\d*$", "", name)


def pow_overloads(live: dict[str, str]) -> str:
    return ", ".join(f"{e} is {live[e]}" for e in POW_EXPRESSIONS)


def name_hint(expression: str, expected: str, got, live: dict[str, str]) -> str:
    """Why a predicted name may differ from the live one, when a known cause explains it."""
    if not isinstance(got, str):
        return "names are strings"
    if got.startswith("<") or " object at " in got:
        return "give the class name, type(t.grad_fn).__name__, not the node's repr"
    if got.startswith("torch::"):
        return "give the class name, type(t.grad_fn).__name__, not node.name()"
    if expression == "2 - a" and got.startswith("Sub"):
        return "a number on the left calls the reflected a.__rsub__(2), recorded as rsub (its Scalar overload)"
    if expression in POW_EXPRESSIONS and _op(got) == _op(expected):
        return f"the digit names the overload of pow that ran, not a depth in the graph: {pow_overloads(live)}"
    if "@" in expression and got != expected:
        return ("@ is recorded as the operation it dispatches to for these shapes: "
                + ", ".join(f"{e} is {live[e]}" for e in ("M @ a", "M @ M", "a @ b")))
    if expression == "M.T" and got == live.get("M.t()"):
        return f"M.T reverses every dimension and is recorded as {expected}, unlike M.t() ({got})"
    if expression.startswith("a.to(") and got != expected:
        return f"a dtype conversion is recorded as a copy into the new dtype: {expected}"
    if expression == "a[0]" and got != expected:
        return f"an integer index picks one element along a dimension: {expected}"
    if _op(got) == _op(expected):
        return ("same operation, another overload: the digit numbers which overload was recorded "
                f"(a.sum() is {live['a.sum()']}, a.sum(0) is {live['a.sum(0)']}), not a depth in the graph")
    if not re.search(r"Backward\d+$", got):
        return "recorded operations are named <Operation>Backward<digit>, e.g. MulBackward0"
    return ""


def describe_mismatches(wrong: list[tuple[str, str, object]], live: dict[str, str], total: int) -> str:
    """One line naming up to four wrong predictions, then the known causes that explain them."""
    listed = "; ".join(f"'{e}' is {expected}, not {got}" for e, expected, got in wrong[:4])
    more = f" (and {len(wrong) - 4} more)" if len(wrong) > 4 else ""
    hints = []
    for e, expected, got in wrong:
        hint = name_hint(e, expected, got, live)
        if hint and hint not in hints:
            hints.append(hint)
    because = " -- " + "; ".join(hints[:3]) if hints else ""
    return (f"predict_grad_fn_names: {len(wrong)} of {total} names differ from torch {torch.__version__}: "
            f"{listed}{more}{because}")


def pow_hint(got: list, expected: list[str], live: dict[str, str]) -> str:
    """Why pow_variants' names may be wrong."""
    if len(set(got)) == 1 and got[0] == expected[0]:
        return ("all three are " + got[0] + ": chaining powers does not change the digit, which is not "
                f"a depth in the graph; it names the overload: {pow_overloads(live)}")
    if sorted(map(str, got)) == sorted(expected):
        return f"the right three names in the wrong order: {pow_overloads(live)}"
    if len(got) == 3 and got[2] == expected[1]:
        return (f"the third has a tensor as the base, which makes it tensor ** tensor ({expected[1]}); "
                f"{expected[2]} is a Python number raised to a tensor, as in 2 ** a")
    if any(g is not None and _op(g) != "Pow" for g in got):
        return f"each must be recorded by pow (a ** ... or ... ** a): {pow_overloads(live)}"
    return pow_overloads(live)


# ----------------------------------------------------------- pow_variants


def pow_operands(shape: tuple, dtype: torch.dtype, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return tuple((torch.rand(shape, generator=generator, dtype=torch.float64) + 0.5).to(dtype).requires_grad_(True)
                 for _ in range(2))


def expected_pow_names() -> list[str]:
    live = live_names(POW_EXPRESSIONS)
    return [live[e] for e in POW_EXPRESSIONS]


# ------------------------------------------------------------------- Cube
# Probes: they run in the student's process right after cube(x) returned, and report
# tensors that the grader compares with its own autograd.


def cube_derivatives(result, x, *, grad_output: torch.Tensor, grad_grad: torch.Tensor) -> dict:
    """The forward value, the first derivative (vector-Jacobian product with grad_output) and the
    second (with grad_grad) of the student's cube, through its own backward."""
    (first,) = torch.autograd.grad(result, x, grad_outputs=grad_output.to(result.dtype), create_graph=True)
    report = {"forward": result.detach(), "first": first.detach(), "second": None}
    if first.requires_grad:  # False when backward was not built from torch operations on x
        (second,) = torch.autograd.grad(first, x, grad_outputs=grad_grad.to(first.dtype))
        report["second"] = second.detach()
    return report


def cube_gradchecks(result, x, *, grad_output: torch.Tensor) -> dict:
    """gradcheck and gradgradcheck of the Function that recorded result's node (float64), and its
    first derivative at x with grad_output, from which the grader names what went wrong."""
    function = getattr(type(result.grad_fn), "_forward_cls", None)
    if function is None:
        return {"function": None}
    point = x.detach().to(torch.float64).requires_grad_(True)
    checks = {"function": function.__name__}
    try:
        (first,) = torch.autograd.grad(function.apply(point), point, grad_outputs=grad_output.to(torch.float64))
        checks["first"] = first.detach()
    except Exception:  # noqa: BLE001 - gradcheck below reports it
        checks["first"] = None
    for name, check in (("gradcheck", torch.autograd.gradcheck), ("gradgradcheck", torch.autograd.gradgradcheck)):
        try:
            checks[name] = bool(check(function.apply, (point,), raise_exception=False))
        except Exception as exc:  # noqa: BLE001 - a broken backward may raise instead
            checks[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:160]
    return checks


def cube_saved_tensors(result, x) -> list | None:
    """The tensors the node saved with ctx.save_for_backward (None for a node that is no Function's)."""
    if result.grad_fn is None or not hasattr(type(result.grad_fn), "_forward_cls"):
        return None
    return list(result.grad_fn.saved_tensors)


def cube_reference(x: torch.Tensor, grad_output: torch.Tensor, grad_grad: torch.Tensor):
    """x ** 3, its first and second derivatives, from torch.autograd on x ** 3."""
    x = x.detach().requires_grad_(True)
    y = x ** 3
    (first,) = torch.autograd.grad(y, x, grad_outputs=grad_output.to(x.dtype), create_graph=True)
    (second,) = torch.autograd.grad(first, x, grad_outputs=grad_grad.to(x.dtype))
    return y.detach(), first.detach(), second.detach()


def first_derivative_mistakes(x: torch.Tensor, grad_output: torch.Tensor) -> dict[str, torch.Tensor]:
    """What typical wrong backwards return, computed from the reference."""
    x = x.detach()
    g = grad_output.to(x.dtype)
    return {
        "backward must multiply by grad_output (the chain rule), not return 3 * x ** 2 alone":
            3 * x ** 2 + 0 * g,
        "a third of the expected value: the factor 3 of d(x^3)/dx = 3x^2 is missing": x ** 2 * g,
        "backward used the output y = x ** 3 where x was meant: save the input x": 3 * (x ** 3) ** 2 * g,
    }


# ------------------------------------------------------------------ checks
# Shared by the grader (tests/graders/test_ex04_backward_names.py) and the notebook's
# hidden tests; each fails with one line for the student.


def check_expressions(expressions: StudentFunction, predict: StudentFunction | None = None) -> None:
    """The submission's EXPRESSIONS still holds every expression of the contract; with ``predict``,
    predict_grad_fn_names also names a node (a string) for every expression of the submission's
    EXPRESSIONS, the contract's and any it added."""
    given = expressions.attribute()
    if not isinstance(given, (tuple, list)) or not all(isinstance(e, str) for e in given):
        checks.fail(f"EXPRESSIONS must be the tuple of expression strings given in the stub, got {given!r:.80}")
    missing = [e for e in EXPRESSIONS if e not in given]
    if missing:
        checks.fail(f"EXPRESSIONS must keep every expression of the stub; missing: {', '.join(missing[:5])}")
    if predict is None:
        return
    predicted = predict()
    if not isinstance(predicted, dict):
        checks.fail(f"predict_grad_fn_names must return a dict {{expression: name}}, got {type(predicted).__name__}")
    unanswered = [e for e in given if not isinstance(predicted.get(e), str)]
    if unanswered:
        checks.fail(f"predict_grad_fn_names must name the grad_fn of every expression of EXPRESSIONS; "
                    f"no name for {len(unanswered)}, e.g. {unanswered[0]!r}")


def check_predictions(predict: StudentFunction, seed: int = 0) -> None:
    """predict() names, for every contract expression, the node the installed torch records."""
    predicted = predict()
    if not isinstance(predicted, dict):
        checks.fail(f"predict_grad_fn_names must return a dict {{expression: name}}, got {type(predicted).__name__}")
    absent = [e for e in EXPRESSIONS if e not in predicted]
    if absent:
        checks.fail(f"predict_grad_fn_names has no entry for {', '.join(repr(e) for e in absent[:5])}"
                    + (f" and {len(absent) - 5} more" if len(absent) > 5 else ""))
    live = live_names(seed=seed)
    wrong = [(e, live[e], predicted[e]) for e in EXPRESSIONS if predicted[e] != live[e]]
    if wrong:
        checks.fail(describe_mismatches(wrong, live, len(EXPRESSIONS)))


def pow_sources(result, a, b) -> list | None:
    """probe: for each returned tensor, whether its graph reaches a or b (a gradient of its sum
    arrives at one of them); None when the result is not three tensors."""
    if not isinstance(result, tuple) or len(result) != 3 or not all(isinstance(t, torch.Tensor) for t in result):
        return None
    reached = []
    for t in result:
        if not t.requires_grad:
            reached.append(False)
            continue
        grads = torch.autograd.grad(t.sum(), (a, b), allow_unused=True, retain_graph=True)
        reached.append(any(g is not None for g in grads))
    return reached


def check_pow_variants(fn: StudentFunction, cases: Iterable[tuple]) -> None:
    """For each (shape, dtype, seed): fn(a, b) gives three tensors built from a and b (a gradient
    reaches a or b from each) and recorded as PowBackward0, 1, 2."""
    expected = expected_pow_names()
    live = live_names(POW_EXPRESSIONS)
    for shape, dtype, seed in cases:
        a, b = pow_operands(shape, dtype, seed)
        outcome = fn.run(a, b, probe=pow_sources)
        result = checks.expect_ok(outcome)
        if not isinstance(result, tuple) or len(result) != 3:
            checks.fail(f"pow_variants must return a tuple of three tensors (t0, t1, t2), got {result!r:.80}")
        for i, t in enumerate(result):
            checks.check_tensor(t, name=f"pow_variants: t{i}", finite=False)
            if not t.requires_grad:
                checks.fail(f"pow_variants: t{i} does not require grad: build it from a or b, which do")
        got = [t.grad_fn for t in result]
        if got != expected:
            checks.fail(f"pow_variants: expected grad_fn names {expected}, got {got}; " + pow_hint(got, expected, live))
        for i, reached in enumerate(outcome.probe or []):
            if not reached:
                checks.fail(f"pow_variants: t{i} is not built from a or b (no gradient of it reaches them): "
                            "raise a or b, or raise a number to a or b")


def check_cube_value(got, x: torch.Tensor) -> TensorResult:
    """cube(x) is x ** 3, in x's dtype: every Cube check asks for the right value first, so that no
    side property earns points for a wrong cube."""
    checks.check_close(got, (x.detach() ** 3), name=f"cube({checks.describe_inputs([x])})")
    return got


def check_cube_derivatives(cube: StudentFunction, inputs: Iterable[tuple]) -> None:
    """For each (x, grad_output, grad_grad): cube's value, first and second derivatives, computed in
    the student's process through its backward, equal torch.autograd's on x ** 3."""
    for x, g, v in inputs:
        outcome = cube.run(x, probe=cube_derivatives, probe_kwargs={"grad_output": g, "grad_grad": v})
        value = checks.expect_ok(outcome)
        report = outcome.probe
        label = f"cube({checks.describe_inputs([x])})"
        forward, first, second = cube_reference(x, g, v)
        checks.check_close(value, forward, name=label)
        if not isinstance(report, dict):
            checks.fail(f"{label}: could not differentiate the result")
        checks.check_close(report.get("first"), first, name=f"{label}: first derivative (grad_output g)",
                           mistakes=first_derivative_mistakes(x, g))
        if report.get("second") is None:
            checks.fail(f"{label}: the first derivative cannot be differentiated again (gradgradcheck fails): "
                        "compute backward with torch operations on ctx.saved_tensors, "
                        "not on .detach(), .data or NumPy copies")
        checks.check_close(report["second"], second, name=f"{label}: second derivative")


def check_cube_gradchecks(cube: StudentFunction, points: Iterable[tuple]) -> None:
    """For each (x, grad_output) in float64: gradcheck and gradgradcheck pass on the Function that
    recorded cube(x); a failure names the mistake from the first derivative it computed."""
    for x, g in points:
        outcome = cube.run(x.detach().requires_grad_(True), probe=cube_gradchecks, probe_kwargs={"grad_output": g})
        # gradcheck compares backward with forward: both must also be the cube's.
        check_cube_value(checks.expect_ok(outcome), x)
        report = outcome.probe
        if not isinstance(report, dict) or report.get("function") is None:
            node = outcome.value.grad_fn if isinstance(outcome.value, TensorResult) else None
            checks.fail(f"cube(x) was not recorded by a torch.autograd.Function (its node is {node}): "
                        "return Cube.apply(x)")
        if report.get("gradcheck") is not True:
            _, first, _ = cube_reference(x, g, g)
            got = report.get("first")
            hint = None
            if isinstance(got, TensorResult) and got.shape == first.shape:
                hint = checks.diagnose(got.value, first, first_derivative_mistakes(x, g))
            checks.fail("torch.autograd.gradcheck fails on Cube in float64: the hand-written backward disagrees "
                        "with finite differences; " + (hint or "backward must return 3 * x ** 2 * grad_output"))
        if report.get("gradgradcheck") is not True:
            checks.fail("torch.autograd.gradgradcheck fails on Cube in float64: the first derivative cannot be "
                        "differentiated again: compute backward with torch operations on ctx.saved_tensors, "
                        "not on .detach(), .data or NumPy copies")


def check_cube_saves_input(cube: StudentFunction, x: torch.Tensor) -> None:
    """cube(x)'s node holds x among its saved tensors (ctx.save_for_backward)."""
    outcome = cube.run(x.detach().requires_grad_(True), probe=cube_saved_tensors)
    check_cube_value(checks.expect_ok(outcome), x)
    saved = outcome.probe
    if saved is None:
        checks.fail("cube(x) was not recorded by a torch.autograd.Function: return Cube.apply(x)")
    if not isinstance(saved, list) or not saved:
        checks.fail("CubeBackward saved no tensors: save x in forward with ctx.save_for_backward(x) and read it "
                    "in backward from ctx.saved_tensors (not as ctx.x = x)")
    for i, t in enumerate(saved):
        checks.check_tensor(t, name=f"saved tensor {i}", finite=False)
    if not any(t.shape == x.shape and torch.equal(t.value, x.detach()) for t in saved):
        checks.fail("CubeBackward did not save the input x: save the input (ctx.save_for_backward(x)), "
                    "from which backward computes 3 * x ** 2")


def check_cube_node_name(cube: StudentFunction, inputs: Iterable[torch.Tensor]) -> None:
    """cube(x) keeps x's dtype and its grad_fn is named CubeBackward."""
    for x in inputs:
        x = x.detach().requires_grad_(True)
        result = check_cube_value(cube(x), x)
        if result.grad_fn != "CubeBackward":
            hint = ("cube must return Cube.apply(x), not compute x ** 3 directly" if result.grad_fn and
                    result.grad_fn.startswith("Pow") else
                    "autograd names the node after the Function's class plus Backward: call the class Cube")
            checks.fail(f"cube(x).grad_fn is {result.grad_fn}, expected CubeBackward; {hint}")
