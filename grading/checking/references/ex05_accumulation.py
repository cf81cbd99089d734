"""Ground truth for ex05_accumulation (torch.autograd and torch.optim.SGD, run in the grader),
and the checks its grader and notebook share."""
from __future__ import annotations

from typing import Iterable

import torch

from grading.checking import checks, strategies
from grading.checking.references import ground_truth, optional
from grading.runtime.runner import Outcome
from grading.runtime.targets import StudentFunction
from grading.runtime.wire import TensorResult

# Imported by the worker before its first fork for this module, so that no call pays for it
# (grading/runtime/zygote.py): torch.optim.SGD's first use imports torch._dynamo; the notebook's lesson cells import pyplot.
WORKER_IMPORTS = ("torch._dynamo", "matplotlib.pyplot")

ONE_BACKWARD = "the gradient of one backward: .grad accumulates across calls, don't clear it"


def forward(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """ex01's y = (x + w) * (w + 1)."""
    return (x + w) * (w + 1)


@ground_truth
def dy_dw(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """dy/dw from torch.autograd on a fresh leaf."""
    w = w.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(forward(w, x.detach()).sum(), w)
    return grad


@ground_truth
def grad_after_n(w: torch.Tensor, x: torch.Tensor, n: int) -> torch.Tensor:
    """The leaf's .grad after torch.autograd.backward through n fresh graphs."""
    leaf = torch.empty_like(w).copy_(w.detach()).requires_grad_(True)
    for _call in range(n):
        out = forward(leaf, x.detach())
        torch.autograd.backward(out, grad_tensors=torch.ones_like(out))
    return leaf.grad


@ground_truth
def twice_same_graph(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """The leaf's .grad after torch.autograd.backward twice through one graph."""
    leaf = torch.empty_like(w).copy_(w.detach()).requires_grad_(True)
    out = forward(leaf, x.detach())
    for keep in (True, False):
        torch.autograd.backward(out, grad_tensors=torch.ones_like(out), retain_graph=keep)
    return leaf.grad


def accumulation_mistakes(w: torch.Tensor, x: torch.Tensor, n: int) -> dict[str, torch.Tensor]:
    """Wrong answers with a known cause, for n backward calls."""
    return {ONE_BACKWARD: dy_dw(w, x)} if n > 1 else {}


RETAIN_GRAPH_HINT = "the graph's saved tensors are freed by the first backward: call it with retain_graph=True"


# ------------------------------------------------------------------ train_linear

NEVER_MOVED = "the parameters never moved: was zero_grad called between backward and step?"
NO_ZERO_GRAD = ("the gradients of earlier steps were added in: without zero_grad, .grad accumulates "
                "across steps")
ONE_STEP_BEHIND = "one step behind: each step used the previous step's gradient (was step called before backward?)"
SUM_LOSS = "the loss must be the mean over the examples, not the sum"


def linear_problem(n: int, d: int, dtype: torch.dtype, seed: int) -> tuple[torch.Tensor, ...]:
    """(theta0, X, y) for a least-squares problem; y is near a linear function of X."""
    generator = torch.Generator().manual_seed(seed)
    draw = lambda *shape: torch.randn(shape, generator=generator, dtype=torch.float64)
    X = draw(n, d)
    y = X @ draw(d) + 0.1 * draw(n)
    return draw(d).to(dtype), X.to(dtype), y.to(dtype)


@ground_truth
def sgd_trajectory(theta0: torch.Tensor, X: torch.Tensor, y: torch.Tensor, steps: int, lr: float, *,
                   loop: str = "right") -> list[torch.Tensor]:
    """theta after 0, 1, ..., steps steps of torch.optim.SGD, with the training loop written as ``loop``:

    ``right``: zero_grad, backward, step;  ``no_zero_grad``: backward, step;
    ``zero_between``: backward, zero_grad, step;  ``step_first``: loss, step, zero_grad, backward;
    ``sum``: the right loop on the summed loss.
    """
    theta = torch.nn.Parameter(theta0.detach().clone())
    optimizer = torch.optim.SGD([theta], lr=lr)
    reduce = torch.sum if loop == "sum" else torch.mean
    out = [theta.detach().clone()]
    for _step in range(steps):
        loss = lambda: reduce((X @ theta - y) ** 2)
        if loop in ("right", "sum"):
            optimizer.zero_grad()
            loss().backward()
            optimizer.step()
        elif loop == "no_zero_grad":
            loss().backward()
            optimizer.step()
        elif loop == "zero_between":
            loss().backward()
            optimizer.zero_grad()
            optimizer.step()
        elif loop == "step_first":
            pending = loss()
            optimizer.step()
            optimizer.zero_grad()
            pending.backward()
        else:
            raise ValueError(loop)
        out.append(theta.detach().clone())
    return out


WRONG_LOOPS = {NEVER_MOVED: "zero_between", NO_ZERO_GRAD: "no_zero_grad", ONE_STEP_BEHIND: "step_first",
               SUM_LOSS: "sum"}


def trajectory_mistake(theta0, X, y, lr: float, got: dict[int, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The known wrong loop whose whole trajectory matches what came back ({steps: theta}), as
    {message: its theta at each step count}; empty when none explains every step count."""
    last = max(got)
    for text, loop in WRONG_LOOPS.items():
        run = optional(sgd_trajectory, theta0, X, y, last, lr, loop=loop)
        if run is None:
            continue
        if all(value.shape == run[k].shape and torch.allclose(value.double(), run[k].double(), rtol=1e-5, atol=1e-5)
               for k, value in got.items()):
            return {k: {text: run[k]} for k in got}
    return {k: {} for k in got}


# ------------------------------------------------------------ accumulated_gradient
# Loss functions are sent to the student's process by reference (pickled by name), so
# they live here, at module level.


def mse_loss(params, batch) -> torch.Tensor:
    """Mean squared error of a linear model: params (w, b), batch (X, y)."""
    w, b = params
    X, y = batch
    return ((X @ w + b - y) ** 2).mean()


def tanh_loss(params, batch) -> torch.Tensor:
    """Mean squared error of a one-hidden-layer tanh network: params (W, v), batch (X, y)."""
    W, v = params
    X, y = batch
    return ((torch.tanh(X @ W) @ v - y) ** 2).mean()


def accumulation_problem(kind: str, n_batches: int, batch_size: int | tuple, dtype: torch.dtype, seed: int):
    """(loss_fn, params, batches): params are leaves that require grad, batches (X, y) pairs;
    ``batch_size`` is one size for every batch, or a tuple of sizes, one per batch."""
    generator = torch.Generator().manual_seed(seed)
    draw = lambda *shape: torch.randn(shape, generator=generator, dtype=torch.float64).to(dtype)
    d = 3
    if kind == "mse":
        loss_fn, params = mse_loss, [draw(d), draw()]
    else:
        loss_fn, params = tanh_loss, [draw(d, 4), draw(4)]
    params = [p.requires_grad_(True) for p in params]
    sizes = batch_size if isinstance(batch_size, tuple) else (batch_size,) * n_batches
    batches = [(draw(size, d), draw(size)) for size in sizes]
    return loss_fn, params, batches


@ground_truth
def mean_of_batch_gradients(loss_fn, params, batches) -> list[torch.Tensor]:
    """The contract's accumulation: the sum over batches of each batch's gradient / len(batches), which
    is the full-batch gradient only when the batches are of one size."""
    per_batch = [batch_gradients(loss_fn, params, batch) for batch in batches]
    return [sum(g[i] for g in per_batch) / len(batches) for i in range(len(params))]


@ground_truth
def full_batch_gradient(loss_fn, params, batches) -> list[torch.Tensor]:
    """The gradient of the mean loss over every example at once."""
    leaves = [p.detach().clone().requires_grad_(True) for p in params]
    X = torch.cat([X for X, _ in batches])
    y = torch.cat([y for _, y in batches])
    return list(torch.autograd.grad(loss_fn(leaves, (X, y)), leaves))


@ground_truth
def batch_gradients(loss_fn, params, batch) -> list[torch.Tensor]:
    leaves = [p.detach().clone().requires_grad_(True) for p in params]
    return list(torch.autograd.grad(loss_fn(leaves, batch), leaves))


def accumulation_gradient_mistakes(loss_fn, params, batches) -> list[dict[str, torch.Tensor]]:
    """Per param: what the known wrong accumulations leave, keyed by the message."""
    per_batch = [batch_gradients(loss_fn, params, batch) for batch in batches]
    n = len(batches)
    out = []
    for i, p in enumerate(params):
        summed = sum(g[i] for g in per_batch)
        mistakes = {
            "each batch's loss must be scaled by 1 / len(batches): this is the sum of the batch gradients": summed,
            "only the last batch's share is left: .grad was cleared between batches": per_batch[-1][i] / n,
            "only the last batch's gradient is left: .grad was cleared between batches": per_batch[-1][i],
        }
        if p.grad is not None:
            mistakes["the params' old .grad was added in: clear the gradients before accumulating"] = (
                p.grad + summed / n)
        out.append(mistakes)
    return out


def grads_after_zeroing(result, loss_fn, params, batches) -> list:
    """Probe: the returned gradients after each param's .grad is zeroed in place, as a caller's
    zero_grad(set_to_none=False) would; copies keep their values, references become zeros."""
    for leaf in params:
        if isinstance(leaf, torch.Tensor) and leaf.grad is not None:
            leaf.grad.zero_()
    return [r.detach().clone() if isinstance(r, torch.Tensor) else None for r in result]


# ------------------------------------------------------------------ checks
# Shared by the grader (tests/graders/test_ex05_accumulation.py) and the notebook's
# hidden tests; each fails with one line for the student.


def returned(outcome: Outcome):
    """The value, naming the missing retain_graph when a second backward through one graph failed."""
    if not outcome.ok and "second time" in outcome.message:
        checks.fail(f"{outcome.message.split(' (')[0]}; {RETAIN_GRAPH_HINT}")
    return checks.expect_ok(outcome)


def check_grad_after_n(fn: StudentFunction, inputs: Iterable[tuple], counts: Iterable[int]) -> None:
    """fn(w, x, n) is w.grad after n backward calls, for every input and every n."""
    counts = tuple(counts)
    for w, x in inputs:
        for n in counts:
            got = returned(fn.run(w, x, n))
            checks.check_close(got, grad_after_n(w, x, n), mistakes=accumulation_mistakes(w, x, n),
                               name=f"grad_after_n_backwards({checks.describe_inputs([w, x])}, n={n})")


def check_twice_same_graph(fn: StudentFunction, inputs: Iterable[tuple]) -> None:
    """fn(w, x) is w.grad after two backward calls through one graph."""
    for w, x in inputs:
        got = returned(fn.run(w, x))
        checks.check_close(got, twice_same_graph(w, x), mistakes=accumulation_mistakes(w, x, 2),
                           name=f"backward_twice_same_graph({checks.describe_inputs([w, x])})")


def check_callers_tensors_alone(fn: StudentFunction, inputs: Iterable[tuple], *extra) -> None:
    """fn(w, x, *extra) is right (n backward calls' gradient: ``extra`` is (n,), or two through one
    graph when empty), so that a side property earns nothing on a wrong answer, and it leaves the
    caller's w and x (values, requires_grad, .grad) as they were, whether w.grad was None or held a
    gradient already."""
    for w, x in inputs:
        for w_grad in (None, torch.full_like(w, 7.0)):
            w_in, x_in = strategies.with_grad(w, w_grad), strategies.with_grad(x, None)
            outcome = fn.run(w_in, x_in, *extra)
            n = extra[0] if extra else 2
            expected = grad_after_n(w, x, n) if extra else twice_same_graph(w, x)
            checks.check_close(returned(outcome), expected, mistakes=accumulation_mistakes(w, x, n),
                               name=f"{fn.name}({checks.describe_inputs([w, x])}{f', n={n}' if extra else ''})")
            checks.check_unchanged(w_in, outcome.args_after[0], name="w")
            checks.check_unchanged(x_in, outcome.args_after[1], name="x")


def check_train_linear_trajectory(fn: StudentFunction, cases: Iterable[tuple]) -> None:
    """For each (n, d, dtype, seed, lr, step counts): fn(theta0, X, y, k, lr) is the k-th point of
    torch.optim.SGD's trajectory, for every k; a wrong loop is named from the whole trajectory."""
    for n, d, dtype, seed, lr, step_counts in cases:
        theta0, X, y = linear_problem(n, d, dtype, seed)
        trajectory = sgd_trajectory(theta0, X, y, max(step_counts), lr)
        got = {k: checks.check_tensor(fn(theta0, X, y, k, lr), name=f"train_linear(steps={k})",
                                      shape=theta0.shape, dtype=dtype)
               for k in step_counts}
        # After one step, a loop with step before backward has not moved either; only the whole
        # trajectory tells it from zero_grad between backward and step, which stays put for good.
        mistakes = trajectory_mistake(theta0, X, y, lr, {k: t.value for k, t in got.items()})
        for k in step_counts:
            checks.check_close(got[k], trajectory[k], mistakes=mistakes[k],
                               name=f"train_linear({n}x{d} {str(dtype).replace('torch.', '')}, steps={k}, lr={lr})")


def check_train_linear_detached(fn: StudentFunction, n: int, d: int, seed: int, steps: int) -> None:
    """fn returns the right theta (a side property earns nothing on a wrong answer), detached, and
    leaves theta0 (a leaf with a .grad), X and y alone."""
    theta0, X, y = linear_problem(n, d, torch.float32, seed)
    theta_in = strategies.with_grad(theta0, torch.ones_like(theta0))
    outcome = fn.run(theta_in, X, y, steps, 0.1)
    got = checks.check_tensor(checks.expect_ok(outcome), name="train_linear(...)", shape=theta0.shape)
    checks.check_close(got, sgd_trajectory(theta0, X, y, steps, 0.1)[steps],
                       mistakes=trajectory_mistake(theta0, X, y, 0.1, {steps: got.value})[steps],
                       name=f"train_linear({n}x{d} float32, steps={steps}, lr=0.1)")
    if got.requires_grad or got.grad_fn is not None:
        checks.fail("train_linear must return theta detached (requires_grad=False, no grad_fn): "
                    "return theta.detach()")
    checks.check_unchanged(theta_in, outcome.args_after[0], name="theta0")
    checks.check_unchanged(X, outcome.args_after[1], name="X")
    checks.check_unchanged(y, outcome.args_after[2], name="y")


def _accumulate(fn: StudentFunction, case: tuple, old_grads: bool):
    """Run fn on one case; (outcome, (loss_fn, params as passed, batches), the returned list)."""
    kind, n_batches, size, dtype, seed = case
    loss_fn, params, batches = accumulation_problem(kind, n_batches, size, dtype, seed)
    if old_grads:
        params = [strategies.with_grad(p, torch.full_like(p, 0.5)) for p in params]
    outcome = fn.run(loss_fn, params, batches, probe=grads_after_zeroing)
    result = checks.expect_ok(outcome)
    if not isinstance(result, (list, tuple)) or len(result) != len(params):
        checks.fail(f"accumulated_gradient must return a list with one gradient per param ({len(params)}), "
                    f"got {result!r:.80}")
    return outcome, (loss_fn, params, batches), result


def check_accumulated_gradient(fn: StudentFunction, cases: Iterable[tuple], *, old_grads: bool = False) -> None:
    """For each (loss, batches, batch size, dtype, seed): fn(loss_fn, params, batches) equals the
    full-batch gradient computed here; with old_grads the params arrive with a .grad already."""
    for case in cases:
        _, (loss_fn, params, batches), result = _accumulate(fn, case, old_grads)
        kind, n_batches, size, _, _ = case
        equal = not isinstance(size, tuple)
        expected = (full_batch_gradient if equal else mean_of_batch_gradients)(loss_fn, params, batches)
        mistakes = accumulation_gradient_mistakes(loss_fn, params, batches)
        if not equal:
            for i, wrong in enumerate(optional(full_batch_gradient, loss_fn, params, batches) or []):
                mistakes[i]["that is the gradient of the mean over all examples: each batch's mean loss is "
                            "scaled by 1 / len(batches), whatever its size"] = wrong
        for i, (got, want) in enumerate(zip(result, expected)):
            sizes = f"of {size}" if equal else f"of sizes {', '.join(map(str, size))}"
            checks.check_close(got, want, mistakes=mistakes[i],
                               name=f"accumulated_gradient({kind}, {n_batches} batches {sizes}): param {i}")


def check_accumulated_in_grad_and_copied(fn: StudentFunction, cases: Iterable[tuple]) -> None:
    """What fn returns is right (a side property earns nothing on a wrong answer), is what it left in
    each param's .grad, and survives the caller zeroing .grad."""
    for case in cases:
        outcome, (loss_fn, params, batches), result = _accumulate(fn, case, old_grads=False)
        params_after = outcome.args_after[1]
        mistakes = accumulation_gradient_mistakes(loss_fn, params, batches)
        for i, (got, want) in enumerate(zip(result, full_batch_gradient(loss_fn, params, batches))):
            checks.check_close(got, want, mistakes=mistakes[i], name=f"accumulated_gradient: param {i}'s gradient")
        for i, got in enumerate(result):
            got = checks.check_tensor(got, name=f"accumulated_gradient: param {i}'s gradient")
            after = params_after[i] if isinstance(params_after, (list, tuple)) and i < len(params_after) else None
            if not isinstance(after, TensorResult) or after.grad is None:
                checks.fail(f"accumulated_gradient left no gradient in param {i}'s .grad: accumulate with "
                            "backward, so that the sum stays in .grad")
            if not checks.is_close(after.grad.value, got.value):
                checks.fail(f"param {i}'s .grad holds {checks.short(after.grad.value)}, but accumulated_gradient "
                            f"returned {checks.short(got.value)}: leave the sum in .grad and return copies of it")
        copies = outcome.probe
        for i, got in enumerate(result):
            kept = copies[i] if isinstance(copies, list) and i < len(copies) else None
            if not isinstance(kept, TensorResult) or not torch.equal(kept.value, got.value):
                checks.fail(f"the gradient returned for param {i} changed when the params' .grad was zeroed in "
                            "place: return copies (p.grad.clone()), not p.grad itself")
