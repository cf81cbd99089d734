"""Ground truth for ex09_inplace: the installed torch, asked live; and the checks its grader and
notebook share.

Whether an in-place statement breaks backward is found by running it here, on the grader's own
``a``. What autograd saves is recorded here with the grader's own ``saved_tensors_hooks``, on the
grader's own inputs. What a student's ``checkpointed_mlp`` saves is recorded in the student's
process by a setup of this module (:func:`record_saved_tensors`), which hooks the saving before the
student's function runs, so the count cannot be returned instead of measured.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

import torch

from grading.checking import checks, strategies
from grading.checking.references import ground_truth, optional
from grading.runtime.runner import Build
from grading.runtime.targets import StudentFunction
from grading.runtime.wire import Opaque, TensorResult

# Imported by the worker before its first fork for this module, so that no call pays for it
# (grading/runtime/zygote.py): the notebook's lesson cells import pyplot.
WORKER_IMPORTS = ("matplotlib.pyplot",)

# ------------------------------------------------------------- predict_inplace_errors

# The contract's statements (CURRICULUM.md). Only these strings are ever run, and only in the
# grader's process: a submission's own INPLACE_CASES is compared with them, never run here.
INPLACE_CASES = (
    "b = a.sigmoid(); b.mul_(2)", "b = a * 2; b.add_(1)", "b = a.exp(); b.add_(1)", "b = a ** 2; b.add_(1)",
    "b = a.sin(); b.add_(1)", "b = a.tanh(); b.add_(1)", "b = a.relu(); b.zero_()", "b = a.clone(); b[0] = 0",
    "a.add_(1); b = a", "b = a.view(3); b.mul_(2)", "b = (a * 1).view(3); b.mul_(2)",
    "b = a.clone(); c = b * b; b.add_(1); b = c",
)

# What each statement's operations save, to explain a wrong prediction (the verdict itself is live).
CASE_REASONS = {
    "b = a.sigmoid(); b.mul_(2)": "sigmoid saves its output b for backward, and mul_ edits b",
    "b = a * 2; b.add_(1)": "multiplying by a Python number saves no tensor (the derivative is the constant 2)",
    "b = a.exp(); b.add_(1)": "exp saves its output b (d e^a/da = e^a), and add_ edits b",
    "b = a ** 2; b.add_(1)": "a ** 2 saves its input a (d a^2/da = 2a), not its output b",
    "b = a.sin(); b.add_(1)": "sin saves its input a (d sin a/da = cos a), not its output b",
    "b = a.tanh(); b.add_(1)": "tanh saves its output b (d tanh a/da = 1 - tanh^2 a), and add_ edits b",
    "b = a.relu(); b.zero_()": "relu saves its output b (to know where it is positive), and zero_ edits b",
    "b = a.clone(); b[0] = 0": "clone saves nothing, and b is no leaf: editing it is fine",
    "a.add_(1); b = a": "an in-place operation on a leaf that requires grad is refused at once",
    "b = a.view(3); b.mul_(2)": "a view of a leaf that requires grad is refused in-place operations at once",
    "b = (a * 1).view(3); b.mul_(2)": "a * 1 is no leaf and saved nothing, so its view may be edited",
    "b = a.clone(); c = b * b; b.add_(1); b = c": "b * b saved b, and add_ edits it before backward",
}


def fresh_a(seed: int = 0) -> torch.Tensor:
    """A leaf of 3 float32 values that requires grad, as the contract's statements expect."""
    generator = torch.Generator().manual_seed(seed)
    return (torch.rand(3, generator=generator) * 4 - 2).requires_grad_(True)


def live_errors(seed: int = 0) -> dict[str, bool]:
    """{statement: whether it, then b.sum().backward(), raises a RuntimeError} on the installed torch."""
    errors = {}
    for statement in INPLACE_CASES:
        scope = {"a": fresh_a(seed)}
        try:
            exec(statement, {"__builtins__": {}}, scope)  # our own constant strings only
            scope["b"].sum().backward()
        except RuntimeError:
            errors[statement] = True
        else:
            errors[statement] = False
    return errors


def check_inplace_cases(cases: StudentFunction, predict: StudentFunction) -> None:
    """The submission's INPLACE_CASES holds every statement of the contract, and
    predict_inplace_errors answers (True or False) for each of its statements."""
    given = cases.attribute()
    if not isinstance(given, (tuple, list)) or not all(isinstance(s, str) for s in given):
        checks.fail(f"INPLACE_CASES must be the tuple of statement strings given in the stub, got {given!r:.80}")
    missing = [s for s in INPLACE_CASES if s not in given]
    if missing:
        checks.fail(f"INPLACE_CASES must keep every statement of the stub; missing: {'; '.join(missing[:3])}")
    predicted = _predictions(predict)
    unanswered = [s for s in given if not isinstance(predicted.get(s), bool)]
    if unanswered:
        checks.fail(f"predict_inplace_errors must answer True or False for every statement of INPLACE_CASES; "
                    f"no answer for {len(unanswered)}, e.g. {unanswered[0]!r}")


def _predictions(predict: StudentFunction) -> dict:
    predicted = predict()
    if not isinstance(predicted, dict):
        checks.fail(f"predict_inplace_errors must return a dict {{statement: bool}}, got {type(predicted).__name__}")
    return predicted


def check_predictions(predict: StudentFunction, seed: int = 0) -> None:
    """predict() says, for every contract statement, whether the installed torch raises."""
    predicted = _predictions(predict)
    absent = [s for s in INPLACE_CASES if s not in predicted]
    if absent:
        checks.fail(f"predict_inplace_errors has no entry for {absent[0]!r}"
                    + (f" and {len(absent) - 1} more" if len(absent) > 1 else ""))
    not_bool = [s for s in INPLACE_CASES if not isinstance(predicted[s], bool)]
    if not_bool:
        checks.fail(f"predict_inplace_errors must map each statement to True or False, got "
                    f"{predicted[not_bool[0]]!r:.40} for {not_bool[0]!r}")
    live = live_errors(seed)
    wrong = [s for s in INPLACE_CASES if predicted[s] != live[s]]
    if wrong:
        listed = "; ".join(f"'{s}' {'raises' if live[s] else 'runs fine'} ({CASE_REASONS[s]})" for s in wrong[:3])
        more = f" (and {len(wrong) - 3} more)" if len(wrong) > 3 else ""
        checks.fail(f"predict_inplace_errors: {len(wrong)} of {len(INPLACE_CASES)} predictions differ from "
                    f"torch {torch.__version__}: {listed}{more}")


# ------------------------------------------------------------------- version_counts

STEPS = ("created", "t.add_(1)", "t[0] = 5", "u = t.view(-1); u.mul_(2)", "t.detach().zero_()")
STEP_HINTS = {
    1: "t.add_(1) is an in-place operation: it bumps t's version",
    2: "t[0] = 5 copies into t in place: it bumps t's version",
    3: "a view shares its base's version counter: u.mul_(2) bumps t's version too",
    4: "a detached tensor shares the version counter: t.detach().zero_() bumps t's version (only .data hides "
       "an edit)",
}


@ground_truth
def versions(a: torch.Tensor) -> list[int]:
    """t._version after each of STEPS, on t = a.detach().clone(), read from the installed torch."""
    t = torch.clone(torch.Tensor.detach(a))
    seen = [t._version]
    t.add_(1)
    seen.append(t._version)
    t.__setitem__(0, 5)
    seen.append(t._version)
    view = torch.Tensor.view(t, -1)
    view.mul_(2)
    seen.append(t._version)
    torch.Tensor.zero_(t.detach())
    seen.append(t._version)
    return seen


def edited(values: torch.Tensor, requires_grad: bool) -> torch.Tensor:
    """Build: a tensor holding ``values`` that was already edited in place twice (its _version is 2);
    with requires_grad it carries history, as an activation does."""
    t = values.detach().clone().requires_grad_(requires_grad) * 1.0 if requires_grad else values.clone()
    t.add_(0)
    t.mul_(1)
    return t


def view_of_leaf(values: torch.Tensor) -> torch.Tensor:
    """Build: ``values`` as a view (rows 1:) of a larger leaf that requires grad."""
    base = torch.cat([torch.zeros_like(values[:1]), values.detach()]).requires_grad_(True)
    return base[1:]


def with_history(values: torch.Tensor) -> torch.Tensor:
    """Build: a non-leaf holding ``values``."""
    return values.detach().clone().requires_grad_(True) * 1.0


def local(argument: Any) -> Any:
    """The grader's own copy of an argument that a Build makes in the student's process."""
    if isinstance(argument, Build):
        return argument.fn(*argument.args, **argument.kwargs)
    return argument


def version_hint(got: list[int], expected: list[int]) -> str:
    """Why a list of versions may differ from the live one."""
    shift = got[0] - expected[0] if got and expected else 0
    if len(got) == len(expected) and shift > 0 and got == [v + shift for v in expected]:
        return (f"t started at version {got[0]}, the caller's a's: a.detach() without .clone() shares a's version "
                "counter (and memory), so the steps also edit the caller's a")
    if len(set(got)) == 1:
        return "the version never changed: read t._version after each step, on t itself"
    if len(got) == len(expected):
        for i in range(1, len(got)):
            if got[i] - got[i - 1] < expected[i] - expected[i - 1]:
                return STEP_HINTS[i]
    return ""


def _check_versions(fn: StudentFunction, description: str, argument: Any):
    """Run fn on one argument; the outcome, after the list of versions was found right."""
    label = f"version_counts({description})"
    outcome = fn.run(argument)
    got = checks.expect_ok(outcome)
    if not isinstance(got, list) or not all(type(v) is int for v in got):
        checks.fail(f"{label} must return a list of Python ints (t._version), got {got!r:.80}")
    mine = local(argument)
    expected = versions(mine.detach().clone())
    if got != expected:
        if len(got) != len(expected):
            checks.fail(f"{label} must give {len(expected)} versions, one after each of: {', '.join(STEPS)}; "
                        f"got {got}")
        hint = version_hint(got, expected)
        checks.fail(f"{label}: expected {expected}, got {got}" + (f"; {hint}" if hint else ""))
    return outcome


def check_version_counts(fn: StudentFunction, cases: Iterable[tuple[str, Any]]) -> None:
    """For each (description, argument): the versions after each step equal the installed torch's."""
    for description, argument in cases:
        _check_versions(fn, description, argument)


def check_version_counts_callers(fn: StudentFunction, inputs: Iterable[torch.Tensor]) -> None:
    """The versions are right, and the caller's a (values, requires_grad, .grad) is left as it was."""
    for a in inputs:
        outcome = _check_versions(fn, checks.describe_inputs([a]), a)
        after = outcome.args_after[0] if outcome.args_after else None
        if isinstance(after, TensorResult) and not torch.equal(after.value, a.detach()):
            checks.fail("version_counts changed the values of the caller's a: t = a.detach() shares a's memory; "
                        "work on t = a.detach().clone()")
        checks.check_unchanged(a, after, name="a")


# ------------------------------------------------- saved_tensor_shapes, saved_bytes
# The functions whose saved tensors are asked about. They are sent to the student's process by
# reference (pickled by name), so they live here, at module level.


def layer(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """tanh(x @ w): mm saves w (for x's gradient) and x (for w's), tanh its output."""
    return torch.tanh(x @ w)


def square(x: torch.Tensor) -> torch.Tensor:
    """x * x: mul saves x twice, once as each operand."""
    return x * x


def rows_product(x: torch.Tensor) -> torch.Tensor:
    """x[0] * x[1]: mul saves two views of x."""
    return x[0] * x[1]


def exp_squared(x: torch.Tensor) -> torch.Tensor:
    """exp(x) ** 2: exp saves its output, which pow saves again as its input."""
    return x.exp() ** 2


def sigmoid_scaled(x: torch.Tensor) -> torch.Tensor:
    """sigmoid(x) * 2: sigmoid saves its output; times a number saves nothing."""
    return x.sigmoid() * 2


def shifted_sum(x: torch.Tensor) -> torch.Tensor:
    """(x + 1).sum(): saves no tensor at all."""
    return (x + 1).sum()


def saved_cases(seed: int) -> list[tuple]:
    """(fn, *arguments) for the saved-tensor functions: float32 and float64, inputs that require grad or
    not, a tensor saved twice, views (built in the student's process), and a function that saves nothing."""
    (x3, w3), = strategies.tensors(2, seed=seed, shapes=((3, 3),), dtypes=(torch.float32,))
    (x2,), (x2d,) = strategies.tensors(1, seed=seed + 1, shapes=((2, 4),))
    (v,), = strategies.tensors(1, seed=seed + 2, shapes=((4,),), dtypes=(torch.float64,))
    return [
        (layer, x3, w3),
        (layer, x3.detach(), w3),
        (square, x2),
        (rows_product, x2d),
        (exp_squared, v),
        (sigmoid_scaled, x2d),
        (shifted_sum, x2),
        (square, Build(view_of_leaf, (x2d.detach(),))),
        (rows_product, Build(view_of_leaf, (x2.detach(),))),
    ]


@ground_truth(also=lambda fn, *inputs: saved_record(fn, *_requiring_grad(inputs)))
def saved_record(fn, *inputs: torch.Tensor) -> list[tuple[tuple[int, ...], int, int, int]]:
    """For each tensor saved while fn(*inputs) runs, in saving order: (shape, numel * element_size,
    the size of its whole storage, the index of the first saving of the same tensor)."""
    record = []
    seen: dict[tuple, int] = {}

    def on_save(t: torch.Tensor) -> torch.Tensor:
        same = (t.data_ptr(), tuple(t.shape), t.stride(), t.dtype)
        seen.setdefault(same, len(record))
        record.append((tuple(t.shape), t.numel() * t.element_size(), t.untyped_storage().nbytes(), seen[same]))
        return t

    hooks = torch.autograd.graph.saved_tensors_hooks(on_save, _identity)
    with hooks:
        fn(*inputs)
    return record


def _identity(t):
    return t


def _requiring_grad(inputs: Sequence[Any]) -> tuple:
    """Copies of the inputs that all require grad: what recording on fresh leaf copies sees."""
    return tuple(t.detach().clone().requires_grad_(True) if isinstance(t, torch.Tensor) and t.is_floating_point()
                 else t for t in inputs)


def _label(name: str, fn, inputs: Sequence[Any]) -> str:
    parts = []
    for t in inputs:
        if isinstance(t, torch.Tensor):
            text = checks.describe_inputs([t])
            text += " view" if t._base is not None else ""
            text += " requiring grad" if t.requires_grad else ""
            parts.append(text)
    return f"{name}({fn.__name__}, {', '.join(parts)})"


def _deduplicated(record: list) -> list:
    return [entry for i, entry in enumerate(record) if entry[3] == i]


def shapes_mistakes(fn, inputs: Sequence[torch.Tensor], record: list) -> dict[str, list]:
    """Wrong lists of shapes with a known cause, from the grader's own recordings."""
    shapes = [entry[0] for entry in record]
    mistakes = {
        "a tensor saved twice counts twice (x * x saves x twice): don't skip tensors already seen":
            [entry[0] for entry in _deduplicated(record)],
        "nothing was recorded: record in the pack hook, which runs as the forward saves (unpack runs only at "
        "backward), and run fn with grad enabled on the inputs as given": [],
        "the shapes are in reverse order: keep the order in which autograd saves them": shapes[::-1],
    }
    copies = optional(saved_record, fn, *_requiring_grad(inputs))
    if copies is not None:
        mistakes["these are the tensors saved by copies of the inputs that all require grad: run fn on the "
                 "caller's inputs as given (what is saved depends on which inputs require grad)"] = [
            entry[0] for entry in copies]
    return {text: wrong for text, wrong in mistakes.items() if wrong != shapes}


def bytes_mistakes(fn, inputs: Sequence[torch.Tensor], record: list) -> dict[str, int]:
    """Wrong totals with a known cause, from the grader's own recordings."""
    total = sum(entry[1] for entry in record)
    numel = sum(math.prod(entry[0]) for entry in record)
    mistakes = {
        "that is the number of elements: multiply each tensor's numel() by its element_size()": numel,
        "every element was counted as 4 bytes: element_size() depends on the dtype (8 for float64)": numel * 4,
        "that is the size of whole storages: a saved view may use a small part of its storage; count "
        "numel() * element_size()": sum(entry[2] for entry in record),
        "a tensor saved twice counts twice (x * x saves x twice): don't skip tensors already seen":
            sum(entry[1] for entry in _deduplicated(record)),
    }
    copies = optional(saved_record, fn, *_requiring_grad(inputs))
    if copies is not None:
        mistakes["that is what copies of the inputs that all require grad save: run fn on the caller's "
                 "inputs as given"] = sum(entry[1] for entry in copies)
    return {text: wrong for text, wrong in mistakes.items() if wrong != total}


def _check_shapes_value(got: Any, fn, inputs: Sequence[torch.Tensor], label: str) -> None:
    if isinstance(got, Opaque) and "Size" in got.type_name:
        checks.fail(f"{label} must return a list of tuples of ints, got a torch.Size: use tuple(t.shape)")
    if not isinstance(got, list):
        kind = got.type_name if isinstance(got, Opaque) else type(got).__name__
        checks.fail(f"{label} must return a list of shapes (tuples of ints), got {kind}")
    for shape in got:
        if isinstance(shape, Opaque) and "Size" in shape.type_name:
            checks.fail(f"{label} must hold tuples of ints, got torch.Size: use tuple(t.shape)")
        if not isinstance(shape, tuple) or not all(type(n) is int for n in shape):
            checks.fail(f"{label} must hold tuples of ints, got {shape!r:.60}")
    record = saved_record(fn, *inputs)
    expected = [entry[0] for entry in record]
    if got != expected:
        message = f"{label}: expected {expected}, got {got}"
        hint = next((text for text, wrong in shapes_mistakes(fn, inputs, record).items() if wrong == got), None)
        checks.fail(f"{message}; {hint}" if hint else message)


def _check_bytes_value(got: Any, fn, inputs: Sequence[torch.Tensor], label: str) -> None:
    if isinstance(got, TensorResult):
        checks.fail(f"{label} must return a Python int, got a tensor (use .item(), or sum Python ints)")
    if type(got) is not int:
        kind = got.type_name if isinstance(got, Opaque) else type(got).__name__
        checks.fail(f"{label} must return a Python int, got {kind}")
    record = saved_record(fn, *inputs)
    expected = sum(entry[1] for entry in record)
    if got != expected:
        message = f"{label}: expected {expected} bytes, got {got}"
        hint = next((text for text, wrong in bytes_mistakes(fn, inputs, record).items() if wrong == got), None)
        checks.fail(f"{message}; {hint}" if hint else message)


VALUE_CHECKS = {"saved_tensor_shapes": _check_shapes_value, "saved_bytes": _check_bytes_value}


def check_saved(student_fn: StudentFunction, cases: Iterable[tuple]) -> None:
    """For each (fn, *arguments): student_fn(fn, *arguments) equals what the grader's hooks record while
    fn runs on the same inputs (arguments may be Builds, made in the student's process)."""
    for fn, *arguments in cases:
        inputs = [local(a) for a in arguments]
        got = checks.expect_ok(student_fn.run(fn, *arguments))
        VALUE_CHECKS[student_fn.name](got, fn, inputs, _label(student_fn.name, fn, inputs))


def check_saved_callers(student_fn: StudentFunction, cases: Iterable[tuple]) -> None:
    """The answer is right, and the caller's tensors (values, requires_grad, .grad) are left as they were."""
    for fn, *inputs in cases:
        outcome = student_fn.run(fn, *inputs)
        VALUE_CHECKS[student_fn.name](checks.expect_ok(outcome), fn, inputs, _label(student_fn.name, fn, inputs))
        # args_after[0] is fn itself.
        for i, (before, after) in enumerate(zip(inputs, outcome.args_after[1:])):
            if isinstance(after, TensorResult) and _grad_changed(before, after):
                checks.fail(f"{student_fn.name} changed the .grad of the caller's input {i}: autograd saves during "
                            "the forward, so no backward is needed")
            checks.check_unchanged(before, after, name=f"input {i}")


def _grad_changed(before: torch.Tensor, after: TensorResult) -> bool:
    if before.grad is None or after.grad is None:
        return (before.grad is None) != (after.grad is None)
    return not torch.equal(before.grad, after.grad.value)


# ------------------------------------------------------------------ checkpointed_mlp


def mlp_problem(sizes: Sequence[int], batch: int | None, dtype: torch.dtype, seed: int,
                x_requires_grad: bool = True) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """(x, weights): x of shape (batch, sizes[0]) (or (sizes[0],) when batch is None), and one weight
    (sizes[i], sizes[i + 1]) per layer, all leaves; weights scaled so that tanh does not saturate."""
    generator = torch.Generator().manual_seed(seed)
    draw = lambda *shape: torch.randn(shape, generator=generator, dtype=torch.float64)
    x = draw(*((batch,) if batch else ()), sizes[0]).to(dtype).requires_grad_(x_requires_grad)
    weights = [(draw(m, n) / m ** 0.5).to(dtype).requires_grad_(True) for m, n in zip(sizes, sizes[1:])]
    return x, weights


def plain_mlp(x: torch.Tensor, weights: Sequence[torch.Tensor]) -> torch.Tensor:
    """The contract's MLP without checkpointing: h = tanh(h @ w) for each w."""
    h = x
    for weight in weights:
        h = torch.tanh(h @ weight)
    return h


def plain_mlp_reference(x: torch.Tensor, weights: Sequence[torch.Tensor]):
    """The plain MLP's value, and the gradient of its sum reaching x and each weight (None for a
    tensor that does not require grad), by torch.autograd on fresh leaves."""
    leaves = [t.detach().clone().requires_grad_(t.requires_grad) for t in (x, *weights)]
    value = plain_mlp(leaves[0], leaves[1:])
    wanted = [t for t in leaves if t.requires_grad]
    grads = iter(torch.autograd.grad(value.sum(), wanted))
    return value.detach(), [next(grads) if t.requires_grad else None for t in leaves]


_SAVED: dict[str, list | None] = {"log": None}


def record_saved_tensors():
    """setup: from now on, every tensor autograd saves in this thread is logged as (shape, bytes)
    with the grader's own hooks; returns the undo."""
    log: list = []
    _SAVED["log"] = log

    def on_save(t: torch.Tensor) -> torch.Tensor:
        log.append((tuple(t.shape), t.numel() * t.element_size()))
        return t

    hooks = torch.autograd.graph.saved_tensors_hooks(on_save, _identity)
    hooks.__enter__()

    def undo() -> None:
        hooks.__exit__(None, None, None)
        _SAVED["log"] = None

    return undo


def mlp_report(result, x, weights) -> dict:
    """Probe: what was saved while the MLP ran (when record_saved_tensors set up the call), then the
    gradient of result.sum() reaching x and each weight (None where that tensor does not require grad)."""
    log = _SAVED["log"]
    report = {"saved": None if log is None else list(log), "grads": None}
    if isinstance(result, torch.Tensor) and result.requires_grad:
        leaves = [x, *weights]
        wanted = [t for t in leaves if t.requires_grad]
        grads = iter(torch.autograd.grad(result.sum(), wanted, allow_unused=True))
        report["grads"] = [next(grads) if t.requires_grad else None for t in leaves]
    return report


REENTRANT = "CheckpointFunctionBackward"


def _run_mlp(fn: StudentFunction, x, weights, measure: bool):
    """Call fn on (x, weights) and check its value and gradients against the plain MLP; the report."""
    label = f"checkpointed_mlp({checks.describe_inputs([x])}, {len(weights)} weights)"
    setup = {"setup": record_saved_tensors} if measure else {}
    outcome = fn.run(x, weights, probe=mlp_report, **setup)
    if outcome.ok and isinstance(outcome.value, TensorResult) and outcome.value.grad_fn == REENTRANT:
        checks.fail(f"{label} is recorded by {REENTRANT}: that is use_reentrant=True (also what checkpoint does "
                    "when use_reentrant is not given); pass use_reentrant=False")
    got = checks.expect_ok(outcome)
    value, expected = plain_mlp_reference(x, weights)
    checks.check_close(got, value, name=label)
    checks.check_unchanged(x, outcome.args_after[0], name="x")
    after = outcome.args_after[1]
    if not isinstance(after, list) or len(after) != len(weights):
        checks.fail("checkpointed_mlp changed the caller's list of weights")
    for i, (w, seen) in enumerate(zip(weights, after)):
        checks.check_unchanged(w, seen, name=f"weights[{i}]")
    report = outcome.probe if isinstance(outcome.probe, dict) else {}
    grads = report.get("grads")
    if grads is None:
        checks.fail(f"{label} does not require grad, so no gradient reaches the weights: checkpoint keeps the "
                    "graph; don't compute under torch.no_grad() or detach")
    names = ["x"] + [f"weights[{i}]" for i in range(len(weights))]
    for name, grad, want in zip(names, grads, expected):
        if want is None:
            continue
        where = f"gradient of {label}.sum() reaching {name}"
        if grad is None:
            checks.fail(f"{where}: none arrived; a .detach() (or a copy) between layers cuts the gradient off")
        checks.check_close(grad, want, name=where)
    return report


def check_mlp_matches_plain(fn: StudentFunction, cases: Iterable[tuple]) -> None:
    """For each (sizes, batch, dtype, seed, x requires grad): checkpointed_mlp's value and the gradients of
    its sum equal the plain MLP's, computed here; the caller's tensors are left alone."""
    for sizes, batch, dtype, seed, x_grad in cases:
        x, weights = mlp_problem(sizes, batch, dtype, seed, x_grad)
        _run_mlp(fn, x, weights, measure=False)


def check_mlp_saves_less(fn: StudentFunction, cases: Iterable[tuple]) -> None:
    """For each (sizes, batch, dtype, seed): value and gradients are right (as above), and the tensors saved
    while checkpointed_mlp ran, recorded in the student's process by the grader's own hooks, take fewer bytes
    than the plain MLP's, recorded here."""
    for sizes, batch, dtype, seed in cases:
        x, weights = mlp_problem(sizes, batch, dtype, seed, True)
        report = _run_mlp(fn, x, weights, measure=True)
        saved = report.get("saved")
        if not isinstance(saved, list):
            checks.fail("checkpointed_mlp: the grader could not record what was saved")
        got = sum(entry[1] for entry in saved)
        plain = sum(entry[1] for entry in saved_record(plain_mlp, x, weights))
        label = f"checkpointed_mlp({checks.describe_inputs([x])}, {len(weights)} weights)"
        if got == plain:
            checks.fail(f"{label} saved {got} bytes for backward, as many as without checkpointing: wrap each "
                        "layer in torch.utils.checkpoint.checkpoint(..., use_reentrant=False)")
        if got > plain:
            checks.fail(f"{label} saved {got} bytes for backward, more than the {plain} saved without "
                        "checkpointing")
