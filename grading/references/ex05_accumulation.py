"""Ground truth for ex05_accumulation: torch.autograd and torch.optim.SGD, run in the grader."""
from __future__ import annotations

import torch

ONE_BACKWARD = "the gradient of one backward: .grad accumulates across calls, don't clear it"


def forward(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """ex01's y = (x + w) * (w + 1)."""
    return (x + w) * (w + 1)


def dy_dw(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    w = w.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(forward(w, x.detach()).sum(), w)
    return grad


def grad_after_n(w: torch.Tensor, x: torch.Tensor, n: int) -> torch.Tensor:
    """w.grad after n backward calls through n fresh graphs."""
    w = w.detach().clone().requires_grad_(True)
    for _ in range(n):
        forward(w, x.detach()).sum().backward()
    return w.grad


def twice_same_graph(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """w.grad after two backward calls through one graph."""
    w = w.detach().clone().requires_grad_(True)
    y = forward(w, x.detach()).sum()
    y.backward(retain_graph=True)
    y.backward()
    return w.grad


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


def sgd_trajectory(theta0: torch.Tensor, X: torch.Tensor, y: torch.Tensor, steps: int, lr: float, *,
                   loop: str = "right") -> list[torch.Tensor]:
    """theta after 0, 1, ..., steps steps of torch.optim.SGD, with the training loop written as ``loop``:

    ``right``: zero_grad, backward, step;  ``no_zero_grad``: backward, step;
    ``zero_between``: backward, zero_grad, step;  ``step_first``: loss, step, zero_grad, backward;
    ``sum``: the right loop on the summed loss.
    """
    theta = theta0.detach().clone().requires_grad_(True)
    optimizer = torch.optim.SGD([theta], lr=lr)
    reduce = torch.sum if loop == "sum" else torch.mean
    out = [theta.detach().clone()]
    for _ in range(steps):
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
        run = sgd_trajectory(theta0, X, y, last, lr, loop=loop)
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


def accumulation_problem(kind: str, n_batches: int, batch_size: int, dtype: torch.dtype, seed: int):
    """(loss_fn, params, batches): params are leaves that require grad, batches (X, y) pairs."""
    generator = torch.Generator().manual_seed(seed)
    draw = lambda *shape: torch.randn(shape, generator=generator, dtype=torch.float64).to(dtype)
    d = 3
    if kind == "mse":
        loss_fn, params = mse_loss, [draw(d), draw()]
    else:
        loss_fn, params = tanh_loss, [draw(d, 4), draw(4)]
    params = [p.requires_grad_(True) for p in params]
    batches = [(draw(batch_size, d), draw(batch_size)) for _ in range(n_batches)]
    return loss_fn, params, batches


def full_batch_gradient(loss_fn, params, batches) -> list[torch.Tensor]:
    """The gradient of the mean loss over every example at once."""
    leaves = [p.detach().clone().requires_grad_(True) for p in params]
    X = torch.cat([X for X, _ in batches])
    y = torch.cat([y for _, y in batches])
    return list(torch.autograd.grad(loss_fn(leaves, (X, y)), leaves))


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
    for p in params:
        if isinstance(p, torch.Tensor) and p.grad is not None:
            p.grad.zero_()
    return [r.detach().clone() if isinstance(r, torch.Tensor) else None for r in result]
