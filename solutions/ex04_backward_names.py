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
    ### BEGIN SOLUTION
    # A prediction written out by hand, for torch 2.13; the grader asks the installed torch.
    return {
        "a + b": "AddBackward0",
        "a - b": "SubBackward0",
        "2 - a": "RsubBackward1",        # 2 - a calls a.__rsub__(2): rsub, its Scalar overload
        "a * b": "MulBackward0",
        "a / b": "DivBackward0",
        "M @ a": "MvBackward0",          # @ is recorded as what it dispatches to for these shapes
        "M @ M": "MmBackward0",
        "a @ b": "DotBackward0",
        "a.sum()": "SumBackward0",
        "a.sum(0)": "SumBackward1",      # sum over a dimension: another overload of sum
        "a.mean()": "MeanBackward0",
        "a ** 2": "PowBackward0",
        "a ** b": "PowBackward1",
        "2 ** a": "PowBackward2",
        "a.sin()": "SinBackward0",
        "a.relu()": "ReluBackward0",
        "a.sigmoid()": "SigmoidBackward0",
        "a.view(3, 1)": "ViewBackward0",
        "M.t()": "TBackward0",
        "M.T": "PermuteBackward0",       # .T reverses all dimensions: a permute, not t()
        "a[0]": "SelectBackward0",
        "a.to(torch.float64)": "ToCopyBackward0",
    }
    ### END SOLUTION


def pow_variants(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(a ** 2, a ** b, 2 ** a): the overloads recorded as PowBackward0, PowBackward1, PowBackward2."""
    ### BEGIN SOLUTION
    return a ** 2, a ** b, 2 ** a
    ### END SOLUTION


class Cube(torch.autograd.Function):
    """y = x ** 3 with a hand-written backward: dy/dx = 3 x^2, times the incoming grad_output."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        ### BEGIN SOLUTION
        # save_for_backward (not ctx.x = x) lets autograd check the tensor was not
        # modified in place before backward, and free it when the graph is freed.
        ctx.save_for_backward(x)
        return x ** 3
        ### END SOLUTION

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        ### BEGIN SOLUTION
        (x,) = ctx.saved_tensors
        # Written with torch operations on the saved x, so that backward is itself
        # recorded when create_graph=True and second derivatives (gradgradcheck) work.
        return 3 * x ** 2 * grad_output
        ### END SOLUTION


def cube(x: torch.Tensor) -> torch.Tensor:
    """x ** 3 through Cube, so that its node is CubeBackward."""
    return Cube.apply(x)
