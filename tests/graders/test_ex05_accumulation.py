"""Grader for ex05_accumulation: .grad accumulates; zero_grad, retain_graph, gradient accumulation."""
import pytest
import torch

from grading import checks, strategies
from grading.references import ex05_accumulation as ref
from grading.wire import TensorResult

MODULE = "ex05_accumulation"


def returned(outcome):
    """The value, naming the missing retain_graph when the second backward through a graph failed."""
    if not outcome.ok and "second time" in outcome.message:
        checks.fail(f"{outcome.message.split(' (')[0]}; {ref.RETAIN_GRAPH_HINT}")
    return checks.expect_ok(outcome)


@pytest.mark.points(3)
def test_grad_after_n_backwards_is_n_times_the_gradient(student):
    for i, (w, x) in enumerate(strategies.tensors(2, seed=51)):
        for n in (1, 2, 3 + i % 3):
            got = returned(student.grad_after_n_backwards.run(w, x, n))
            checks.check_close(got, ref.grad_after_n(w, x, n),
                               name=f"grad_after_n_backwards({checks.describe_inputs([w, x])}, n={n})",
                               mistakes=ref.accumulation_mistakes(w, x, n))


@pytest.mark.points(1)
def test_grad_after_n_backwards_leaves_callers_tensors_alone(student):
    for w, x in strategies.tensors(2, seed=52, shapes=((3,),), dtypes=(torch.float32,)):
        for w_grad in (None, torch.full_like(w, 7.0)):
            w_in, x_in = strategies.with_grad(w, w_grad), strategies.with_grad(x, None)
            outcome = student.grad_after_n_backwards.run(w_in, x_in, 2)
            returned(outcome)
            checks.check_unchanged(w_in, outcome.args_after[0], name="w")
            checks.check_unchanged(x_in, outcome.args_after[1], name="x")


@pytest.mark.points(3)
def test_backward_twice_same_graph_is_twice_the_gradient(student):
    for w, x in strategies.tensors(2, seed=53):
        got = returned(student.backward_twice_same_graph.run(w, x))
        checks.check_close(got, ref.twice_same_graph(w, x),
                           name=f"backward_twice_same_graph({checks.describe_inputs([w, x])})",
                           mistakes=ref.accumulation_mistakes(w, x, 2))


@pytest.mark.points(1)
def test_backward_twice_same_graph_leaves_callers_tensors_alone(student):
    for w, x in strategies.tensors(2, seed=54, shapes=((3,),), dtypes=(torch.float64,)):
        for w_grad in (None, torch.full_like(w, -3.0)):
            w_in, x_in = strategies.with_grad(w, w_grad), strategies.with_grad(x, None)
            outcome = student.backward_twice_same_graph.run(w_in, x_in)
            returned(outcome)
            checks.check_unchanged(w_in, outcome.args_after[0], name="w")
            checks.check_unchanged(x_in, outcome.args_after[1], name="x")


# (examples, features, dtype, seed, lr, the step counts graded). Every call of SGD's step
# in a fresh worker costs a lazy import of torch._dynamo, so the step counts are few.
LINEAR_CASES = [(8, 3, torch.float32, 61, 0.1, (0, 1, 2, 3)), (5, 2, torch.float64, 62, 0.05, (2,))]


@pytest.mark.points(4)
def test_train_linear_follows_the_sgd_trajectory(student):
    for n, d, dtype, seed, lr, step_counts in LINEAR_CASES:
        theta0, X, y = ref.linear_problem(n, d, dtype, seed)
        trajectory = ref.sgd_trajectory(theta0, X, y, max(step_counts), lr)
        got = {k: checks.check_tensor(student.train_linear(theta0, X, y, k, lr), name=f"train_linear(steps={k})",
                                      shape=theta0.shape, dtype=dtype)
               for k in step_counts}
        # The whole trajectory names the mistake: after one step, a loop with step before backward
        # has not moved either, but only zero_grad between backward and step stays put for good.
        mistakes = ref.trajectory_mistake(theta0, X, y, lr, {k: t.value for k, t in got.items()})
        for k in step_counts:
            checks.check_close(got[k], trajectory[k], mistakes=mistakes[k],
                               name=f"train_linear({n}x{d} {str(dtype)[6:]}, steps={k}, lr={lr})")


@pytest.mark.points(1)
def test_train_linear_returns_a_detached_copy(student):
    theta0, X, y = ref.linear_problem(6, 2, torch.float32, 63)
    for theta_in in (strategies.with_grad(theta0, torch.ones_like(theta0)),):
        outcome = student.train_linear.run(theta_in, X, y, 2, 0.1)
        got = checks.check_tensor(checks.expect_ok(outcome), name="train_linear(...)", shape=theta0.shape)
        if got.requires_grad or got.grad_fn is not None:
            checks.fail("train_linear must return theta detached (requires_grad=False, no grad_fn): "
                        "return theta.detach()")
        checks.check_unchanged(theta_in, outcome.args_after[0], name="theta0")
        checks.check_unchanged(X, outcome.args_after[1], name="X")
        checks.check_unchanged(y, outcome.args_after[2], name="y")


# (loss, number of batches, batch size, dtype, seed)
ACCUMULATION_CASES = [("mse", 4, 5, torch.float64, 71), ("tanh", 3, 4, torch.float32, 72),
                      ("mse", 1, 6, torch.float32, 73), ("tanh", 5, 2, torch.float64, 74)]


def accumulate(student, case, old_grads: bool = False):
    """Run accumulated_gradient on one case; (outcome, params as passed, the returned list)."""
    kind, n_batches, size, dtype, seed = case
    loss_fn, params, batches = ref.accumulation_problem(kind, n_batches, size, dtype, seed)
    if old_grads:
        params = [strategies.with_grad(p, torch.full_like(p, 0.5)) for p in params]
    outcome = student.accumulated_gradient.run(loss_fn, params, batches, probe=ref.grads_after_zeroing)
    result = checks.expect_ok(outcome)
    if not isinstance(result, (list, tuple)) or len(result) != len(params):
        checks.fail(f"accumulated_gradient must return a list with one gradient per param ({len(params)}), "
                    f"got {result!r:.80}")
    return outcome, (loss_fn, params, batches), result


def check_equals_full_batch(student, case, old_grads: bool) -> None:
    _, (loss_fn, params, batches), result = accumulate(student, case, old_grads)
    expected = ref.full_batch_gradient(loss_fn, params, batches)
    mistakes = ref.accumulation_gradient_mistakes(loss_fn, params, batches)
    kind, n_batches, size, dtype, _ = case
    for i, (got, want) in enumerate(zip(result, expected)):
        checks.check_close(got, want, mistakes=mistakes[i],
                           name=f"accumulated_gradient({kind}, {n_batches} batches of {size}): param {i}")


@pytest.mark.points(3)
def test_accumulated_gradient_equals_full_batch_gradient(student):
    for case in ACCUMULATION_CASES:
        check_equals_full_batch(student, case, old_grads=False)


@pytest.mark.points(1)
def test_accumulated_gradient_starts_from_cleared_grads(student):
    for case in ACCUMULATION_CASES[:2]:
        check_equals_full_batch(student, case, old_grads=True)


@pytest.mark.points(2)
def test_accumulated_gradient_leaves_the_sum_in_grad_and_returns_copies(student):
    for case in ACCUMULATION_CASES[:2]:
        outcome, (_, params, _), result = accumulate(student, case)
        params_after = outcome.args_after[1]
        for i, got in enumerate(result):
            got = checks.check_tensor(got, name=f"accumulated_gradient: param {i}'s gradient")
            after = params_after[i] if isinstance(params_after, (list, tuple)) else None
            if not isinstance(after, TensorResult) or after.grad is None:
                checks.fail(f"accumulated_gradient left no gradient in param {i}'s .grad: accumulate with "
                            "backward, so that the sum stays in .grad")
            if not checks.is_close(after.grad.value, got.value):
                checks.fail(f"param {i}'s .grad holds {checks.short(after.grad.value)}, but accumulated_gradient "
                            f"returned {checks.short(got.value)}: leave the sum in .grad and return copies of it")
        copies = outcome.probe
        for i, got in enumerate(result):
            kept = copies[i] if isinstance(copies, list) and i < len(copies) else None
            if not isinstance(kept, TensorResult) or not torch.equal(kept.value, got.value):
                checks.fail(f"the gradient returned for param {i} changed when the params' .grad was zeroed in "
                            "place: return copies (p.grad.clone()), not p.grad itself")
