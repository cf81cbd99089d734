"""Ground truth for ex06_linear_regression, and the probes and builders its grader sends to the child."""
from __future__ import annotations

import itertools

import torch

from grading.checking import checks, graphs
from grading.checking.references import ground_truth
from grading.runtime.runner import Build
from grading.runtime.targets import StudentFunction

# Imported by the worker before its first fork for this module, so that no call pays for it
# (grading/runtime/zygote.py): the notebook's lesson cells import pyplot.
WORKER_IMPORTS = ("matplotlib.pyplot",)

TRUE_W = (2.0, -3.4)
TRUE_B = 4.2


def generator(seed: int) -> torch.Generator:
    """A seeded generator, built in whichever process needs it."""
    return torch.Generator().manual_seed(seed)


# ------------------------------------------------------------------ synthetic_data

def synthetic(w, b, n: int, seed: int):
    """(X, y) for the graders' own use: X ~ N(0, 1), y = X @ w + b + N(0, 0.01^2) noise, from a seeded
    generator. Only data to train on: synthetic_data is checked by its distributions, never against these."""
    return _synthetic(tuple(float(v) for v in w), float(b), n, seed)


@ground_truth
def _synthetic(w, b, n: int, seed: int):
    g = generator(seed)
    w = torch.tensor(w, dtype=torch.float32)
    X = torch.randn(n, len(w), generator=g)
    noise = torch.randn(n, generator=g) * 0.01
    return X, (X @ w + b + noise).reshape(-1, 1)


# Below this many values a sample is checked for its form only: its statistics are too loose to tell.
STATISTICS_FROM = 200


def _pair(result, function: str, names: str) -> tuple:
    if not isinstance(result, tuple) or len(result) != len(names.split(", ")):
        checks.fail(f"{function} must return the tuple ({names}), got {type(result).__name__}")
    return result


def _synthetic_draw(fn: StudentFunction, w, b, n: int, seed: int | None, global_seed: int = 0):
    """(X, y) from the student's synthetic_data, checked for form: float32, X (n, len(w)), y (n, 1)."""
    generator_arg = None if seed is None else Build(generator, (seed,))
    result = fn(torch.tensor(w), b, n, generator=generator_arg, setup=checks.seed_global_rngs,
                setup_kwargs={"seed": global_seed})
    X, y = _pair(result, "synthetic_data", "X, y")
    X = checks.check_tensor(X, name="synthetic_data: X", shape=(n, len(w)), dtype=torch.float32)
    y = checks.check_tensor(y, name="synthetic_data: y", dtype=torch.float32)
    if y.shape != (n, 1):
        hint = ("; X @ w has shape (n,) and noise of shape (n, 1) broadcasts it to (n, n)"
                if y.shape == (n, n) else "; reshape y to (num_examples, 1)")
        checks.fail(f"synthetic_data: y has shape {y.shape}, expected {(n, 1)}{hint}")
    return X, y


def synthetic_problem(X: torch.Tensor, y: torch.Tensor, w, b: float) -> str | None:
    """What is wrong with the draws (X, y) of synthetic_data(w, b, len(X)), or None: where there are
    enough values, X ~ N(0, 1) and the noise y - (X @ w + b) ~ N(0, 0.01^2), independent of X
    (statistics a correct draw fails with a chance below 1e-8); else the noise's size only."""
    n = len(X)
    label = f"synthetic_data(w of {len(w)}, b={b:g}, {n})"
    noise = y.double().reshape(-1) - (X.double() @ torch.tensor(w, dtype=torch.float64) + b)
    problems = []
    if X.numel() >= STATISTICS_FROM:
        problems.append(checks.normal_sample_problem(X, mean=0.0, std=1.0, what=f"{label}: X"))
    if n >= STATISTICS_FROM:
        what = f"{label}: the noise y - (X @ w + b)"
        problems.append(checks.normal_sample_problem(noise, mean=0.0, std=0.01, what=what))
        problems.extend(checks.correlation_problem(noise, X[:, j], what=f"{label}: the noise and X[:, {j}]")
                        for j in range(len(w)))
    elif noise.abs().max() > checks.Z * 0.01:
        problems.append(f"{label}: y - (X @ w + b) reaches {noise.abs().max().item():.3g}; y must be X @ w + b "
                        "plus N(0, 0.01^2) noise")
    problem = next((p for p in problems if p), None)
    if problem and noise.abs().max() < 1e-6:
        problem += "; no noise was added to y"
    elif problem and abs(noise.mean().item() + b) < 0.05 and abs(b) > 0.1:
        problem += "; is b missing from y?"
    return problem


def check_synthetic_data(fn: StudentFunction, cases) -> None:
    """For each (w, b, n, seed): X of shape (n, len(w)) and y of shape (n, 1), float32, whose draws
    pass synthetic_problem. Then: a seed reproduces (X, y) whatever the global generators hold,
    another seed changes it, and generator=None works. The order of the draws is the student's:
    the contract does not fix it."""
    for w, b, n, seed in cases:
        X, y = _synthetic_draw(fn, w, b, n, seed)
        problem = synthetic_problem(X.value, y.value, w, b)
        if problem:
            checks.fail(problem)
    w, b, n, _ = cases[0]

    def draw(seed: int, global_seed: int):
        return _synthetic_draw(fn, w, b, n, seed, global_seed)

    checks.check_seeded(draw, name="synthetic_data")
    _synthetic_draw(fn, w, b, n, None)  # generator=None: the global generator, as torch's own functions do


# ----------------------------------------------------------------------- data_iter

def numbered_data(n: int, d: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Features whose first column is the example's index, and labels that repeat it negated."""
    features = torch.arange(n, dtype=torch.float32).unsqueeze(1) + torch.zeros(n, d)
    features[:, 1:] += 0.5
    labels = -torch.arange(n, dtype=torch.float32).unsqueeze(1)
    return features, labels


def collect_batches(result, *args, limit: int = 1000) -> dict:
    """Consume what data_iter returned (in the child): the batches, and whether it went on past ``limit``."""
    iterator = iter(result)
    batches = list(itertools.islice(iterator, limit))
    more = next(iterator, StopIteration) is not StopIteration
    return {"batches": batches, "more": more}


# --------------------------------------------------------------- linreg, squared_loss

@ground_truth
def linreg_value(X, w, b) -> torch.Tensor:
    return (X @ w + b).detach()


@ground_truth
def linreg_grads(X, w, b) -> tuple[torch.Tensor, torch.Tensor]:
    """d sum(X @ w + b) / d(w, b) from autograd."""
    w = w.detach().requires_grad_(True)
    b = b.detach().requires_grad_(True)
    return torch.autograd.grad((X @ w + b).sum(), (w, b))


@ground_truth
def squared_loss_value(y_hat, y) -> torch.Tensor:
    return ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).detach()


@ground_truth
def squared_loss_grad(y_hat, y) -> torch.Tensor:
    """d sum(squared_loss) / d y_hat from autograd."""
    y_hat = y_hat.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).sum(), y_hat)
    return grad


# ----------------------------------------------------------------------------- sgd

_BUILT: list = []


def sgd_args(values: list, grads: list, lr: float, batch_size: int) -> tuple:
    """(params, lr, batch_size) with each param a leaf holding its .grad; remembers the objects."""
    params = []
    for value, grad in zip(values, grads):
        param = value.detach().clone().requires_grad_(True)
        param.grad = grad.detach().clone()
        params.append(param)
    _BUILT[:] = params
    return params, lr, batch_size


def same_objects(result, params, *rest) -> list:
    """For each list slot, whether it still holds the tensor object it was given (in the child)."""
    return [p is q for p, q in zip(params, _BUILT)] + [False] * (len(_BUILT) - len(params))


# -------------------------------------------------------------- squared_loss_grads

def loss_sum(X, y, w, b) -> torch.Tensor:
    """squared_loss(linreg(X, w, b), y).sum(), detached."""
    return loss_and_grads(X, y, w, b)[0]


def loss_grads(X, y, w, b) -> tuple[torch.Tensor, torch.Tensor]:
    """(dL/dw, dL/db) from autograd on fresh leaves."""
    return loss_and_grads(X, y, w, b)[1:]


@ground_truth
def loss_and_grads(X, y, w, b) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(L, dL/dw, dL/db) for L = sum((X @ w + b - y) ** 2 / 2), from autograd on fresh leaves."""
    w = w.detach().requires_grad_(True)
    b = b.detach().requires_grad_(True)
    y_hat = X.detach() @ w + b
    loss = ((y_hat - y.detach().reshape(y_hat.shape)) ** 2 / 2).sum()
    dw, db = torch.autograd.grad(loss, (w, b))
    return loss.detach(), dw, db


# What typical wrong answers evaluate to, (dw, db) each, so that messages can name them.
GRAD_MISTAKES = {
    "the mean over the batch instead of the sum (divided by n)":
        lambda X, y, w, b: tuple(g / len(X) for g in loss_grads(X, y, w, b)),
    "twice the gradient: the 2 from the square cancels the / 2 of the loss":
        lambda X, y, w, b: tuple(2 * g for g in loss_grads(X, y, w, b)),
    "the sign is flipped: the residual is y_hat - y, not y - y_hat":
        lambda X, y, w, b: tuple(-g for g in loss_grads(X, y, w, b)),
}


def grad_cases(seed: int):
    """(X, y, w, b) for several batch sizes and widths, y as (n, 1) or (n,), w as (d, 1) or (d,)."""
    g = generator(seed)
    for n, d, y_shape, w_shape, dtype in ((5, 2, (5, 1), (2, 1), torch.float32),
                                          (1, 1, (1,), (1, 1), torch.float32),
                                          (17, 4, (17,), (4, 1), torch.float64),
                                          (8, 3, (8, 1), (3,), torch.float32)):
        X = torch.randn(n, d, generator=g, dtype=torch.float64).to(dtype)
        y = torch.randn(y_shape, generator=g, dtype=torch.float64).to(dtype)
        w = torch.randn(w_shape, generator=g, dtype=torch.float64).to(dtype)
        b = torch.randn(1, generator=g, dtype=torch.float64).to(dtype)
        yield X, y, w, b


# --------------------------------------------------------------------------- train

def initial_w(d: int, seed: int) -> torch.Tensor:
    """A small w of shape (d, 1), N(0, 0.01^2), for the graders to build graphs with."""
    return torch.randn(d, 1, generator=generator(seed)) * 0.01


def wide_data(n: int, d: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(features, labels) with many features, so that w's starting draw holds enough values to test
    its distribution."""
    g = generator(seed)
    features = torch.randn(n, d, generator=g)
    return features, features @ (torch.randn(d, 1, generator=g) / d ** 0.5)


STARTED_AT_ZERO = "w started at zero; start from N(0, 0.01^2) drawn with the generator"


def train_start_problem(w: torch.Tensor) -> str | None:
    """What is wrong with w's starting values (train with lr=0), or None: N(0, 0.01^2), tested as a
    distribution where w holds enough values, else for its size."""
    if not w.abs().gt(0).any():
        return f"train: {STARTED_AT_ZERO}"
    if w.numel() >= STATISTICS_FROM:
        problem = checks.normal_sample_problem(w, mean=0.0, std=0.01, what="train: w's starting value")
        return problem and f"{problem}; w starts as N(0, 0.01^2) of shape (d, 1), drawn with the generator"
    if w.abs().max() > checks.Z * 0.01:
        return f"train: w started at {checks.short(w)}, expected small N(0, 0.01^2) draws"
    return None


def check_train_start(w, b, losses: list, features: torch.Tensor, labels: torch.Tensor) -> None:
    """What train(..., lr=0, num_epochs=1) returned (w, b as TensorResults): w passes
    train_start_problem, b is zeros(1), and the one loss is the mean loss of those parameters.
    Which draw w is, is the student's: only its distribution and the generator's use are in the
    contract."""
    problem = train_start_problem(w.value)
    if problem:
        checks.fail(problem)
    checks.check_close(b, torch.zeros(1), name="train: b's starting value")
    expected = mean_loss(features, labels, w.value, torch.zeros(1))
    checks.check_floats(losses, [expected], name="train: the loss after one epoch with lr=0", mistakes={
        "the sum over all examples, not the mean": [expected * len(features)],
        "the loss without the / 2 of squared_loss": [expected * 2]})


def mean_loss(features, labels, w, b) -> float:
    """The mean of squared_loss over all examples, as train records it after each epoch."""
    y_hat = features @ w + b
    return ((y_hat - labels.reshape(y_hat.shape)) ** 2 / 2).mean().item()


def least_squares(features, labels) -> tuple[torch.Tensor, torch.Tensor]:
    """The exact minimiser (w, b) of the squared loss on these data, from torch.linalg.lstsq."""
    A = torch.cat([features, torch.ones(len(features), 1)], dim=1).double()
    solution = torch.linalg.lstsq(A, labels.reshape(-1, 1).double()).solution
    return solution[:-1].float(), solution[-1:].reshape(1).float()


# ------------------------------------------------------------------ loss_for_graph

@ground_truth
def loss_graph_target(X, y, w, b) -> str:
    """The rendering (DOT source, leaves named w and b) of the reference loss, built with the
    operations the contract names."""
    y_hat = torch.add(torch.matmul(X, w), b)
    loss = torch.sum(torch.div(torch.pow(torch.sub(y_hat, y.reshape(y_hat.shape)), 2), 2))
    return graphs.render_dot(loss, {"w": w, "b": b})
