"""ex04_backward_names: what the names of grad_fn nodes mean.

A recorded operation's node is named after the operation, in CamelCase, then
``Backward``, then a digit: ``a * b`` records ``MulBackward0``. The digit numbers the
*overload* of that operation which ran, counted in the order PyTorch's derivative
table lists them; it is not a depth in the graph:

    a ** 2  (tensor ** number)   PowBackward0
    a ** b  (tensor ** tensor)   PowBackward1
    2 ** a  (number ** tensor)   PowBackward2

A custom ``torch.autograd.Function`` named ``Cube`` records a node named
``CubeBackward`` (no digit) whose backward is the one written by hand:
d(x^3)/dx = 3 x^2, so backward returns ``3 * x ** 2 * grad_output``.
"""
from __future__ import annotations

import torch

# The expressions whose grad_fn names predict_grad_fn_names predicts. Each is evaluated
# with a, b (vectors of 3) and M (3 x 3), all leaves that require grad.
EXPRESSIONS = (
    "a + b",
    "a - b",
    "2 - a",
    "a * b",
    "a / b",
    "M @ a",
    "M @ M",
    "a @ b",
    "a.sum()",
    "a.sum(0)",
    "a.mean()",
    "a ** 2",
    "a ** b",
    "2 ** a",
    "a.sin()",
    "a.relu()",
    "a.sigmoid()",
    "a.view(3, 1)",
    "M.t()",
    "M.T",
    "a[0]",
    "a.to(torch.float64)",
)


def predict_grad_fn_names() -> dict[str, str]:
    """For each expression of EXPRESSIONS, type(result.grad_fn).__name__ under the installed torch."""
    # YOUR CODE HERE
    raise NotImplementedError()


def pow_variants(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(a ** 2, a ** b, 2 ** a): the overloads recorded as PowBackward0, PowBackward1, PowBackward2."""
    # YOUR CODE HERE
    raise NotImplementedError()


class Cube(torch.autograd.Function):
    """y = x ** 3 with a hand-written backward: dy/dx = 3 x^2, times the incoming grad_output."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        # YOUR CODE HERE
        raise NotImplementedError()

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        # YOUR CODE HERE
        raise NotImplementedError()


def cube(x: torch.Tensor) -> torch.Tensor:
    """x ** 3 through Cube, so that its node is CubeBackward."""
    return Cube.apply(x)
