"""Grader for ex04_backward_names: grad_fn names, the digit in them, and a custom Function."""
import pytest
import torch
from hypothesis import given

from grading.checking import strategies
from grading.checking.references import ex04_backward_names as ref

MODULE = "ex04_backward_names"


@pytest.mark.points(1)
def test_EXPRESSIONS_holds_the_contract_expressions_and_each_is_predicted(student):
    ref.check_expressions(student.EXPRESSIONS, student.predict_grad_fn_names)


@pytest.mark.points(3)
def test_predict_grad_fn_names_matches_installed_torch(student):
    ref.check_predictions(student.predict_grad_fn_names)


@pytest.mark.points(2)
def test_pow_variants_records_the_three_overloads(student):
    ref.check_pow_variants(student.pow_variants, [((3,), torch.float32, 1), ((2, 4), torch.float64, 2),
                                                  ((), torch.float32, 3)])


def float64_points(seed: int, shapes=((4,), (2, 3))):
    """(x, grad_output) in float64, for gradcheck."""
    return ((x, g.detach()) for x, g in strategies.tensors(2, seed=seed, shapes=shapes, dtypes=(torch.float64,)))


@pytest.mark.points(3)
@strategies.graded()
@given(inputs=strategies.same_shaped(3))
def test_Cube_values_and_derivatives_match_autograd(student, inputs):
    x, g, v = inputs
    ref.check_cube_derivatives(student.cube, [(x, g.detach(), v.detach())])


@pytest.mark.points(2)
def test_Cube_passes_gradcheck_and_gradgradcheck(student):
    ref.check_cube_gradchecks(student.cube, float64_points(seed=42))


@pytest.mark.points(1)
def test_Cube_saves_its_input_with_save_for_backward(student):
    ref.check_cube_saves_input(student.cube, torch.tensor([-1.5, 0.5, 2.0], dtype=torch.float64))


@pytest.mark.points(1)
def test_Cube_node_is_named_CubeBackward(student):
    ref.check_cube_node_name(student.cube, [torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64),
                                            torch.tensor(1.5)])
