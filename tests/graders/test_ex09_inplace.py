"""Grader for ex09_inplace: in-place operations, version counters, saved tensors and checkpointing."""
import pytest
import torch

from grading.checking import strategies
from grading.checking.references import ex09_inplace as ref
from grading.runtime.runner import Build

MODULE = "ex09_inplace"


@pytest.mark.points(1)
def test_INPLACE_CASES_holds_the_contract_statements_and_each_is_predicted(student):
    ref.check_inplace_cases(student.INPLACE_CASES, student.predict_inplace_errors)


@pytest.mark.points(3)
def test_predict_inplace_errors_matches_installed_torch(student):
    ref.check_predictions(student.predict_inplace_errors)


VALUES = torch.tensor([[1.5, -2.0, 0.25], [3.0, 4.0, -1.0]])


@pytest.mark.points(2)
def test_version_counts_follows_each_in_place_step(student):
    ref.check_version_counts(student.version_counts, [
        ("a 3-vector leaf that requires grad", VALUES[0].clone().requires_grad_(True)),
        ("a 2x3 float64 tensor", VALUES.double()),
        ("a tensor edited in place twice already", Build(ref.edited, (VALUES, False))),
        ("a tensor with history edited in place twice", Build(ref.edited, (VALUES[1], True))),
    ])


@pytest.mark.points(1)
def test_version_counts_leaves_callers_tensor_alone(student):
    ref.check_version_counts_callers(student.version_counts, [
        strategies.with_grad(VALUES[0], torch.ones(3)), VALUES.double().requires_grad_(True), VALUES.clone()])


@pytest.mark.points(3)
def test_saved_tensor_shapes_match_what_autograd_saves(student):
    ref.check_saved(student.saved_tensor_shapes, ref.saved_cases(seed=91))


@pytest.mark.points(1)
def test_saved_tensor_shapes_leaves_callers_tensors_alone(student):
    x = strategies.with_grad(VALUES, torch.full_like(VALUES, 0.5))
    w = strategies.with_grad(VALUES.T, None)
    ref.check_saved_callers(student.saved_tensor_shapes, [(ref.layer, x, w), (ref.square, VALUES.double()),
                                                          (ref.exp_squared, x)])


@pytest.mark.points(2)
def test_saved_bytes_totals_the_saved_tensors(student):
    ref.check_saved(student.saved_bytes, ref.saved_cases(seed=92))


@pytest.mark.points(1)
def test_saved_bytes_leaves_callers_tensors_alone(student):
    x = strategies.with_grad(VALUES.double(), torch.ones(2, 3, dtype=torch.float64))
    w = strategies.with_grad(VALUES.T.double(), None)
    ref.check_saved_callers(student.saved_bytes, [(ref.rows_product, x), (ref.layer, VALUES.double(), w)])


# (layer sizes, batch size or None for a single vector, dtype, seed, whether x requires grad)
MLP_CASES = [((3, 5, 4, 2), 6, torch.float32, 93, True), ((4, 4), 3, torch.float64, 94, True),
             ((2, 6, 6, 6, 1), None, torch.float32, 95, False), ((5, 3, 3), 2, torch.float64, 96, False)]


@pytest.mark.points(3)
def test_checkpointed_mlp_matches_the_plain_mlp(student):
    ref.check_mlp_matches_plain(student.checkpointed_mlp, MLP_CASES)


@pytest.mark.points(2)
def test_checkpointed_mlp_saves_fewer_bytes_than_the_plain_mlp(student):
    ref.check_mlp_saves_less(student.checkpointed_mlp, [((3, 5, 4, 2), 6, torch.float32, 97),
                                                        ((8, 8, 8, 8, 8), 16, torch.float64, 98)])
