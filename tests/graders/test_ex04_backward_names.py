"""Grader for ex04_backward_names: grad_fn names, the digit in them, and a custom Function."""
import pytest
import torch

from grading import strategies
from grading.references import ex04_backward_names as ref

MODULE = "ex04_backward_names"


@pytest.mark.points(3)
def test_predict_grad_fn_names_matches_installed_torch(student):
    ref.check_expressions(student.EXPRESSIONS)
    ref.check_predictions(student.predict_grad_fn_names)


@pytest.mark.points(2)
def test_pow_variants_records_the_three_overloads(student):
    ref.check_pow_variants(student.pow_variants, [((3,), torch.float32, 1), ((2, 4), torch.float64, 2),
                                                  ((), torch.float32, 3)])


def derivative_inputs(seed: int, shapes=((), (3,), (2, 4))):
    """(x, grad_output, grad_grad) in float32 and float64."""
    return ((x, g.detach(), v.detach()) for x, g, v in strategies.tensors(3, seed=seed, shapes=shapes))


def float64_points(seed: int, shapes=((4,), (2, 3))):
    """(x, grad_output) in float64, for gradcheck."""
    return ((x, g.detach()) for x, g in strategies.tensors(2, seed=seed, shapes=shapes, dtypes=(torch.float64,)))


@pytest.mark.points(3)
def test_Cube_values_and_derivatives_match_autograd(student):
    ref.check_cube_derivatives(student.cube, derivative_inputs(seed=41))


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
