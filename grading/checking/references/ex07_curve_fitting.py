"""Ground truth for ex07_curve_fitting: the data, the model, and reference runs of the fit."""
from __future__ import annotations

import torch
from torch import nn

from grading.checking import checks
from grading.checking.references import ground_truth, optional
from grading.runtime.runner import Build
from grading.runtime.targets import StudentFunction

# Imported by the worker before its first fork for this module, so that no call pays for it
# (grading/runtime/zygote.py): torch.optim's first use imports torch._dynamo; the module plots with pyplot.
WORKER_IMPORTS = ("torch._dynamo", "matplotlib.pyplot")


def generator(seed: int) -> torch.Generator:
    """A seeded generator, built in whichever process needs it."""
    return torch.Generator().manual_seed(seed)


# ----------------------------------------------------------------------- make_data

def clean(X: torch.Tensor) -> torch.Tensor:
    """The curve the data come from: 1.5 sin(x) + 1.2 cos(x / 4)."""
    return 1.5 * torch.sin(X) + 1.2 * torch.cos(X / 4)


@ground_truth
def data(n: int = 1000, noise: float = 1.0, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(X, y, yt) as the contract makes them, the noise drawn from a seeded generator."""
    X = torch.linspace(-10, 10, n)
    y = clean(X)
    return X, y, y + noise * torch.randn(n, generator=generator(seed))


def curve_mistakes(X: torch.Tensor) -> dict[str, torch.Tensor]:
    """What typical wrong clean curves give, so that messages can name them."""
    return {"sin/cos swapped: y = 1.5 sin(x) + 1.2 cos(x / 4)": 1.5 * torch.cos(X) + 1.2 * torch.sin(X / 4),
            "cos(X) / 4 instead of cos(X / 4)": 1.5 * torch.sin(X) + 1.2 * torch.cos(X) / 4}


# From this many points on, the noise is tested as a distribution; below, for its size only.
STATISTICS_FROM = 200


def _drawn(fn: StudentFunction, n: int | None, noise: float | None, seed: int | None, global_seed: int = 0):
    """(X, y, yt) from the student's make_data, checked for form: three float32 tensors of n values."""
    sizes = {} if n is None else {"n": n, "noise": noise}
    n = 1000 if n is None else n
    result = fn(**sizes, generator=None if seed is None else Build(generator, (seed,)),
                setup=checks.seed_global_rngs, setup_kwargs={"seed": global_seed})
    if not isinstance(result, tuple) or len(result) != 3:
        checks.fail(f"make_data must return the tuple (X, y, yt), got {type(result).__name__}")
    return tuple(checks.check_tensor(t, name=f"make_data: {name}", shape=(n,), dtype=torch.float32)
                 for name, t in zip(("X", "y", "yt"), result))


def noise_problem(y: torch.Tensor, yt: torch.Tensor, noise: float, label: str) -> str | None:
    """What is wrong with yt's noise, or None: (yt - y) / noise is N(0, 1), tested as a distribution
    from STATISTICS_FROM points on (a correct draw fails with a chance below 1e-8), for its size below."""
    residual = yt.double() - y.double()
    if residual.abs().max() == 0:
        return f"{label}: no noise was added: yt equals y"
    standard = residual / noise
    if len(standard) >= STATISTICS_FROM:
        problem = checks.normal_sample_problem(standard, mean=0.0, std=1.0, what=f"{label}: (yt - y) / noise")
        if problem and noise != 1 and checks.normal_sample_problem(residual, mean=0.0, std=1.0, what="") is None:
            problem += "; the noise is not scaled by `noise`"
        return problem and f"{problem}: yt = y + noise * N(0, 1), drawn from the generator"
    if standard.abs().max() > checks.Z:
        return (f"{label}: yt - y reaches {residual.abs().max().item():.3g}, far beyond noise * N(0, 1) with "
                f"noise = {noise:g}; is the noise not scaled by `noise`?")
    return None


def check_make_data(fn: StudentFunction, cases) -> None:
    """For each (n, noise, seed) (None, None: the defaults, 1000 points and noise 1.0): X is
    linspace(-10, 10, n), y the clean curve, and (yt - y) / noise is N(0, 1) (a statistical test
    from STATISTICS_FROM points on, a bound on its size below). Then a seed reproduces yt whatever
    the global generators hold, another seed changes it, and generator=None works. How N(0, 1) is
    drawn from the generator is the student's: only the distribution is in the contract."""
    for n, noise, seed in cases:
        X, y, yt = _drawn(fn, n, noise, seed)
        n, noise = n or 1000, noise or 1.0
        label = f"make_data(n={n}, noise={noise:g})"
        X_ref = torch.linspace(-10, 10, n)
        checks.check_close(X, X_ref, name=f"{label}: X")
        checks.check_close(y, clean(X_ref), name=f"{label}: y", mistakes=curve_mistakes(X_ref))
        problem = noise_problem(y.value, yt.value, noise, label)
        if problem:
            checks.fail(problem)
    n, noise, _ = cases[0]

    def draw(seed: int, global_seed: int):
        return _drawn(fn, n, noise, seed, global_seed)

    checks.check_seeded(draw, name="make_data: yt")
    _drawn(fn, n, noise, None)  # generator=None: the global generator, as torch's own functions do


# ----------------------------------------------------------------------- fit_model

@ground_truth
def model(theta: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """fit_model's value."""
    return theta[0] * X + theta[1] * torch.sin(X) + theta[2] * torch.cos(X / 4)


def features(X: torch.Tensor) -> torch.Tensor:
    """F with one row [x, sin(x), cos(x / 4)] per point, so that the model is F @ theta."""
    return torch.stack([X, torch.sin(X), torch.cos(X / 4)], dim=1)


@ground_truth
def model_grad(theta: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """d sum(fit_model(theta, X)) / d theta from autograd."""
    theta = theta.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(model(theta, X.detach()).sum(), theta)
    return grad


def swapped_model(theta: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """The model with sin and cos swapped, a known mistake."""
    return theta[0] * X + theta[1] * torch.cos(X) + theta[2] * torch.sin(X / 4)


MODEL_MISTAKES = {
    "sin/cos swapped: the model is theta[1] * sin(X) + theta[2] * cos(X / 4)": swapped_model,
    "cos(X) / 4 instead of cos(X / 4)":
        lambda theta, X: theta[0] * X + theta[1] * torch.sin(X) + theta[2] * torch.cos(X) / 4,
}


# ----------------------------------------------------------------------------- fit

@ground_truth(also=lambda X, target, epochs, lr, seed, **variant:
              variant or (fit_mistakes(X, target, epochs, lr, seed), notebook_clean_fit(epochs, lr, seed)))
def run_fit(X, target, epochs: int, lr: float, seed: int, *, zero_grad: bool = True,
            record_after_step: bool = False, reduction: str = "mean") -> tuple[torch.Tensor, list[float]]:
    """The contract's training loop; the keywords reproduce known mistakes for messages.

    (For the student bundle, the known mistakes' curves for the same inputs are recorded with it.)
    """
    theta = torch.randn(3, generator=generator(seed)).requires_grad_(True)
    loss_fn = nn.MSELoss(reduction=reduction)
    optimizer = torch.optim.SGD([theta], lr=lr)
    losses = []
    for _ in range(epochs):
        loss = loss_fn(model(theta, X), target)
        if zero_grad:
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if record_after_step:
            with torch.no_grad():
                loss = loss_fn(model(theta, X), target)
        losses.append(loss.item())
    return theta.detach(), losses


@ground_truth
def fit_mistakes(X, yt, epochs: int, lr: float, seed: int) -> dict[str, list[float]]:
    """The loss curves of typical wrong fits, for check_floats."""
    return {
        "the loss curve matches fitting y instead of yt: fit the noisy yt it was given":
            run_fit(X, clean(X), epochs, lr, seed)[1],
        "forgot zero_grad: gradients accumulate": run_fit(X, yt, epochs, lr, seed, zero_grad=False)[1],
        "each loss is recorded after the step: record the loss the step was computed from":
            run_fit(X, yt, epochs, lr, seed, record_after_step=True)[1],
        "mean vs sum in MSE: nn.MSELoss() averages": run_fit(X, yt, epochs, lr, seed, reduction="sum")[1],
    }


# A fit that reads the notebook's global y (the clean curve, make_data's default 1000 points)
# instead of its argument yt fails with a shape error on the graders' smaller data. Run on
# data of the notebook's size, it runs, and its loss curve is that of fitting the clean y.
NOTEBOOK_N = 1000


def notebook_sized_data(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(X, target): the notebook's X (make_data's default n) and a target unlike its clean y."""
    X = torch.linspace(-10, 10, NOTEBOOK_N)
    return X, clean(X) + torch.rand(NOTEBOOK_N, generator=generator(seed)) - 0.5


@ground_truth
def notebook_clean_fit(epochs: int, lr: float, seed: int) -> list[float]:
    """The loss curve of the contract's fit on the notebook's X against its clean y, from the seeded start."""
    X = torch.linspace(-10, 10, NOTEBOOK_N)
    return run_fit(X, clean(X), epochs, lr, seed)[1]


def starts_like(losses, curve, prefix: int = 5) -> bool:
    """Whether the first ``prefix`` losses agree with those of ``curve`` (None: no curve to compare)."""
    if curve is None:
        return False
    try:
        got = torch.tensor([float(v) for v in list(losses)[:prefix]], dtype=torch.float64)
    except (TypeError, ValueError):
        return False
    wrong = torch.tensor(curve[:prefix], dtype=torch.float64)
    return got.shape == wrong.shape and bool(torch.isclose(got, wrong, rtol=1e-4, atol=1e-6, equal_nan=True).all())


def which_mistake(losses: list[float], X, yt, epochs: int, lr: float, seed: int, prefix: int = 5) -> str | None:
    """The known mistake whose loss curve starts like ``losses``, if any."""
    got = torch.tensor(losses[:prefix], dtype=torch.float64)
    for label, curve in (optional(fit_mistakes, X, yt, epochs, lr, seed) or {}).items():
        wrong = torch.tensor(curve[:prefix], dtype=torch.float64)
        if got.shape == wrong.shape and torch.isclose(got, wrong, rtol=1e-4, atol=1e-6, equal_nan=True).all():
            return label
    return None


def least_squares(X: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The theta minimising the MSE exactly, from torch.linalg.lstsq in float64."""
    solution = torch.linalg.lstsq(features(X).double(), target.double().reshape(-1, 1)).solution
    return solution.reshape(3)


@ground_truth(also=lambda X, target, epochs, lr, seed:
              (fit_mistakes(X, target, epochs, lr, seed), notebook_clean_fit(epochs, lr, seed)))
def distance_left(X, target, epochs: int, lr: float, seed: int) -> float:
    """A bound on |theta - theta*| after ``epochs`` full-batch steps from the seeded start.

    Gradient descent on the MSE contracts the error by at most max |1 - lr * lambda| per
    step, lambda ranging over the eigenvalues of the Hessian 2 / n * F^T F. (For the student
    bundle, the known mistakes' curves for those settings are recorded with it: which_mistake.)
    """
    F = features(X).double()
    eigenvalues = torch.linalg.eigvalsh(2 / len(X) * F.T @ F)
    rate = (1 - lr * eigenvalues).abs().max().item()
    start = torch.randn(3, generator=generator(seed)).double()
    return rate ** epochs * (start - least_squares(X, target)).norm().item()


# -------------------------------------------------------------- theta_grad_by_hand

@ground_truth
def mse_grad(theta: torch.Tensor, X: torch.Tensor, yt: torch.Tensor) -> torch.Tensor:
    """dL/dtheta for L = nn.MSELoss()(fit_model(theta, X), yt), from autograd."""
    return mse_grad_of(model, theta, X, yt)


def mse_grad_of(curve, theta: torch.Tensor, X: torch.Tensor, yt: torch.Tensor) -> torch.Tensor:
    """dL/dtheta for L = nn.MSELoss()(curve(theta, X), yt), from autograd on a fresh leaf."""
    theta = theta.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(nn.MSELoss()(curve(theta, X.detach()), yt.detach()), theta)
    return grad


GRAD_MISTAKES = {
    "mean vs sum in MSE: the loss is the mean, so divide by n": lambda theta, X, yt: mse_grad(theta, X, yt) * len(X),
    "half the gradient: d(r^2)/dr = 2r, keep the factor 2": lambda theta, X, yt: mse_grad(theta, X, yt) / 2,
    "the sign is flipped: the residual is fit_model(theta, X) - yt": lambda theta, X, yt: -mse_grad(theta, X, yt),
    "sin/cos swapped in the features": lambda theta, X, yt: mse_grad_of(swapped_model, theta, X, yt),
}


def grad_cases(seed: int):
    """(theta, X, yt) for a few sizes and both float dtypes."""
    g = generator(seed)
    for n, dtype in ((50, torch.float32), (7, torch.float64), (1, torch.float32)):
        X = (torch.rand(n, generator=g, dtype=torch.float64) * 20 - 10).to(dtype)
        yt = torch.randn(n, generator=g, dtype=torch.float64).to(dtype)
        theta = torch.randn(3, generator=g, dtype=torch.float64).to(dtype)
        yield theta, X, yt

