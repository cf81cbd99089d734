"""Ground truth for ex06_linear_regression, and the probes and builders its grader sends to the child."""
from __future__ import annotations

import itertools

import torch

from grading import graphs
from grading.references import ground_truth

TRUE_W = (2.0, -3.4)
TRUE_B = 4.2


def generator(seed: int) -> torch.Generator:
    """A seeded generator, built in whichever process needs it."""
    return torch.Generator().manual_seed(seed)


# ------------------------------------------------------------------ synthetic_data

def synthetic(w, b, n: int, seed: int, *, noise_first: bool = False, noise_std: float = 0.01):
    """(X, y) as the contract draws them: X first, then the noise, from one seeded generator.

    ``noise_first`` gives the draws in the order the contract does not use, to recognise it in a message.
    """
    return both_orders(w, b, n, seed, noise_std)[int(noise_first)]


@ground_truth
def both_orders(w, b, n: int, seed: int, noise_std: float = 0.01):
    """((X, y) drawn X first, (X, y) drawn noise first): the grader asks for the second only when
    the first does not match, so both are computed (and, for the student bundle, recorded) at once."""
    w = torch.as_tensor(w, dtype=torch.float32)
    out = []
    for noise_first in (False, True):
        g = generator(seed)
        if noise_first:
            noise = torch.randn(n, generator=g) * noise_std
            X = torch.randn(n, len(w), generator=g)
        else:
            X = torch.randn(n, len(w), generator=g)
            noise = torch.randn(n, generator=g) * noise_std
        out.append((X, (X @ w + b + noise).reshape(-1, 1)))
    return tuple(out)


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
    """w's starting value: N(0, 0.01^2) of shape (d, 1), the first draw of the generator."""
    return torch.randn(d, 1, generator=generator(seed)) * 0.01


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
