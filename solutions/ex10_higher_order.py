"""ex10_higher_order: higher-order gradients, vector-Jacobian and Jacobian-vector products, torch.func.

For f: R^n -> R^m with Jacobian J (m x n, J[i, j] = d f_i / d x_j):

    reverse mode (backward, torch.autograd.grad) computes  u^T J  for one u in R^m per pass: a row of J;
    forward mode (dual numbers, torch.func.jvp)  computes  J v    for one v in R^n per pass: a column.

A gradient computed with create_graph=True is itself recorded by autograd, so it can be
differentiated again: second derivatives and Hessian-vector products
H v = d/dp (grad L(p) . v) cost two reverse passes, never the n x n Hessian.
"""
from __future__ import annotations

from typing import Callable

import torch


def second_derivative(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """d^2 f / dx^2 at every element of x, for an elementwise f.

    Each f(x_i) depends on x_i alone, so d/dx_i sum_j f(x_j) = f'(x_i): one grad of f(x).sum(),
    kept in the graph (create_graph=True), then one grad of the sum of that gradient gives f''(x_i).
    """
    ### BEGIN SOLUTION
    leaf = x.detach().requires_grad_(True)  # the caller's x keeps its requires_grad and .grad
    with torch.enable_grad():
        (slope,) = torch.autograd.grad(f(leaf).sum(), leaf, create_graph=True)
        if not slope.requires_grad:  # f' does not depend on x (f is linear): f'' = 0
            return torch.zeros_like(x)
        (curvature,) = torch.autograd.grad(slope.sum(), leaf)
    return curvature
    ### END SOLUTION


def hvp(loss_fn: Callable[[torch.Tensor], torch.Tensor], params: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """H v for the Hessian H of the scalar loss_fn(params), a 1-D params, without forming H.

    H v = d/dp (g(p) . v) with g = grad loss_fn: the gradient, taken with create_graph=True,
    differentiated once more with v as grad_outputs (double backward). Two reverse passes and
    tensors of size n, where H itself would need n passes and n^2 numbers.
    """
    ### BEGIN SOLUTION
    p = params.detach().requires_grad_(True)
    with torch.enable_grad():
        (g,) = torch.autograd.grad(loss_fn(p), p, create_graph=True)
        if not g.requires_grad:  # the loss is linear in p: H = 0
            return torch.zeros_like(p)
        (product,) = torch.autograd.grad(g, p, grad_outputs=v.detach())
    return product
    ### END SOLUTION


def jacobian_rows(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """The m x n Jacobian of f at a 1-D x (n values), row i = e_i^T J, one vector-Jacobian product each.

    One forward pass, kept (retain_graph=True), and m reverse passes, with the unit vector
    e_i as grad_outputs for row i.
    """
    ### BEGIN SOLUTION
    leaf = x.detach().requires_grad_(True)
    with torch.enable_grad():
        out = f(leaf)
        rows = []
        for i in range(out.numel()):
            unit = torch.zeros_like(out)
            unit[i] = 1.0
            (row,) = torch.autograd.grad(out, leaf, grad_outputs=unit, retain_graph=True,
                                         allow_unused=True, materialize_grads=True)
            rows.append(row)
    return torch.stack(rows)
    ### END SOLUTION


def jvp_forward(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """J(x) v by forward mode: x carries the tangent v (a dual number x + v·ε, ε² = 0) through f.

    Every operation maps (value, tangent) to (value, its derivative times the tangent), so the
    output's tangent is J v after one forward pass, and no backward pass runs.
    """
    ### BEGIN SOLUTION
    # torch.func.jvp runs f on dual numbers (as torch.autograd.forward_ad does) and returns
    # (f(x), the output's tangent).
    _, tangent = torch.func.jvp(f, (x.detach(),), (v.detach(),))
    return tangent
    ### END SOLUTION


def per_sample_grads(loss_fn: Callable[..., torch.Tensor], w: torch.Tensor, X: torch.Tensor,
                     y: torch.Tensor) -> torch.Tensor:
    """Row i = d loss_fn(w, X[i], y[i]) / dw, shape (n, *w.shape), with torch.func.vmap over torch.func.grad.

    grad(loss_fn) is the function (w, x, y) -> d loss / dw for one example; vmap maps it over the
    first dimension of X and y (in_dims=0) with w shared (in_dims=None), in one batched call.
    """
    ### BEGIN SOLUTION
    one_example = torch.func.grad(loss_fn)  # differentiates argument 0, w
    return torch.func.vmap(one_example, in_dims=(None, 0, 0))(w.detach(), X, y)
    ### END SOLUTION


def numerical_gradient(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """The gradient of a scalar f at x by central differences, without autograd:

        df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps),

    whose error is of order eps^2 (a forward difference's is of order eps). In float64 with
    eps = 1e-6 the rounding error, about 1e-16 |f| / eps, is near 1e-10 |f|.
    """
    ### BEGIN SOLUTION
    point = x.detach().clone()  # perturbed in place; the caller's x is never touched
    flat = point.view(-1)
    grad = torch.empty_like(flat)
    for i in range(flat.numel()):
        kept = flat[i].item()
        flat[i] = kept + eps
        up = float(f(point))
        flat[i] = kept - eps
        down = float(f(point))
        flat[i] = kept  # restored exactly, not by adding eps back
        grad[i] = (up - down) / (2 * eps)
    return grad.view(x.shape)
    ### END SOLUTION
