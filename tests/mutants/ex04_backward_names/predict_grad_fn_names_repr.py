"""Evaluates the expressions but reports str(t.grad_fn), the node's repr, instead of its class name."""
import torch

CAUGHT_BY = ["test_predict_grad_fn_names"]
MESSAGE = "type(t.grad_fn).__name__"


def predict_grad_fn_names():
    scope = {"torch": torch, "a": torch.rand(3, requires_grad=True), "b": torch.rand(3, requires_grad=True),
             "M": torch.rand(3, 3, requires_grad=True)}
    return {e: str(eval(e, scope).grad_fn) for e in EXPRESSIONS}  # noqa: F821 - the stub's constant
