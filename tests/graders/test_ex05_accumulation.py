"""Grader for ex05_accumulation: .grad accumulates; zero_grad, retain_graph, gradient accumulation."""
import pytest
import torch

from grading.checking import strategies
from grading.checking.references import ex05_accumulation as ref

MODULE = "ex05_accumulation"


@pytest.mark.points(3)
def test_grad_after_n_backwards_is_n_times_the_gradient(student):
    ref.check_grad_after_n(student.grad_after_n_backwards, strategies.tensors(2, seed=51), counts=(1, 2, 3))


@pytest.mark.points(1)
def test_grad_after_n_backwards_leaves_callers_tensors_alone(student):
    ref.check_callers_tensors_alone(student.grad_after_n_backwards,
                                    strategies.tensors(2, seed=52, shapes=((3,),), dtypes=(torch.float32,)), 2)


@pytest.mark.points(3)
def test_backward_twice_same_graph_is_twice_the_gradient(student):
    ref.check_twice_same_graph(student.backward_twice_same_graph, strategies.tensors(2, seed=53))


@pytest.mark.points(1)
def test_backward_twice_same_graph_leaves_callers_tensors_alone(student):
    ref.check_callers_tensors_alone(student.backward_twice_same_graph,
                                    strategies.tensors(2, seed=54, shapes=((3,),), dtypes=(torch.float64,)))


@pytest.mark.points(4)
def test_train_linear_follows_the_sgd_trajectory(student):
    # (examples, features, dtype, seed, lr, the step counts compared with SGD's trajectory)
    ref.check_train_linear_trajectory(student.train_linear, [(8, 3, torch.float32, 61, 0.1, (0, 1, 2, 3)),
                                                             (5, 2, torch.float64, 62, 0.05, (2,))])


@pytest.mark.points(1)
def test_train_linear_returns_a_detached_copy(student):
    ref.check_train_linear_detached(student.train_linear, n=6, d=2, seed=63, steps=2)


# (loss, number of batches, batch size, dtype, seed)
ACCUMULATION_CASES = [("mse", 4, 5, torch.float64, 71), ("tanh", 3, 4, torch.float32, 72),
                      ("mse", 1, 6, torch.float32, 73), ("tanh", 5, 2, torch.float64, 74),
                      # batches of different sizes: each is still scaled by 1 / len(batches)
                      ("mse", 3, (2, 5, 3), torch.float64, 75)]


@pytest.mark.points(3)
def test_accumulated_gradient_equals_full_batch_gradient(student):
    ref.check_accumulated_gradient(student.accumulated_gradient, ACCUMULATION_CASES)


@pytest.mark.points(1)
def test_accumulated_gradient_starts_from_cleared_grads(student):
    ref.check_accumulated_gradient(student.accumulated_gradient, ACCUMULATION_CASES[:2], old_grads=True)


@pytest.mark.points(2)
def test_accumulated_gradient_leaves_the_sum_in_grad_and_returns_copies(student):
    ref.check_accumulated_in_grad_and_copied(student.accumulated_gradient, ACCUMULATION_CASES[:2])
