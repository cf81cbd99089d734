"""Grader for ex10_higher_order: second derivatives, Hessian-vector products, Jacobians by rows
(reverse mode) and J·v (forward mode), per-sample gradients with torch.func, central differences."""
import pytest
import torch

from grading.checking.references import ex10_higher_order as ref

MODULE = "ex10_higher_order"


# ------------------------------------------------------------ second_derivative

@pytest.mark.points(3)
def test_second_derivative_matches_autograd(student):
    ref.check_second_derivative(student.second_derivative, ref.elementwise_cases(seed=1001))


@pytest.mark.points(2)
def test_second_derivative_leaves_callers_x_alone(student):
    ref.check_second_derivative_callers_x(student.second_derivative,
                                          ref.elementwise_cases(seed=1002, functions=(ref.sin, ref.cube),
                                                                shapes=((3,),)))


# -------------------------------------------------------------------------- hvp

@pytest.mark.points(3)
def test_hvp_matches_hessian_times_v(student):
    ref.check_hvp(student.hvp, ref.loss_cases(seed=1011))


@pytest.mark.points(2)
def test_hvp_forms_no_hessian(student):
    ref.check_hvp_forms_no_hessian(student.hvp, ref.loss_cases(seed=1012, sizes=(6,), dtypes=(torch.float64,)))


# ---------------------------------------------------------------- jacobian_rows

@pytest.mark.points(3)
def test_jacobian_rows_matches_autograd_jacobian(student):
    ref.check_jacobian_rows(student.jacobian_rows, ref.map_cases(seed=1021))


@pytest.mark.points(2)
def test_jacobian_rows_builds_one_row_per_vjp(student):
    ref.check_jacobian_rows_one_vjp_per_row(student.jacobian_rows,
                                            ref.map_cases(seed=1022, sizes=(5,), dtypes=(torch.float32,)))


# ------------------------------------------------------------------ jvp_forward

@pytest.mark.points(3)
def test_jvp_forward_matches_jacobian_times_v(student):
    ref.check_jvp_forward(student.jvp_forward, ref.map_cases(seed=1031))


@pytest.mark.points(2)
def test_jvp_forward_uses_no_reverse_mode(student):
    ref.check_jvp_forward_no_reverse_mode(student.jvp_forward,
                                          ref.map_cases(seed=1032, sizes=(5,), dtypes=(torch.float64,)))


# ------------------------------------------------------------- per_sample_grads

@pytest.mark.points(3)
def test_per_sample_grads_matches_a_loop_of_autograd_grad(student):
    ref.check_per_sample_grads(student.per_sample_grads, ref.per_sample_cases(seed=1041))


@pytest.mark.points(2)
def test_per_sample_grads_uses_vmap_over_grad(student):
    ref.check_per_sample_grads(student.per_sample_grads,
                               ref.per_sample_cases(seed=1042, sizes=(4,), dtypes=(torch.float32,)), watch=True)


# ----------------------------------------------------------- numerical_gradient

@pytest.mark.points(3)
def test_numerical_gradient_matches_autograd_in_float64(student):
    ref.check_numerical_gradient(student.numerical_gradient, ref.numerical_cases(seed=1051))


@pytest.mark.points(1)
def test_numerical_gradient_without_autograd(student):
    ref.check_numerical_gradient_without_autograd(
        student.numerical_gradient, ref.numerical_cases(seed=1052, functions=(ref.sin_sum, ref.mlp_loss),
                                                        shapes=((4,),)))


@pytest.mark.points(1)
def test_numerical_gradient_uses_central_differences_with_eps(student):
    xs = [x for (x,) in ref.strategies.tensors(1, seed=1053, shapes=((3,), (2, 2)), dtypes=(torch.float64,),
                                               requires_grad=False, low=0.5)]
    ref.check_numerical_gradient_eps(student.numerical_gradient, xs, eps=1e-2)
