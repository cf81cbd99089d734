"""Ground truth for ex10_higher_order (torch.autograd.functional's Hessian and Jacobian, and
plain torch.autograd.grad, run in the grader), the functions handed to the student's code,
the watches that see how that code used them, and the checks its grader and notebook share.
"""
from __future__ import annotations

import functools
import sys
import types
import warnings
from typing import Callable, Iterable, Iterator

import torch
import torch.nn.functional as F
from torch.utils import _pytree as pytree
from torch.utils._python_dispatch import TorchDispatchMode

from grading.checking import checks, strategies
from grading.runtime.reverse_passes import ReversePasses
from grading.runtime.runner import Outcome
from grading.runtime.targets import GradingFailure, StudentFunction
from grading.runtime.wire import TensorResult

# Imported by the worker before its first fork for this module, so that no call pays for it
# (grading/runtime/zygote.py): torch.func's transforms import torch._dynamo; the notebook's lesson cells import pyplot.
WORKER_IMPORTS = ("torch._dynamo", "matplotlib.pyplot")

with warnings.catch_warnings():
    # make_dual imports this on its first use, compiling TorchScript (deprecated, hence the
    # warnings) for half a second; imported here, in the worker before it forks, it spares each
    # graded call of jvp_forward that cost.
    warnings.simplefilter("ignore", DeprecationWarning)
    import torch._decomp.decompositions_for_jvp  # noqa: F401

# ============================================================== what the watches see
# The functions below are sent to the student's process by reference (pickled by name),
# so they live here, at module level. Each notes, while a watch is on, which transforms and
# helpers it was called under; the setup functions switch a watch on there before the
# student's function runs, and the probes report what it saw.

WATCH = {"on": False, "inside": 0, "helpers": [], "transforms": [], "calls": 0}


def _helper_codes() -> dict:
    """Code objects of the ready-made Jacobian and Hessian helpers (and of the functions they
    define inside), by the name a message gives them; the outermost one on the stack is named."""
    import torch._functorch.eager_transforms as transforms

    # torch.func.hessian(f) is jacfwd(jacrev(f)): only their code runs when f is called.
    helpers = {
        "torch.autograd.functional.hessian": torch.autograd.functional.hessian,
        "torch.autograd.functional.jacobian": torch.autograd.functional.jacobian,
        "torch.func.jacrev": transforms.jacrev,
        "torch.func.jacfwd (or torch.func.hessian, which is jacfwd of jacrev)": transforms.jacfwd,
    }
    codes = {}
    for name, fn in helpers.items():
        pending = [fn.__code__]
        while pending:
            code = pending.pop()
            codes.setdefault(code, name)
            pending.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return codes


HELPER_CODES = _helper_codes()


def _note_call() -> None:
    """Record the helpers on the call stack and the torch.func transforms around this call."""
    from torch._functorch.pyfunctorch import retrieve_all_functorch_interpreters

    WATCH["calls"] += 1
    frame, outermost = sys._getframe(2), None
    while frame is not None:
        outermost = HELPER_CODES.get(frame.f_code, outermost)
        frame = frame.f_back
    if outermost is not None and outermost not in WATCH["helpers"]:
        WATCH["helpers"].append(outermost)
    stack = [str(i.key()).rsplit(".", 1)[-1] for i in retrieve_all_functorch_interpreters()]
    if stack not in WATCH["transforms"]:
        WATCH["transforms"].append(stack)


def given(fn: Callable) -> Callable:
    """A function the student's code receives: its calls are noted, and what it builds
    (a quadratic form's matrix) is not counted against the student."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if WATCH["on"]:
            _note_call()
        WATCH["inside"] += 1
        try:
            return fn(*args, **kwargs)
        finally:
            WATCH["inside"] -= 1

    return wrapper


# ----------------------------------------------------------- elementwise functions

@given
def sin(t):
    """sin t; f'' = -sin t."""
    return torch.sin(t)


@given
def cube(t):
    """t^3; f'' = 6 t."""
    return t ** 3


@given
def tanh(t):
    """tanh t; f'' = -2 tanh t (1 - tanh^2 t)."""
    return torch.tanh(t)


@given
def sin_of_square(t):
    """sin(t^2); f'' = 2 cos(t^2) - 4 t^2 sin(t^2)."""
    return torch.sin(t * t)


@given
def softplus(t):
    """log(1 + e^t)."""
    return F.softplus(t)


@given
def square(t):
    """t^2; f'' = 2 everywhere, so the first derivative is linear."""
    return t * t


# ------------------------------------------------------------- scalar functions

def _constant(n: int, *, offset: float = 0.3, scale: float = 0.7) -> torch.Tensor:
    """A fixed, irregular float64 vector of n values in [-1, 1] (no seed to share)."""
    return torch.sin(torch.arange(n, dtype=torch.float64) * scale + offset)


def matrix(n: int, dtype: torch.dtype) -> torch.Tensor:
    """The quadratic form's n x n matrix: fixed, not symmetric."""
    return _constant(n * n).reshape(n, n).to(dtype)


@given
def sin_sum(p):
    """sum sin p: H = diag(-sin p)."""
    return torch.sin(p).sum()


@given
def cube_sum(p):
    """sum p^3: H = diag(6 p)."""
    return (p ** 3).sum()


@given
def quadratic_form(p):
    """0.5 p^T A p for the fixed A of matrix(): H = (A + A^T) / 2."""
    flat = p.reshape(-1)
    return 0.5 * flat @ (matrix(flat.numel(), p.dtype) @ flat)


@given
def log_sum_exp(p):
    """log sum exp p (smooth, not separable)."""
    return torch.logsumexp(p.reshape(-1), 0)


MLP_INPUTS, MLP_HIDDEN, MLP_EXAMPLES = 3, 4, 10
MLP_SIZE = MLP_HIDDEN * MLP_INPUTS + MLP_HIDDEN + MLP_HIDDEN + 1  # W1, b1, w2, b2


def mlp_data(dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """(X, y) of the small MLP's regression problem."""
    generator = torch.Generator().manual_seed(10)
    X = torch.randn(MLP_EXAMPLES, MLP_INPUTS, generator=generator, dtype=torch.float64)
    y = torch.randn(MLP_EXAMPLES, generator=generator, dtype=torch.float64)
    return X.to(dtype), y.to(dtype)


@given
def mlp_loss(p):
    """The mean squared error of a 3-4-1 tanh network whose weights are the MLP_SIZE values of p."""
    h, d = MLP_HIDDEN, MLP_INPUTS
    W1, b1 = p[: h * d].reshape(h, d), p[h * d: h * d + h]
    w2, b2 = p[h * d + h: h * d + 2 * h], p[h * d + 2 * h]
    X, y = mlp_data(p.dtype)
    return ((torch.tanh(X @ W1.T + b1) @ w2 + b2 - y) ** 2).mean()


# ---------------------------------------------------------- maps R^n -> R^m

@given
def tanh_layer(x):
    """tanh(W x) for a fixed 2 x n W: m = 2, few outputs."""
    W = _constant(2 * x.shape[0], offset=1.1).reshape(2, -1).to(x.dtype)
    return torch.tanh(W @ x)


@given
def three_features(x):
    """(sum x^2, x_0 x_{n-1}, sum x sin x): m = 3."""
    return torch.stack([(x ** 2).sum(), x[0] * x[-1], (x * torch.sin(x)).sum()])


@given
def running_sum(x):
    """sin(x) * cumsum(x): m = n, a Jacobian that is not symmetric."""
    return torch.sin(x) * torch.cumsum(x, 0)


@given
def widen(x):
    """tanh(x c^T) flattened for c = (1, ..., 5): m = 5 n, many outputs."""
    c = torch.arange(1, 6, dtype=x.dtype)
    return torch.tanh(torch.outer(x, c)).reshape(-1)


# ------------------------------------------------------- per-example losses

@given
def squared_error(w, x, y):
    """(x . w - y)^2 for one example."""
    return (x @ w - y) ** 2


@given
def logistic_loss(w, x, y):
    """log(1 + exp(-y x . w)) for one example with y in {-1, 1}."""
    return F.softplus(-y * (x @ w))


@given
def tanh_net_loss(W, x, y):
    """(sum tanh(x W) - y)^2 for one example; W is d x h, so the gradients are matrices."""
    return (torch.tanh(x @ W).sum() - y) ** 2


@given
def softmax_loss(W, x, y):
    """Cross-entropy of the scores x W (d x k) for one example of class y (an integer)."""
    return F.cross_entropy(x @ W, y)


# ================================================================ the watches
# Setup functions run in the student's process before their module is imported; each
# returns its undo. Probes run there right after the call and report plain data.


class _NewTensors(TorchDispatchMode):
    """Notes the shape of every new tensor (not a view, not in place, not a zero tensor) of at
    least ``numel`` elements made outside the given functions."""

    def __init__(self, numel: int):
        super().__init__()
        self.numel = numel
        self.shapes: list[list[int]] = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        schema = getattr(func, "_schema", None)
        if WATCH["inside"] or schema is None or any(r.alias_info is not None for r in schema.returns):
            return out
        for t in pytree.tree_leaves(out):
            # A zero tensor (forward mode's tangent of a constant) holds no numbers at all.
            if isinstance(t, torch.Tensor) and t.numel() >= self.numel and not t._is_zerotensor() \
                    and len(self.shapes) < 5:
                self.shapes.append(list(t.shape))
        return out


ENGINE: dict = {"counter": None}


def _reset_watch() -> None:
    WATCH.update(on=True, inside=0, helpers=[], transforms=[], calls=0)


def _count_reverse_passes():
    counter = ReversePasses().__enter__()
    ENGINE["counter"] = counter

    def undo():
        counter.__exit__(None, None, None)

    return undo


def watch_calls():
    """Setup: note the helpers and transforms the given functions are called under, and count
    reverse passes."""
    _reset_watch()
    ENGINE["tensors"] = None
    undo_engine = _count_reverse_passes()

    def undo():
        WATCH["on"] = False
        undo_engine()

    return undo


def watch_large_tensors(numel: int):
    """Setup: watch_calls, and note every new tensor of at least ``numel`` elements."""
    undo_calls = watch_calls()
    mode = _NewTensors(numel)
    mode.__enter__()
    ENGINE["tensors"] = mode

    def undo():
        mode.__exit__(None, None, None)
        undo_calls()

    return undo


def report(result, *args, **kwargs) -> dict:
    """Probe: what the watches saw during the call."""
    counter = ENGINE.get("counter")
    mode = ENGINE.get("tensors")
    return {"helpers": list(WATCH["helpers"]), "transforms": [list(s) for s in WATCH["transforms"]],
            "calls": int(WATCH["calls"]), "reverse_passes": 0 if counter is None else int(counter.count),
            "large": [] if mode is None else [list(s) for s in mode.shapes]}


# ================================================================ ground truth

def fresh(t: torch.Tensor) -> torch.Tensor:
    return t.detach().clone().requires_grad_(True)


def second_derivative_of(f: Callable, x: torch.Tensor) -> torch.Tensor:
    """f''(x) elementwise: the diagonal of torch.autograd.functional.hessian of sum f (f is
    elementwise, so that Hessian is diagonal)."""
    shape = x.shape
    H = torch.autograd.functional.hessian(lambda t: f(t.reshape(shape)).sum(), x.detach().reshape(-1))
    return H.diagonal().reshape(shape)


def first_derivative_of(f: Callable, x: torch.Tensor) -> torch.Tensor:
    leaf = fresh(x)
    (slope,) = torch.autograd.grad(f(leaf).sum(), leaf)
    return slope


def hessian_times(loss_fn: Callable, params: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """torch.autograd.functional.hessian(loss_fn, params) @ v."""
    return torch.autograd.functional.hessian(loss_fn, params.detach()) @ v.detach()


def gradient_of(loss_fn: Callable, params: torch.Tensor) -> torch.Tensor:
    leaf = fresh(params)
    (g,) = torch.autograd.grad(loss_fn(leaf), leaf)
    return g


def jacobian_of(f: Callable, x: torch.Tensor) -> torch.Tensor:
    """torch.autograd.functional.jacobian(f, x): m x n."""
    return torch.autograd.functional.jacobian(f, x.detach())


def loop_of_grads(loss_fn: Callable, w: torch.Tensor, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The per-example gradients, one torch.autograd.grad call per example."""
    per_example = []
    for i in range(X.shape[0]):
        leaf = fresh(w)
        (g,) = torch.autograd.grad(loss_fn(leaf, X[i], y[i]), leaf)
        per_example.append(g)
    return torch.stack(per_example)


def autograd_gradient(f: Callable, x: torch.Tensor) -> torch.Tensor:
    """The gradient of the scalar f at x from torch.autograd, in float64."""
    leaf = fresh(x.double())
    (g,) = torch.autograd.grad(f(leaf), leaf)
    return g


def relative_error(a: torch.Tensor, b: torch.Tensor) -> float:
    """|a - b| / max(|a|, |b|) over the whole tensor (Euclidean norms): CS231n's scale, which
    does not blow up at elements where both are near zero."""
    a, b = a.double().reshape(-1), b.double().reshape(-1)
    scale = max(a.norm().item(), b.norm().item())
    return 0.0 if scale == 0 else (a - b).norm().item() / scale


# ================================================================= the cases

def _points(seed: int, sizes: Iterable[int], dtypes=strategies.DTYPES, count: int = 2, requires_grad=True):
    return strategies.tensors(count, seed=seed, shapes=tuple((n,) for n in sizes), dtypes=dtypes,
                              requires_grad=requires_grad)


ELEMENTWISE = (sin, cube, tanh, sin_of_square)
LOSSES = (sin_sum, cube_sum, quadratic_form, mlp_loss)
MAPS = (running_sum, tanh_layer, three_features, widen)  # square first: a transposition shows in values
PER_SAMPLE = (squared_error, logistic_loss, tanh_net_loss, softmax_loss)


def elementwise_cases(seed: int, functions=ELEMENTWISE, shapes=strategies.SHAPES,
                      dtypes=strategies.DTYPES) -> Iterator[tuple]:
    """(f, x) for every function, shape and dtype."""
    for i, f in enumerate(functions):
        for (x,) in strategies.tensors(1, seed=seed + i, shapes=shapes, dtypes=dtypes):
            yield f, x


def loss_cases(seed: int, losses=LOSSES, sizes=(3, 6), dtypes=strategies.DTYPES) -> Iterator[tuple]:
    """(loss_fn, params, v): 1-D params (MLP_SIZE of them for mlp_loss), in [-2, 2] or, for
    the MLP, a tenth of that."""
    for i, loss_fn in enumerate(losses):
        wanted = (MLP_SIZE,) if loss_fn is mlp_loss else sizes
        for params, v in _points(seed + i, wanted, dtypes):
            if loss_fn is mlp_loss:
                params = (params.detach() * 0.5).requires_grad_(True)
            yield loss_fn, params, v


def map_cases(seed: int, maps=MAPS, sizes=(4, 3), dtypes=strategies.DTYPES) -> Iterator[tuple]:
    """(f, x, v) with 1-D x and v of n values."""
    for i, f in enumerate(maps):
        for x, v in _points(seed + i, sizes, dtypes):
            yield f, x, v


def per_sample_case(loss_fn: Callable, n: int, dtype: torch.dtype, seed: int) -> tuple:
    """(loss_fn, w, X, y) for a batch of n examples of 3 features."""
    generator = torch.Generator().manual_seed(seed)
    draw = lambda *shape: torch.randn(shape, generator=generator, dtype=torch.float64).to(dtype)
    d = 3
    if loss_fn is tanh_net_loss:
        w, y = draw(d, 4), draw(n)
    elif loss_fn is softmax_loss:
        w, y = draw(d, 5), torch.randint(0, 5, (n,), generator=generator)
    elif loss_fn is logistic_loss:
        w, y = draw(d), torch.randint(0, 2, (n,), generator=generator).to(dtype) * 2 - 1
    else:
        w, y = draw(d), draw(n)
    return loss_fn, w.requires_grad_(True), draw(n, d), y


def per_sample_cases(seed: int, losses=PER_SAMPLE, sizes=(5,), dtypes=strategies.DTYPES) -> Iterator[tuple]:
    for i, loss_fn in enumerate(losses):
        for n in sizes:
            for j, dtype in enumerate(dtypes):
                yield per_sample_case(loss_fn, n, dtype, seed + 10 * i + j)


NUMERICAL = (cube_sum, sin_sum, quadratic_form, log_sum_exp, mlp_loss)


def numerical_cases(seed: int, functions=NUMERICAL, shapes=((3,), (2, 4), ())) -> Iterator[tuple]:
    """(f, x) with float64 x, not requiring grad; cube_sum's points are in [0.5, 2], where a
    forward difference is far outside the tolerance."""
    for i, f in enumerate(functions):
        wanted = ((MLP_SIZE,),) if f is mlp_loss else shapes
        low = 0.5 if f is cube_sum else -2.0
        for (x,) in strategies.tensors(1, seed=seed + i, shapes=wanted, dtypes=(torch.float64,),
                                       requires_grad=False, low=low):
            yield f, (x * 0.5 if f is mlp_loss else x)


# ================================================================== the checks
# Shared by the grader (tests/graders/test_ex10_higher_order.py) and the notebook's hidden
# tests; each fails with one line for the student.

NO_CREATE_GRAPH = ("the first gradient was taken without create_graph=True, so it is a constant to "
                   "the second one: pass create_graph=True to the first torch.autograd.grad")
GRAPH_ERRORS = ("does not require grad", "does not have a grad_fn", "appears to not have been used")


def returned(outcome: Outcome, name: str):
    """The value of a function that differentiates twice; a failed second differentiation is explained."""
    if not outcome.ok and any(text in outcome.message for text in GRAPH_ERRORS):
        checks.fail(f"{outcome.message}; {NO_CREATE_GRAPH}")
    if outcome.ok and outcome.value is None:
        checks.fail(f"{name} returned None, what torch.autograd.grad(..., allow_unused=True) gives when it finds "
                    f"no path: {NO_CREATE_GRAPH}")
    return checks.expect_ok(outcome)


def label(fn: StudentFunction, given_fn: Callable | None, *tensors) -> str:
    what = given_fn.__name__ + ", " if given_fn is not None else ""
    return f"{fn.name}({what}{checks.describe_inputs(tensors)})"


def leaf_variants(t: torch.Tensor) -> list[torch.Tensor]:
    """The same values as a leaf that does not require grad, one that does, and one whose .grad holds 7s."""
    return [t.detach().clone(), strategies.with_grad(t, None), strategies.with_grad(t, torch.full_like(t, 7.0))]


COPY_HINT = "work on a copy: t.detach().requires_grad_(True) is a new leaf, t.detach().clone() a tensor to edit"


def _unchanged(outcome: Outcome, passed: tuple, names: str, label: str, hint: str = COPY_HINT) -> None:
    """The caller's tensors among ``passed`` (named by ``names``) are as they were."""
    for i, name in enumerate(names.split()):
        if isinstance(passed[i], torch.Tensor):
            try:
                checks.check_unchanged(passed[i], outcome.args_after[i], name=name)
            except GradingFailure as failure:
                checks.fail(f"{label}: {str(failure).split(': ')[0]}; {hint}")


def factor_hint(got: torch.Tensor, expected: torch.Tensor, what: str) -> str | None:
    """'twice H v' when got is (nearly) a multiple of expected, to one part in a thousand."""
    got, expected = got.double().reshape(-1), expected.double().reshape(-1)
    if got.shape != expected.shape or expected.norm() == 0:
        return None
    k = (got @ expected / (expected @ expected)).item()
    if (got - k * expected).norm() > 1e-3 * abs(k) * expected.norm() or abs(k - 1) < 1e-3 or abs(k) < 1e-3:
        return None
    for n, word in ((2, "twice"), (0.5, "half"), (-1, "minus")):
        if abs(k - n) < 1e-2:
            return f"{word} {what} (off by a factor of {n:g})"
    return f"{k:.3g} times {what} (off by a constant factor)"


# ------------------------------------------------------------ second_derivative

def _check_second_derivative_value(name: str, got, f, x) -> None:
    expected = second_derivative_of(f, x)
    mistakes = {
        f"all zeros: {NO_CREATE_GRAPH}": torch.zeros_like(expected),
        "that is the first derivative f'(x): differentiate that gradient once more": first_derivative_of(f, x),
    }
    checks.check_close(got, expected, name=name, mistakes=mistakes)


def check_second_derivative(fn: StudentFunction, cases: Iterable[tuple]) -> None:
    """fn(f, x) is f''(x) elementwise."""
    for f, x in cases:
        name = label(fn, f, x)
        _check_second_derivative_value(name, returned(fn.run(f, x), name), f, x)


def check_second_derivative_callers_x(fn: StudentFunction, cases: Iterable[tuple]) -> None:
    """The value is right and the caller's x keeps its values, requires_grad and .grad, whether
    it required grad or not."""
    for f, x in cases:
        for x_in in leaf_variants(x):
            name = label(fn, f, x_in)
            outcome = fn.run(f, x_in)
            _check_second_derivative_value(name, returned(outcome, name), f, x)
            _unchanged(outcome, (f, x_in), "f x", name)


# -------------------------------------------------------------------------- hvp

def _check_hvp_value(name: str, got, loss_fn, params, v) -> None:
    expected = hessian_times(loss_fn, params, v)
    g = gradient_of(loss_fn, params)
    mistakes = {
        "that is grad + H·v: the second backward added H·v into a .grad that still held the gradient "
        "(use torch.autograd.grad, which leaves .grad alone)": g + expected,
        "that is the gradient itself, not H·v: differentiate (gradient · v) once more": g,
        f"all zeros: {NO_CREATE_GRAPH}": torch.zeros_like(expected),
        "that is grad * v elementwise: H·v is the gradient of (grad · v), with create_graph=True": g * v.detach(),
    }
    try:
        checks.check_close(got, expected, name=name, mistakes=mistakes)
    except GradingFailure as failure:
        text = str(failure)
        named = any(mistake.split(":")[0] in text for mistake in mistakes)
        hint = None if named or not isinstance(got, TensorResult) else factor_hint(got.value, expected, "H·v")
        if hint:
            checks.fail(f"{text.split('; ')[0]}; {hint}")
        raise


def check_hvp(fn: StudentFunction, cases: Iterable[tuple]) -> None:
    """fn(loss_fn, params, v) is H v, and params (requiring grad or not, with a .grad or not)
    keeps its values, requires_grad and .grad."""
    for k, (loss_fn, params, v) in enumerate(cases):
        params_in, v_in = leaf_variants(params)[k % 3], v.detach().clone()
        outcome = fn.run(loss_fn, params_in, v_in)
        name = label(fn, loss_fn, params, v)
        _check_hvp_value(name, returned(outcome, name), loss_fn, params, v)
        _unchanged(outcome, (loss_fn, params_in, v_in), "loss_fn params v", name)


def _helper_failure(name: str, seen: dict, advice: str) -> None:
    used = seen.get("helpers", [])
    if used:
        checks.fail(f"{name} called {used[0]}, a ready-made helper it must do without: {advice}")


def check_hvp_forms_no_hessian(fn: StudentFunction, cases: Iterable[tuple]) -> None:
    """The value is right, no Hessian or Jacobian helper ran, and fn made no tensor of n x n
    elements or more (outside loss_fn)."""
    for loss_fn, params, v in cases:
        n = params.numel()
        name = label(fn, loss_fn, params, v)
        outcome = fn.run(loss_fn, params.detach(), v.detach(), setup=watch_large_tensors,
                         setup_kwargs={"numel": n * n}, probe=report)
        _check_hvp_value(name, returned(outcome, name), loss_fn, params, v)
        seen = outcome.probe
        _helper_failure(name, seen, "H·v is the gradient of (gradient · v), with create_graph=True on the gradient")
        if seen["large"]:
            shape = "x".join(map(str, seen["large"][0]))
            checks.fail(f"{name} made a {shape} tensor, as large as the n x n Hessian (n = {n}): H·v is the "
                        "gradient of (gradient · v), two reverse passes with vectors of n values")


# ------------------------------------------------------------------ jacobian_rows

def _check_jacobian_value(name: str, got, f, x) -> None:
    expected = jacobian_of(f, x)
    m, n = expected.shape
    if isinstance(got, TensorResult) and got.shape == (n, m) and m != n:
        checks.fail(f"{name} has shape {(n, m)}, expected {(m, n)} (outputs x inputs): the Jacobian is "
                    "transposed; row i is the gradient of output i, so stack the rows along dim 0")
    ones = torch.ones(m, dtype=expected.dtype)
    mistakes = {
        "the Jacobian is transposed: row i must be the gradient of output i (e_i^T J), stacked along dim 0":
            expected.T,
        "every row is the gradient of f(x).sum(): the grad_outputs of row i must be the unit vector e_i":
            (ones @ expected).expand(m, n),
    }
    checks.check_close(got, expected, name=name, mistakes=mistakes)


def check_jacobian_rows(fn: StudentFunction, cases: Iterable[tuple]) -> None:
    """fn(f, x) is torch.autograd.functional.jacobian(f, x), and leaves the caller's x alone."""
    for k, (f, x, _v) in enumerate(cases):
        x_in = leaf_variants(x)[k % 3]
        outcome = fn.run(f, x_in)
        if not outcome.ok and "implicitly created only for scalar outputs" in outcome.message:
            checks.fail(f"{outcome.message}; f(x) is a vector: pass grad_outputs=e_i, the unit vector of "
                        "row i, to torch.autograd.grad")
        name = label(fn, f, x)
        _check_jacobian_value(name, checks.expect_ok(outcome), f, x)
        _unchanged(outcome, (f, x_in), "f x", name)


def check_jacobian_rows_one_vjp_per_row(fn: StudentFunction, cases: Iterable[tuple]) -> None:
    """The value is right, no Jacobian helper ran, and there were at least m reverse passes."""
    for f, x, _v in cases:
        name = label(fn, f, x)
        outcome = fn.run(f, x.detach(), setup=watch_calls, probe=report)
        _check_jacobian_value(name, checks.expect_ok(outcome), f, x)
        seen = outcome.probe
        _helper_failure(name, seen, "build row i yourself, torch.autograd.grad with grad_outputs=e_i")
        m = jacobian_of(f, x).shape[0]
        passes = max(seen["reverse_passes"], outcome.autograd_calls)
        if passes < m:
            checks.fail(f"{name} ran {passes} reverse pass(es) for a Jacobian of {m} rows: build it one row at a "
                        "time, one torch.autograd.grad with grad_outputs=e_i per row (not batched, not forward mode)")


# -------------------------------------------------------------------- jvp_forward

def _check_jvp_value(name: str, got, f, x, v) -> None:
    J = jacobian_of(f, x)
    expected = J @ v.detach()
    mistakes = {"that is f(x), the primal output: J·v is the tangent (unpack_dual(out).tangent, or the second "
                "item torch.func.jvp returns)": f(x.detach()).detach()}
    if J.shape[0] == J.shape[1]:
        mistakes["that is v^T J, a vector-Jacobian product (reverse mode): forward mode pushes v through f "
                 "and gives J·v"] = J.T @ v.detach()
    mistakes["all zeros: the tangent never reached f's output; make the dual number from x and v "
             "(make_dual(x, v)) inside a dual_level and call f on it"] = torch.zeros_like(expected)
    checks.check_close(got, expected, name=name, mistakes=mistakes)


def check_jvp_forward(fn: StudentFunction, cases: Iterable[tuple]) -> None:
    """fn(f, x, v) is jacobian(f, x) @ v, and leaves the caller's x and v alone."""
    for k, (f, x, v) in enumerate(cases):
        x_in, v_in = leaf_variants(x)[k % 3], v.detach().clone()
        outcome = fn.run(f, x_in, v_in)
        name = label(fn, f, x, v)
        _check_jvp_value(name, checks.expect_ok(outcome), f, x, v)
        _unchanged(outcome, (f, x_in, v_in), "f x v", name)


def reverse_mode_failure(name: str, outcome: Outcome, what: str) -> None:
    seen = outcome.probe or {}
    if outcome.autograd_calls or seen.get("reverse_passes"):
        checks.fail(f"{name} must be computed without reverse mode, but it ran a backward pass "
                    f"(backward, torch.autograd.grad, or a torch.func/functional helper built on them): {what}")


def check_jvp_forward_no_reverse_mode(fn: StudentFunction, cases: Iterable[tuple]) -> None:
    """The value is right, and no reverse pass ran (no backward, torch.autograd.grad, torch.func.vjp,
    torch.autograd.functional.jvp, which is two reverse passes)."""
    for f, x, v in cases:
        name = label(fn, f, x, v)
        outcome = fn.run(f, x.detach(), v.detach(), setup=watch_calls, probe=report)
        _check_jvp_value(name, checks.expect_ok(outcome), f, x, v)
        reverse_mode_failure(name, outcome, "use dual numbers (torch.autograd.forward_ad) or torch.func.jvp")


# --------------------------------------------------------------- per_sample_grads

def check_per_sample_grads(fn: StudentFunction, cases: Iterable[tuple], *, watch: bool = False) -> None:
    """fn(loss_fn, w, X, y) is the stack of torch.autograd.grad of each example's loss; with
    ``watch``, loss_fn must also have been called under torch.func.vmap and torch.func.grad."""
    for k, (loss_fn, w, X, y) in enumerate(cases):
        w_in = leaf_variants(w)[k % 3]
        watching = {"setup": watch_calls, "probe": report} if watch else {}
        outcome = fn.run(loss_fn, w_in, X, y, **watching)
        got = checks.expect_ok(outcome)
        expected = loop_of_grads(loss_fn, w, X, y)
        name = label(fn, loss_fn, w, X)
        n = X.shape[0]
        total, mean = expected.sum(0), expected.mean(0)
        if isinstance(got, TensorResult) and got.shape == tuple(w.shape):
            how = ("summed" if checks.is_close(got.value, total) else
                   "averaged" if checks.is_close(got.value, mean) else "reduced")
            checks.fail(f"{name} has shape {tuple(w.shape)}, expected {(n, *w.shape)}: the gradients were {how} "
                        "over the batch; keep one gradient per example (vmap over X and y, in_dims=(None, 0, 0))")
        mistakes = {
            "every row is the gradient of the summed loss: the gradients were summed over the batch":
                total.expand_as(expected),
            "every row is the gradient of the mean loss: the gradients were averaged over the batch":
                mean.expand_as(expected),
        }
        checks.check_close(got, expected, name=name, mistakes=mistakes)
        _unchanged(outcome, (loss_fn, w_in, X, y), "loss_fn w X y", name)
        if watch:
            stacks = outcome.probe["transforms"]
            if not any("Vmap" in s and "Grad" in s for s in stacks):
                if any(s == [] for s in stacks):
                    checks.fail(f"{name} called loss_fn outside torch.func's transforms (a Python loop?): compute "
                                "it with torch.func.vmap(torch.func.grad(loss_fn), in_dims=(None, 0, 0))")
                checks.fail(f"{name} must use torch.func.vmap over torch.func.grad; loss_fn ran under "
                            f"{stacks[0] if stacks else 'nothing'}")


# ------------------------------------------------------------- numerical_gradient

TOLERANCE = 1e-7  # relative error, CS231n's "you should be happy" for smooth functions in float64


def second_derivatives_on_diagonal(f: Callable, x: torch.Tensor) -> torch.Tensor:
    """d^2 f / dx_i^2 for every element, from torch.autograd.functional.hessian."""
    shape = x.shape
    H = torch.autograd.functional.hessian(lambda t: f(t.reshape(shape)), x.detach().double().reshape(-1))
    return H.diagonal().reshape(shape)


def _check_numerical_value(name: str, got, f, x, eps: float, expected: torch.Tensor | None = None) -> None:
    got = checks.check_tensor(got, name=name, shape=x.shape, dtype=x.dtype, finite=False)
    expected = autograd_gradient(f, x) if expected is None else expected
    error = relative_error(got.value, expected)
    if error < TOLERANCE:
        return
    diff = (got.value.double() - expected.double()).abs().max().item()
    message = (f"{name}: relative error {error:.2g} against autograd (float64), expected below {TOLERANCE:g} "
               f"(largest difference {diff:.2g})")
    # A one-sided difference is off by eps/2 f'' (plus terms of order eps^2): name it when that fits.
    curvature = second_derivatives_on_diagonal(f, x) * (eps / 2)
    for sign, which in ((1, "forward differences (f(x + eps) - f(x)) / eps"),
                        (-1, "backward differences (f(x) - f(x - eps)) / eps")):
        if relative_error(got.value, expected + sign * curvature) < 0.1 * error:
            checks.fail(f"{message}; those are {which}, whose error is of order eps: use central "
                        "differences (f(x + eps) - f(x - eps)) / (2 eps), whose error is of order eps^2")
    if error > 1e-3:
        checks.fail(f"{message}; far larger than rounding explains in float64 (was something computed in float32, "
                    "or a step other than eps taken?)")
    checks.fail(message)


def check_numerical_gradient(fn: StudentFunction, cases: Iterable[tuple], eps: float | None = None) -> None:
    """Called under no_grad on a float64 x that does not require grad: relative error below 1e-7
    against autograd, and the caller's x keeps its values."""
    for f, x in cases:
        kwargs = {} if eps is None else {"eps": eps}
        outcome = fn.run(f, x.detach().clone(), no_grad=True, **kwargs)
        name = label(fn, f, x)
        _check_numerical_value(name, checks.expect_ok(outcome), f, x, 1e-6 if eps is None else eps)
        _unchanged(outcome, (f, x), "f x", name, hint="perturb a copy (x.detach().clone()), or restore each "
                   "element by assigning its old value: adding eps back does not always give the same number")


def check_numerical_gradient_without_autograd(fn: StudentFunction, cases: Iterable[tuple]) -> None:
    """The value is right, and neither backward nor torch.autograd.grad ran."""
    for f, x in cases:
        name = label(fn, f, x)
        outcome = fn.run(f, x.detach().clone(), no_grad=True, setup=watch_calls, probe=report)
        _check_numerical_value(name, checks.expect_ok(outcome), f, x, 1e-6)
        if outcome.autograd_calls or outcome.probe["reverse_passes"]:
            checks.fail(f"{name} must be computed without autograd, but it called backward or torch.autograd.grad: "
                        "evaluate f at x + eps e_i and x - eps e_i")


def check_numerical_gradient_eps(fn: StudentFunction, xs: Iterable[torch.Tensor], eps: float) -> None:
    """With a large eps on sum t^3 the central difference is exactly 3 t^2 + eps^2 (the t^3 terms
    cancel, (t + e)^3 - (t - e)^3 = 6 t^2 e + 2 e^3): autograd's 3 t^2 plus eps^2 is the value."""
    for x in xs:
        name = f"{fn.name}(cube_sum, {checks.describe_inputs([x])}, eps={eps:g})"
        outcome = fn.run(cube_sum, x.detach().clone(), eps=eps, no_grad=True, setup=watch_calls, probe=report)
        got = checks.check_tensor(checks.expect_ok(outcome), name=name, shape=x.shape, dtype=x.dtype)
        expected = autograd_gradient(cube_sum, x) + eps ** 2
        error = relative_error(got.value, expected)
        if error < 1e-10:
            continue
        hint = ""
        if outcome.autograd_calls or outcome.probe["reverse_passes"]:
            hint = "; it called backward or torch.autograd.grad: it must be computed without autograd, by differences"
        elif relative_error(got.value, autograd_gradient(cube_sum, x)) < 1e-6:
            hint = "; that is the exact gradient, as if eps were tiny: was the eps argument ignored?"
        elif relative_error(got.value, expected + 3 * eps * x.double()) < 1e-8:
            hint = "; those are forward differences (f(x + eps) - f(x)) / eps: use central differences"
        checks.fail(f"{name}: the central difference of t^3 is 3 t^2 + eps^2, expected {checks.short(expected)}, "
                    f"got {checks.short(got.value)}{hint}")
