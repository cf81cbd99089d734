"""Grader for ex02_leaves: which tensors get .grad, retain_grad, hooks and the .to() trap."""
import pytest
import torch

from grading.checking import strategies
from grading.checking.references import ex02_leaves as ref

MODULE = "ex02_leaves"

# y.backward() needs y to hold one number, so these inputs hold one number each.
ONE_NUMBER = ((), (1,))


@pytest.mark.points(3)
def test_grads_after_backward_matches_autograd(student):
    ref.check_grads_after_backward(student.grads_after_backward,
                                   strategies.tensors(2, seed=21, shapes=ONE_NUMBER))


@pytest.mark.points(3)
def test_grad_of_intermediate_uses_a_hook(student):
    ref.check_grad_of_intermediate(student.grad_of_intermediate,
                                   strategies.tensors(2, seed=22, shapes=ONE_NUMBER))


@pytest.mark.points(1)
def test_grad_of_intermediate_leaves_callers_grads_alone(student):
    ref.check_callers_grads_untouched(student.grad_of_intermediate, [
        (strategies.with_grad(w, None), strategies.with_grad(x, torch.ones_like(x)))
        for w, x in strategies.tensors(2, seed=23, shapes=ONE_NUMBER, dtypes=(torch.float32,))])


@pytest.mark.points(3)
def test_make_leaf_is_a_leaf_that_backward_fills(student):
    values = [[1.0, -2.5], [0.25, 3.0]]
    ref.check_make_leaf(student.make_leaf, [
        (values, {}),
        (values, {"dtype": torch.float64}),
        (values, {"dtype": torch.float16, "device": "cpu"}),
        (values, {"dtype": torch.bfloat16, "device": torch.device("cpu")}),
        (torch.tensor([0.5, 1.5, -2.0]), {"dtype": torch.float64}),
        (torch.tensor([0.5, 1.5, -2.0]), {"dtype": torch.float32}),
    ])
