"""Grader for ex04_backward_names: grad_fn names, the digit in them, and a custom Function."""
import pytest
import torch

from grading import checks, strategies
from grading.references import ex04_backward_names as ref
from grading.wire import TensorResult

MODULE = "ex04_backward_names"


@pytest.mark.points(3)
def test_predict_grad_fn_names_matches_installed_torch(student):
    given = student.EXPRESSIONS.attribute()
    if not isinstance(given, (tuple, list)) or not all(isinstance(e, str) for e in given):
        checks.fail(f"EXPRESSIONS must be the tuple of expression strings given in the stub, got {given!r:.80}")
    missing = [e for e in ref.EXPRESSIONS if e not in given]
    if missing:
        checks.fail(f"EXPRESSIONS must keep every expression of the stub; missing: {', '.join(missing[:5])}")
    predicted = student.predict_grad_fn_names()
    if not isinstance(predicted, dict):
        checks.fail(f"predict_grad_fn_names must return a dict {{expression: name}}, got {type(predicted).__name__}")
    absent = [e for e in ref.EXPRESSIONS if e not in predicted]
    if absent:
        checks.fail(f"predict_grad_fn_names has no entry for {', '.join(repr(e) for e in absent[:5])}"
                    + (f" and {len(absent) - 5} more" if len(absent) > 5 else ""))
    live = ref.live_names()
    wrong = [(e, live[e], predicted[e]) for e in ref.EXPRESSIONS if predicted[e] != live[e]]
    if wrong:
        checks.fail(ref.describe_mismatches(wrong, live, len(ref.EXPRESSIONS)))


POW_CASES = [((3,), torch.float32, 1), ((2, 4), torch.float64, 2), ((), torch.float32, 3)]


@pytest.mark.points(2)
def test_pow_variants_records_the_three_overloads(student):
    expected = ref.expected_pow_names()
    live = ref.live_names(ref.POW_EXPRESSIONS)
    for shape, dtype, seed in POW_CASES:
        a, b = ref.pow_operands(shape, dtype, seed)
        result = student.pow_variants(a, b)
        if not isinstance(result, tuple) or len(result) != 3:
            checks.fail(f"pow_variants must return a tuple of three tensors (t0, t1, t2), got {result!r:.80}")
        for i, t in enumerate(result):
            checks.check_tensor(t, name=f"pow_variants: t{i}", finite=False)
            if not t.requires_grad:
                checks.fail(f"pow_variants: t{i} does not require grad: build it from a or b, which do")
        got = [t.grad_fn for t in result]
        if got != expected:
            checks.fail(f"pow_variants: expected grad_fn names {expected}, got {got}; "
                        + ref.pow_hint(got, expected, live))


def cube_inputs(seed: int):
    """(x, grad_output, grad_grad) in float64 and float32, of a few shapes."""
    for x, g, v in strategies.tensors(3, seed=seed, shapes=((), (3,), (2, 4))):
        yield x, g.detach(), v.detach()


@pytest.mark.points(3)
def test_Cube_values_and_derivatives_match_autograd(student):
    for x, g, v in cube_inputs(seed=11):
        outcome = student.cube.run(x, probe=ref.cube_derivatives,
                                   probe_kwargs={"grad_output": g, "grad_grad": v})
        value = checks.expect_ok(outcome)
        report = outcome.probe
        label = f"cube({checks.describe_inputs([x])})"
        forward, first, second = ref.cube_reference(x, g, v)
        checks.check_close(value, forward, name=label)
        if not isinstance(report, dict):
            checks.fail(f"{label}: could not differentiate the result")
        checks.check_close(report.get("first"), first, name=f"{label}: first derivative (grad_output g)",
                           mistakes=ref.first_derivative_mistakes(x, g))
        if report.get("second") is None:
            checks.fail(f"{label}: the first derivative cannot be differentiated again (gradgradcheck fails): "
                        "compute backward with torch operations on ctx.saved_tensors, "
                        "not on .detach(), .data or NumPy copies")
        checks.check_close(report["second"], second, name=f"{label}: second derivative")


@pytest.mark.points(2)
def test_Cube_passes_gradcheck_and_gradgradcheck(student):
    for shape, seed in (((4,), 21), ((2, 3), 22)):
        generator = torch.Generator().manual_seed(seed)
        x = torch.rand(shape, generator=generator, dtype=torch.float64) * 4 - 2
        g = torch.rand(shape, generator=generator, dtype=torch.float64) + 0.5
        outcome = student.cube.run(x.requires_grad_(True), probe=ref.cube_gradchecks, probe_kwargs={"grad_output": g})
        checks.expect_ok(outcome)
        report = outcome.probe
        if not isinstance(report, dict) or report.get("function") is None:
            node = outcome.value.grad_fn if isinstance(outcome.value, TensorResult) else None
            checks.fail(f"cube(x) was not recorded by a torch.autograd.Function (its node is {node}): "
                        "return Cube.apply(x)")
        if report.get("gradcheck") is not True:
            _, first, _ = ref.cube_reference(x, g, g)
            got = report.get("first")
            hint = None
            if isinstance(got, TensorResult) and got.shape == first.shape:
                hint = checks.diagnose(got.value, first, ref.first_derivative_mistakes(x, g))
            checks.fail("torch.autograd.gradcheck fails on Cube in float64: the hand-written backward disagrees "
                        "with finite differences; " + (hint or "backward must return 3 * x ** 2 * grad_output"))
        if report.get("gradgradcheck") is not True:
            checks.fail("torch.autograd.gradgradcheck fails on Cube in float64: the first derivative cannot be "
                        "differentiated again: compute backward with torch operations on ctx.saved_tensors, "
                        "not on .detach(), .data or NumPy copies")


@pytest.mark.points(1)
def test_Cube_saves_its_input_with_save_for_backward(student):
    x = torch.tensor([-1.5, 0.5, 2.0], dtype=torch.float64, requires_grad=True)
    outcome = student.cube.run(x, probe=ref.cube_saved_tensors)
    checks.expect_ok(outcome)
    saved = outcome.probe
    if saved is None:
        checks.fail("cube(x) was not recorded by a torch.autograd.Function: return Cube.apply(x)")
    if not isinstance(saved, list) or not saved:
        checks.fail("CubeBackward saved no tensors: save x in forward with ctx.save_for_backward(x) and read it "
                    "in backward from ctx.saved_tensors (not as ctx.x = x)")
    for i, t in enumerate(saved):
        checks.check_tensor(t, name=f"saved tensor {i}", finite=False)
    if not any(t.shape == x.shape and torch.equal(t.value, x.detach()) for t in saved):
        checks.fail("CubeBackward did not save the input x: save the input (ctx.save_for_backward(x)), "
                    "from which backward computes 3 * x ** 2")


@pytest.mark.points(1)
def test_Cube_node_is_named_CubeBackward(student):
    for dtype in (torch.float64, torch.float32):
        x = torch.tensor([0.5, -1.0, 2.0], dtype=dtype, requires_grad=True)
        result = checks.check_tensor(student.cube(x), name="cube(x)", dtype=dtype)
        if result.grad_fn != "CubeBackward":
            hint = ("cube must return Cube.apply(x), not compute x ** 3 directly" if result.grad_fn and
                    result.grad_fn.startswith("Pow") else
                    "autograd names the node after the Function's class plus Backward: call the class Cube")
            checks.fail(f"cube(x).grad_fn is {result.grad_fn}, expected CubeBackward; {hint}")
