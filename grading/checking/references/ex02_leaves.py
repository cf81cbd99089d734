"""Ground truth for ex02_leaves, and the checks its grader and notebook share."""
from __future__ import annotations

import functools

import torch

from grading.checking import checks
from grading.checking.references import ground_truth
from grading.runtime.targets import StudentFunction, expect_ok
from grading.runtime.wire import TensorResult

KEYS = ("w", "x", "a", "b", "y")


@ground_truth
def grads(w: torch.Tensor, x: torch.Tensor) -> dict[str, torch.Tensor | None]:
    """Every .grad after y.backward() with a and b retained, from torch.autograd on fresh leaves."""
    w = w.detach().clone().requires_grad_(True)
    x = x.detach().clone().requires_grad_(True)
    a, b = torch.add(w, x), torch.add(w, 1)
    a.retain_grad()
    b.retain_grad()
    y = torch.mul(a, b)
    y.backward(torch.ones_like(y))
    return {"w": w.grad, "x": x.grad, "a": a.grad, "b": b.grad, "y": None}


def dy_da(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """dy/da from torch.autograd.grad, a taken as the input."""
    a = torch.add(w.detach(), x.detach()).requires_grad_(True)
    y = torch.mul(a, torch.add(w.detach(), 1))
    (grad,) = torch.autograd.grad(y, a, torch.ones_like(y))
    return grad


# What typical wrong answers evaluate to, so messages can name them.
DY_DA_MISTAKES = {
    "that is dy/db = a: the hook is on b instead of a": lambda w, x: (w + x).detach(),
    "that is dy/dw = a + b: the gradient of the leaf w, not of a": lambda w, x: (2 * w + x + 1).detach(),
}


def check_grads_after_backward(fn: StudentFunction, inputs) -> None:
    """The dict of .grad values after backward equals autograd's, key by key."""
    for w, x in inputs:
        got = expect_ok(fn.run(w, x))
        label = f"grads_after_backward({checks.describe_inputs((w, x))})"
        if not isinstance(got, dict):
            checks.fail(f"{label} must return a dict with keys {list(KEYS)}, got {type(got).__name__}")
        if set(got) != set(KEYS):
            checks.fail(f"{label} must return the keys {list(KEYS)}, got {sorted(got, key=str)}")
        expected = grads(w, x)
        if got["y"] is not None:
            checks.fail(f'{label}["y"] must be None (y is not a leaf and its gradient is not kept), '
                        f"got {checks.short(getattr(got['y'], 'value', got['y']))}: retain the gradients "
                        "of a and b only, not y")
        for key in ("a", "b"):
            if got[key] is None:
                checks.fail(f'{label}["{key}"] is None: {key} is not a leaf, so backward drops its gradient '
                            f"unless {key}.retain_grad() is called before y.backward()")
        other = {"a": "b", "b": "a"}
        for key in ("w", "x", "a", "b"):
            if got[key] is None:
                checks.fail(f'{label}["{key}"] is None: did y.backward() run on the w and x passed in?')
            mistakes = {f"those are the gradients of {other[key]} and {key} swapped": expected[other[key]]} \
                if key in other else {}
            checks.check_close(got[key], expected[key], name=f'{label}["{key}"]', mistakes=mistakes)


# -------------------------------------------- how grad_of_intermediate got its gradient
# A setup in the student's process counts the calls that tell a hook from the alternatives
# the exercise rules out; a probe reports the counts next to the result.

_CALLS = {"retain_grad": 0, "register_hook": 0, "autograd.grad": 0}


def count_gradient_calls():
    """setup: count Tensor.retain_grad, Tensor.register_hook and torch.autograd.grad calls.

    Returns the function that undoes the patches (a notebook kernel lives on).
    """
    saved = []

    def counting(owner, name, key):
        original = getattr(owner, name)

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            _CALLS[key] += 1
            return original(*args, **kwargs)

        saved.append((owner, name, original, name in vars(owner)))
        setattr(owner, name, wrapper)

    for key in _CALLS:
        _CALLS[key] = 0
    counting(torch.Tensor, "retain_grad", "retain_grad")
    counting(torch.Tensor, "register_hook", "register_hook")
    counting(torch.autograd, "grad", "autograd.grad")

    def undo():
        for owner, name, original, own in reversed(saved):
            if own:
                setattr(owner, name, original)
            else:
                delattr(owner, name)  # retain_grad lives on the C base class

    return undo


def gradient_calls(result, *args) -> dict[str, int]:
    """probe: the counts made by count_gradient_calls while the function ran."""
    return dict(_CALLS)


def check_grad_of_intermediate(fn: StudentFunction, inputs) -> None:
    """dy/da equals autograd's, and it came from a tensor hook."""
    for w, x in inputs:
        outcome = fn.run(w, x, setup=count_gradient_calls, probe=gradient_calls)
        got = expect_ok(outcome)
        label = f"grad_of_intermediate({checks.describe_inputs((w, x))})"
        calls = outcome.probe if isinstance(outcome.probe, dict) else {}
        if calls.get("retain_grad"):
            checks.fail(f"{label} called retain_grad: capture dy/da with a.register_hook(...) instead")
        if calls.get("autograd.grad"):
            checks.fail(f"{label} called torch.autograd.grad: capture dy/da with a.register_hook(...) "
                        "and y.backward() instead")
        if got is None:
            _check_dy_da(got, w, x, label)
        if not calls.get("register_hook"):
            checks.fail(f"{label} registered no tensor hook: use a.register_hook(...)")
        _check_dy_da(got, w, x, label)


def _check_dy_da(got, w: torch.Tensor, x: torch.Tensor, label: str) -> None:
    """What came back is dy/da, with the known mistakes named."""
    if got is None:
        checks.fail(f"{label} returned None: was the hook registered before y.backward()? "
                    "A hook added afterwards is never called")
    known = {text: wrong(w, x) for text, wrong in DY_DA_MISTAKES.items()}
    checks.check_close(got, dy_da(w, x), name=label, mistakes=known)


def check_callers_grads_untouched(fn: StudentFunction, inputs) -> None:
    """The value is dy/da (a side property earns nothing on a wrong answer), and the caller's w and x
    keep their values, requires_grad and .grad (None or not)."""
    for w, x in inputs:
        outcome = fn.run(w, x)
        _check_dy_da(expect_ok(outcome), w, x, f"grad_of_intermediate({checks.describe_inputs((w, x))})")
        for name, before, after in zip("wx", (w, x), outcome.args_after):
            grad = getattr(after, "grad", None)
            changed = (before.grad is None) != (grad is None) or (
                grad is not None and not torch.equal(grad.value, before.grad))
            if changed:
                checks.fail(f"{fn.name} changed the caller's {name}.grad: run backward on a fresh leaf "
                            f"({name}.detach().requires_grad_()), not on the tensors passed in")
            checks.check_unchanged(before, after, name=name)


# ----------------------------------------------------------------------- make_leaf


def grad_after_backward(result, *args, **kwargs):
    """probe: backpropagate result.sum() and report result.grad (None when there is none)."""
    if not isinstance(result, torch.Tensor) or not result.requires_grad:
        return None
    result.sum().backward()
    return result.grad if result.is_leaf else None


def check_make_leaf(fn: StudentFunction, cases) -> None:
    """A leaf with the values, dtype and device asked for, whose .grad backward fills.

    ``cases`` are (values, kwargs) pairs; ``values`` is a list or a tensor.
    """
    for values, kwargs in cases:
        outcome = fn.run(values, probe=grad_after_backward, **kwargs)
        got = expect_ok(outcome)
        dtype = kwargs.get("dtype", torch.float32)
        device = str(kwargs.get("device", "cpu"))
        asked = ", ".join([f"{'tensor' if isinstance(values, torch.Tensor) else 'list'}"]
                          + [f"{k}={str(v).replace('torch.', '')}" for k, v in kwargs.items()])
        label = f"make_leaf({asked})"
        expected = torch.as_tensor(values, dtype=dtype).detach()
        got = checks.check_tensor(got, name=label, shape=expected.shape, finite=False)
        if got.dtype != dtype:
            checks.fail(f"{label} has dtype {got.dtype}, expected {dtype}: create the tensor with dtype=dtype")
        checks.check_close(got, expected, name=label, dtype=dtype, device=device)
        if not got.requires_grad:
            checks.fail(f"{label} does not require grad: call requires_grad_() on it (or pass requires_grad=True)")
        if not got.is_leaf:
            checks.fail(f"{label} is not a leaf (grad_fn={got.grad_fn}), so backward never fills its .grad: "
                        ".to() or .cuda() on a tensor that already requires grad is recorded as an operation; "
                        "convert first, then switch on requires_grad")
        grad = outcome.probe
        if not isinstance(grad, TensorResult) or not checks.is_close(grad.value, torch.ones_like(expected)):
            checks.fail(f"{label}: after backward its .grad should be all ones, got "
                        f"{checks.short(getattr(grad, 'value', grad))}")
        if isinstance(values, torch.Tensor) and outcome.args_after[0].requires_grad != values.requires_grad:
            checks.fail(f"{label} switched on requires_grad of the caller's values tensor: torch.as_tensor "
                        "(and .to()) return the very same tensor when nothing needs converting; copy it with .clone()")
        if isinstance(values, torch.Tensor):
            checks.check_unchanged(values, outcome.args_after[0], name="values")
