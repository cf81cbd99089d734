"""Grader for ex03_detach: cutting tensors and paths out of a graph, and copies that are really copies."""
import pytest
import torch
from hypothesis import given

from grading.checking import strategies
from grading.checking.references import ex03_detach as ref
from grading.runtime.runner import Build

MODULE = "ex03_detach"


@pytest.mark.points(1)
def test_h_without_x_values(student):
    ref.check_h_values(student.h_without_x, strategies.tensors(3, seed=31))


@pytest.mark.points(3)
def test_h_without_x_rendering_matches_reference(student):
    w, x, b = (torch.tensor([v], requires_grad=True) for v in (4.0, 1.0, 0.5))
    ref.check_h_rendering(student.h_without_x, (w, x, b), picture="h_without_x")


@pytest.mark.points(1)
def test_h_without_x_leaves_callers_x_requiring_grad(student):
    ref.check_callers_x(student.h_without_x, strategies.tensors(3, seed=32, shapes=((3,),)))


@pytest.mark.points(2)
@strategies.graded()
@given(wx=strategies.same_shaped(2))
def test_partial_stop_value_and_gradient(student, wx):
    ref.check_gradient_flow(student.partial_stop, reference=ref.partial_stop, names="wx",
                            inputs=[wx], mistakes=ref.PARTIAL_STOP_MISTAKES)


@pytest.mark.points(2)
@strategies.graded()
@given(x=strategies.same_shaped(1))
def test_straight_through_round_value_and_gradient(student, x):
    ref.check_gradient_flow(student.straight_through_round, reference=ref.straight_through_round, names="x",
                            inputs=[x], mistakes=ref.ROUND_MISTAKES)


@pytest.mark.points(2)
def test_snapshot_is_an_independent_copy(student):
    values = torch.tensor([[1.5, -2.0, 0.25], [3.0, 4.0, -1.0]])
    ref.check_snapshot(student.snapshot, [
        ("a leaf that requires grad", values.clone().requires_grad_(True), values),
        ("a tensor with history", Build(ref.with_history, (values,)), values),
        ("a float64 tensor that does not require grad", values.double(), values.double()),
    ])
