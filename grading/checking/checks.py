"""The checks every grader is made of, used by the pytest graders and the notebooks alike.

Each check takes what the student's function returned (plain values rebuilt by the
grader, see :mod:`grading.runtime.wire`) and a reference computed here, in the grader's
process, with torch.autograd as the ground truth. A failed check raises
:class:`GradingFailure` with one line that says what was expected, what came back
and, where a known mistake explains the difference, which mistake.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import torch

from grading import settings
from grading.checking import graphs, probes
from grading.runtime.targets import GradingFailure, StudentFunction, expect_ok
from grading.runtime.wire import Opaque, TensorResult

# Looser than torch.testing's defaults for float32: a chain rule written by hand sums
# in another order than autograd does.
TOLERANCES = {
    torch.float16: (1e-3, 1e-3),
    torch.bfloat16: (1.6e-2, 1e-2),
    torch.float32: (1e-5, 1e-5),
    torch.float64: (1e-7, 1e-9),
}


def tolerances(dtype: torch.dtype) -> tuple[float, float]:
    """(rtol, atol) for comparing values of this dtype."""
    return TOLERANCES.get(dtype, (0.0, 0.0))


def fail(message: str) -> None:
    raise GradingFailure(" ".join(str(message).split()))


def short(t: torch.Tensor | Any, items: int = 4) -> str:
    """A compact rendering of a tensor for a one-line message."""
    if not isinstance(t, torch.Tensor):
        return repr(t)[:80]
    flat = t.detach().reshape(-1)
    values = ", ".join(f"{v:.4g}" for v in flat[:items].tolist())
    more = ", ..." if flat.numel() > items else ""
    return f"[{values}{more}]" if t.dim() else values


def describe_inputs(inputs: Sequence[Any]) -> str:
    parts = []
    for value in inputs:
        if isinstance(value, torch.Tensor):
            shape = "x".join(map(str, value.shape)) or "scalar"
            parts.append(f"{shape} {str(value.dtype).replace('torch.', '')}")
        elif isinstance(value, (int, float)):
            parts.append(repr(value))
    return ", ".join(parts)


# ----------------------------------------------------------------- tensors


def check_tensor(actual: Any, *, name: str, shape: Sequence[int] | None = None,
                 dtype: torch.dtype | None = None, device: str | None = None,
                 finite: bool = True) -> TensorResult:
    """A real torch.Tensor with the expected shape, dtype and device, and no NaN."""
    if isinstance(actual, Opaque) and actual.type_name.startswith("subclass"):
        fail(f"{name} must be a plain torch.Tensor, got a {actual.type_name}")
    if not isinstance(actual, TensorResult):
        kind = actual.type_name if isinstance(actual, Opaque) else type(actual).__name__
        fail(f"{name} must be a torch.Tensor, got {kind}")
    if not actual.is_plain_tensor:
        fail(f"{name} must be a plain torch.Tensor, got a {actual.type_name}")
    if shape is not None and tuple(actual.shape) != tuple(shape):
        fail(f"{name} has shape {tuple(actual.shape)}, expected {tuple(shape)}")
    if dtype is not None and actual.dtype != dtype:
        fail(f"{name} has dtype {actual.dtype}, expected {dtype} (outputs keep the input dtype)")
    if device is not None and torch.device(actual.device) != torch.device(device):
        fail(f"{name} is on {actual.device}, expected {device} (outputs stay on the input's device)")
    if finite and actual.value.is_floating_point() and not torch.isfinite(actual.value).all():
        fail(f"{name} contains NaN or infinity: {short(actual.value)}")
    return actual


def is_close(actual: torch.Tensor, expected: torch.Tensor, dtype: torch.dtype | None = None) -> bool:
    if actual.shape != expected.shape:
        return False
    rtol, atol = tolerances(dtype or expected.dtype)
    return bool(torch.allclose(actual.double(), expected.detach().double(), rtol=rtol, atol=atol, equal_nan=False))


def diagnose(actual: torch.Tensor, expected: torch.Tensor,
             mistakes: Mapping[str, torch.Tensor] | None = None) -> str | None:
    """Name the likely mistake when the difference has a known shape."""
    for label, wrong in (mistakes or {}).items():
        if wrong is not None and wrong.shape == actual.shape and is_close(actual, wrong, expected.dtype):
            return label
    if actual.shape != expected.shape or not expected.abs().gt(1e-6).any():
        return None
    if is_close(actual, torch.zeros_like(expected), expected.dtype):
        return "all zeros: did the gradient reach this tensor at all?"
    if is_close(actual, -expected, expected.dtype):
        return "the sign is flipped"
    mask = expected.abs() > 1e-6
    ratio = (actual.double()[mask] / expected.double()[mask])
    k = ratio.mean().item()
    if ratio.numel() and torch.allclose(ratio, torch.full_like(ratio, k), rtol=1e-4, atol=1e-6):
        n = round(k)
        if n >= 2 and abs(k - n) < 1e-3:
            times = "twice" if n == 2 else f"{n} times"
            return f"{times} the expected value: was .grad accumulated without being cleared?"
        if abs(k - 0.5) < 1e-3:
            return "half the expected value: was one of the paths (or a factor 2) left out?"
    return None


def check_close(actual: TensorResult | Any, expected: torch.Tensor, *, name: str,
                mistakes: Mapping[str, torch.Tensor] | None = None, dtype: torch.dtype | None = None,
                device: str | None = None) -> None:
    """Same shape, dtype and device as ``expected`` and equal values within the dtype's tolerance."""
    expected = expected.detach()
    actual = check_tensor(actual, name=name, shape=expected.shape, dtype=dtype or expected.dtype,
                          device=device)
    if is_close(actual.value, expected):
        return
    diff = (actual.value.double() - expected.double()).abs().max().item()
    message = f"{name}: expected {short(expected)}, got {short(actual.value)} (largest difference {diff:.3g})"
    hint = diagnose(actual.value, expected, mistakes)
    fail(f"{message}; {hint}" if hint else message)


# ---------------------------------------------------------------- gradients


def no_grad_copy(value: Any) -> Any:
    """Inputs for a 'without autograd' call: same values, not requiring grad."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, (list, tuple)):
        return type(value)(no_grad_copy(v) for v in value)
    return value


def check_gradients(fn: StudentFunction, *, reference: Callable[..., torch.Tensor],
                    inputs: Iterable[Sequence[Any]], without_autograd: bool = True,
                    mistakes: Mapping[str, Callable[..., torch.Tensor]] | None = None,
                    untouched: bool = True, names: Sequence[str] | None = None) -> None:
    """``fn(*args)`` equals ``reference(*args)`` (autograd, in the grader) for every input.

    With ``without_autograd`` the call runs under ``torch.no_grad()`` on inputs that
    do not require grad, and any call of backward or torch.autograd.grad fails it.
    ``mistakes`` maps a description of a known wrong answer to a function computing it.
    With ``untouched`` (the contract's rule for every function) the caller's tensors, named
    ``names``, keep their values, requires_grad and .grad; a grader that tests this in a test
    of its own passes False.
    """
    for args in inputs:
        call_args = no_grad_copy(args) if without_autograd else args
        outcome = fn.run(*call_args, no_grad=without_autograd)
        value = expect_ok(outcome)
        label = f"{fn.name}({describe_inputs(args)})"
        if without_autograd and outcome.autograd_calls:
            fail(f"{label} must be computed without autograd, but it called backward or torch.autograd.grad")
        expected = reference(*args)
        known = {text: wrong(*args) for text, wrong in (mistakes or {}).items()}
        check_close(value, expected, name=label, mistakes=known,
                    device=str(expected.device))
        if untouched:
            check_untouched(outcome, call_args, names=names, label=label)


def check_unchanged(before: torch.Tensor, after: Any, *, name: str) -> None:
    """The caller's tensor kept its values, requires_grad and .grad."""
    after = check_tensor(after, name=name, finite=False)
    if not torch.equal(after.value, before.detach()):
        fail(f"the function changed the values of the caller's {name}")
    if after.requires_grad != before.requires_grad:
        fail(f"the function changed {name}.requires_grad from {before.requires_grad} to {after.requires_grad}")
    if before.grad is None and after.grad is not None:
        fail(f"the function left a gradient in the caller's {name}.grad (it was None): "
             "work on a copy, or use torch.autograd.grad")
    if before.grad is not None:
        if after.grad is None:
            fail(f"the function cleared the caller's {name}.grad")
        if not torch.equal(after.grad.value, before.grad):
            fail(f"the function changed the caller's {name}.grad: work on a copy, or use torch.autograd.grad")


# -------------------------------------------------------------------- graphs


# Called with each picture a failed check writes; a notebook kernel displays it, so
# that nbgrader's feedback page embeds it (see grading.students.kernel).
PICTURE_HOOKS: list[Callable[[Path], None]] = []


def picture_dir() -> Path:
    """Where side-by-side graph pictures go: $GRADING_PICTURES, ./grading-feedback if it
    can be written (a sandboxed kernel may not), else the temporary folder."""
    chosen = settings.pictures_folder()
    if chosen is not None:
        return chosen
    here = Path("grading-feedback")
    if os.access(here if here.exists() else Path.cwd(), os.W_OK):
        return here
    import tempfile

    return Path(tempfile.gettempdir()) / "grading-feedback"


def check_graph(fn: StudentFunction, *, reference: Callable[..., torch.Tensor], inputs: Sequence[Any],
                params: Mapping[str, int], output: int | None = None, picture: str | None = None) -> None:
    """The torchviz rendering of the student's result equals the reference rendering.

    ``reference(*inputs)`` returns the reference tensor, or its DOT source. ``params``
    names the inputs (``{"w": 0, "x": 1}``) in both renderings; ``output`` picks an
    item when the function returns a tuple. On a mismatch the message lists the
    differences and a side-by-side picture is written.
    """
    outcome = fn.run(*inputs, probe=probes.render, probe_kwargs={"output": output, "params": dict(params)})
    expect_ok(outcome)
    actual_dot = outcome.probe
    if not isinstance(actual_dot, str):
        fail(f"{fn.name}: could not render the returned graph")
    expected = reference(*inputs)
    # A reference may give its rendering (DOT source, leaves named as ``params`` names them)
    # instead of the tensor: the student bundle ships renderings, not the code that builds them.
    expected_dot = expected if isinstance(expected, str) else graphs.render_dot(
        expected, {name: inputs[i] for name, i in params.items()})
    try:
        diff = graphs.compare_graphs(expected_dot, actual_dot)
    except ValueError as exc:
        fail(f"{fn.name}: the rendering could not be read ({exc})")
    if diff.ok:
        return
    message = f"{fn.name}: {diff.summary()}"
    try:
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", picture or fn.name)
        path = graphs.side_by_side(expected_dot, actual_dot, picture_dir() / f"{name}.png", diff)
        message += f" (picture: {path})"
        for show in PICTURE_HOOKS:
            show(path)
    except (RuntimeError, OSError):
        pass  # the message alone still says what differs
    fail(message)


# -------------------------------------------------------------- loss curves


def check_float_list(actual: Any, *, name: str, length: int | None = None) -> list[float]:
    """A list of Python floats (``loss.item()``, not tensors), of ``length`` items when given."""
    if isinstance(actual, TensorResult):
        fail(f"{name} must be a list of Python floats, got a tensor (use loss.item())")
    if not isinstance(actual, list):
        kind = actual.type_name if isinstance(actual, Opaque) else type(actual).__name__
        fail(f"{name} must be a list of Python floats, got {kind}")
    for value in actual:
        if isinstance(value, TensorResult):
            fail(f"{name} must hold Python floats, got tensors (use loss.item())")
        if type(value) is not float:
            fail(f"{name} must hold Python floats, got {type(value).__name__}")
    if length is not None and len(actual) != length:
        fail(f"{name} has {len(actual)} values, expected {length}")
    return actual


def check_floats(actual: Any, expected: Sequence[float], *, name: str, rtol: float = 1e-4,
                 atol: float = 1e-6, mistakes: Mapping[str, Sequence[float]] | None = None,
                 prefix: int = 5) -> None:
    """A list of Python floats (a loss curve, say) equal to ``expected`` within tolerance.

    ``mistakes`` maps a description to the curve that mistake produces; it names the
    difference when the first ``prefix`` values agree with it (a mistake shows from the
    start, while later values of a diverging run only amplify rounding).
    """
    check_float_list(actual, name=name, length=len(expected))
    got = torch.tensor(actual, dtype=torch.float64)
    want = torch.tensor(list(expected), dtype=torch.float64)
    close = torch.isclose(got, want, rtol=rtol, atol=atol)
    if bool(close.all()):
        return
    i = int((~close).nonzero()[0])
    where = f"{name}[{i}]" if len(want) > 1 else name
    message = f"{where}: expected {want[i].item():.6g}, got {got[i].item():.6g}"
    for label, wrong in (mistakes or {}).items():
        wrong = torch.tensor(list(wrong), dtype=torch.float64)
        k = min(prefix, len(wrong), len(got))
        if k and len(wrong) == len(got) and bool(torch.isclose(got[:k], wrong[:k], rtol=rtol, atol=atol,
                                                               equal_nan=True).all()):
            fail(f"{message}; {label}")
    fail(message)


# -------------------------------------------------------- the caller's tensors


def check_untouched(outcome, args: Sequence[Any], *, names: Sequence[str] | None = None,
                    label: str = "") -> None:
    """Every tensor the caller passed (``args``, as the grader holds them; lists and tuples of
    tensors too) kept its values, requires_grad and .grad through the call (``outcome.args_after``)."""
    names = list(names) if names is not None else [f"argument {i}" for i in range(len(args))]
    prefix = f"{label}: " if label else ""
    for i, (name, before) in enumerate(zip(names, args)):
        after = outcome.args_after[i] if i < len(outcome.args_after) else None
        if isinstance(before, torch.Tensor):
            try:
                check_unchanged(before, after, name=name)
            except GradingFailure as failure:
                fail(f"{prefix}{failure}")
        elif isinstance(before, (list, tuple)) and any(isinstance(t, torch.Tensor) for t in before):
            if not isinstance(after, (list, tuple)) or len(after) != len(before):
                fail(f"{prefix}the function changed the caller's list {name}")
            check_untouched(_Args(list(after)), list(before), names=[f"{name}[{k}]" for k in range(len(before))],
                            label=label)


class _Args:
    """The ``args_after`` of a nested list, so that check_untouched can walk into it."""

    def __init__(self, args_after: list):
        self.args_after = args_after


# ---------------------------------------------------------------- randomness
# The contract fixes distributions and the use of ``generator``, never the order of the draws:
# random results are checked by statistics whose bounds a correct implementation exceeds with a
# probability far below one in a million (tests/test_random_checks.py replays them over many
# seeds), and by reproducibility under a seed.

# Each statistic is held within Z of its standard error: a normal tail beyond 6 is 2e-9.
Z = 6.0


def normal_sample_problem(sample: torch.Tensor, *, mean: float, std: float, what: str) -> str | None:
    """Why the values of ``sample`` are not plausibly independent draws of N(mean, std^2), or None.

    Three statistics, each with a bound a true sample exceeds with probability below about 1e-8:
    the sample mean (within Z standard errors), the sample standard deviation (within Z of its
    standard error, std / sqrt(2 (N - 1))) and the Kolmogorov-Smirnov distance to the normal
    CDF (below sqrt(ln(2 / 1e-9) / (2 N)), from the Dvoretzky-Kiefer-Wolfowitz bound).
    """
    values = sample.detach().double().reshape(-1)
    n = values.numel()
    if n < 2:
        return None
    if not torch.isfinite(values).all():
        return f"{what} holds NaN or infinity"
    got_mean, got_std = values.mean().item(), values.std().item()
    if got_std < 1e-3 * std:
        return f"{what} is (almost) constant ({got_mean:.4g}), expected random N({mean:g}, {std:g}^2) draws"
    if abs(got_std / std - 1) > Z / (2 * (n - 1)) ** 0.5:
        return f"{what} has standard deviation {got_std:.3g}, expected {std:g} (N({mean:g}, {std:g}^2))"
    if abs(got_mean - mean) > Z * std / n ** 0.5:
        return f"{what} has mean {got_mean:.3g}, expected {mean:g} (N({mean:g}, {std:g}^2))"
    ordered = ((values - mean) / std).sort().values
    cdf = torch.special.ndtr(ordered)
    steps = torch.arange(1, n + 1, dtype=torch.float64) / n
    distance = torch.maximum(steps - cdf, cdf - (steps - 1 / n)).max().item()
    if distance > (torch.log(torch.tensor(2e9)).item() / (2 * n)) ** 0.5:
        return (f"{what} is not normally distributed (Kolmogorov-Smirnov distance {distance:.3g} from "
                f"N({mean:g}, {std:g}^2)): draw it with torch.randn or torch.normal")
    return None


def correlation_problem(a: torch.Tensor, b: torch.Tensor, *, what: str) -> str | None:
    """Why two samples of the same length do not look independent (|correlation| beyond Z / sqrt(N)), or None."""
    a, b = a.detach().double().reshape(-1), b.detach().double().reshape(-1)
    n = a.numel()
    if n < 3 or a.std() == 0 or b.std() == 0:
        return None
    r = (((a - a.mean()) * (b - b.mean())).mean() / (a.std(correction=0) * b.std(correction=0))).item()
    if abs(r) > Z / n ** 0.5:
        return f"{what} are correlated ({r:.2f}); they should be independent draws"
    return None


def seed_global_rngs(seed: int, single_thread: bool = False):
    """Setup (in the student's process): seed torch's, Python's and NumPy's global generators with
    ``seed``, so that a result that depends on them changes with it; returns the undo.

    With ``single_thread`` torch also runs on one thread for the call (see probes.single_thread).
    """
    import random

    import numpy

    saved = (torch.get_rng_state(), random.getstate(), numpy.random.get_state())
    torch.manual_seed(seed)
    random.seed(seed)
    numpy.random.seed(seed % 2 ** 32)
    undo_threads = probes.single_thread() if single_thread else None

    def undo():
        torch.set_rng_state(saved[0])
        random.setstate(saved[1])
        numpy.random.set_state(saved[2])
        if undo_threads is not None:
            undo_threads()

    return undo


def same_result(a: Any, b: Any) -> bool:
    """Whether two results that came back from the student's code are identical (tensors bit for bit)."""
    if isinstance(a, TensorResult) or isinstance(b, TensorResult):
        return (isinstance(a, TensorResult) and isinstance(b, TensorResult) and a.dtype == b.dtype
                and a.shape == b.shape and bool(torch.equal(a.value, b.value)))
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(same_result(x, y) for x, y in zip(a, b)))
    if isinstance(a, dict) or isinstance(b, dict):
        return type(a) is type(b) and a.keys() == b.keys() and all(same_result(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return type(a) is type(b) and a == b


def check_seeded(draw: Callable[[int, int], Any], *, name: str, seeds: tuple[int, int] = (101, 102),
                 global_seeds: tuple[int, int] = (1, 2)) -> None:
    """``draw(seed, global_seed)`` calls the student's function with a generator of ``seed`` while the
    global generators hold ``global_seed`` (``seed_global_rngs``) and returns what came back.

    The same generator seed must give the same result whatever the global state (all randomness goes
    through ``generator``, so a seed reproduces it), and another seed a different one (the generator
    is used at all).
    """
    first = draw(seeds[0], global_seeds[0])
    again = draw(seeds[0], global_seeds[1])
    if not same_result(first, again):
        fail(f"{name}: two calls with generators of the same seed gave different results: all randomness must "
             "be drawn from `generator` (pass generator=generator to every draw; no global torch, random or "
             "NumPy draws), so that a seed reproduces the result")
    other = draw(seeds[1], global_seeds[0])
    if same_result(first, other):
        fail(f"{name}: generators of different seeds gave the same result: the draws do not use the generator "
             "(pass generator=generator)")
