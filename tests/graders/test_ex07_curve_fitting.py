"""Grader for ex07_curve_fitting: fitting y = a·x + b·sin(x) + c·cos(x/4) to noisy data."""
import contextlib

import pytest
import torch

from grading.checking import checks, probes
from grading.checking.references import ex07_curve_fitting as ref
from grading.checking.references import optional
from grading.runtime.runner import Build
from grading.runtime.targets import GradingFailure
from grading.runtime.wire import TensorResult

MODULE = "ex07_curve_fitting"


def returned_tuple(result, function: str, names: str):
    if not isinstance(result, tuple) or len(result) != len(names.split(", ")):
        checks.fail(f"{function} must return the tuple ({names}), got {type(result).__name__}")
    return result


# ----------------------------------------------------------------------- make_data

@pytest.mark.points(2)
def test_make_data_values_and_noise(student):
    # X and y are fixed by the contract; the noise of yt only by its distribution and the generator.
    ref.check_make_data(student.make_data, [(None, None, 0), (300, 0.3, 4), (3, 2.0, 5)])


# ----------------------------------------------------------------------- fit_model

@pytest.mark.points(2)
def test_fit_model_values_and_gradient(student):
    g = torch.Generator().manual_seed(6)
    for n, dtype in ((30, torch.float32), (4, torch.float64)):
        X = (torch.rand(n, generator=g, dtype=torch.float64) * 20 - 10).to(dtype)
        theta = torch.randn(3, generator=g, dtype=torch.float64).to(dtype).requires_grad_(True)
        outcome = student.fit_model.run(theta, X, probe=probes.backward_grads)
        if outcome.ok and isinstance(outcome.value, TensorResult) and outcome.value.grad_fn is None:
            checks.fail("fit_model: the result has no grad_fn, so no gradient can reach theta "
                        "(were theta's entries taken out as Python numbers, or detached?)")
        value = checks.expect_ok(outcome)
        known = {text: wrong(theta, X).detach() for text, wrong in ref.MODEL_MISTAKES.items()}
        checks.check_close(value, ref.model(theta, X), name=f"fit_model(theta, X of {n})", mistakes=known)
        grad = outcome.probe[0]
        if grad is None:
            checks.fail("fit_model: no gradient reached theta; build the result from theta's entries")
        checks.check_close(grad, ref.model_grad(theta, X), name="fit_model: d sum(yhat) / d theta")


# ----------------------------------------------------------------------------- fit
# fit is built on fit_model, as the contract says. When fit_model is wrong, the failure
# says so, so that the student starts in the right place.

@contextlib.contextmanager
def blaming_fit_model(student):
    try:
        yield
    except GradingFailure as failure:
        try:
            test_fit_model_values_and_gradient(student)
        except GradingFailure as broken:
            # The first clause says what differs; a hint after it may blame the wrong thing.
            what = str(failure).split("; ")[0]
            raise GradingFailure(f"{what}; fit uses fit_model, which fails its own test: {broken}") from None
        raise


@contextlib.contextmanager
def naming_notebook_globals(student, n: int, seed: int, epochs: int = 500, lr: float = 0.01):
    """A fit that raises on n points but runs on the notebook's X reads the notebook's globals."""
    try:
        yield
    except GradingFailure as failure:
        if failure.status != "error" or n == ref.NOTEBOOK_N:
            raise
        X, target = ref.notebook_sized_data(seed)
        outcome = student.fit.run(X, target, epochs=epochs, lr=lr, generator=Build(ref.generator, (seed,)),
                                  setup=probes.single_thread)
        if not outcome.ok or not isinstance(outcome.value, tuple) or len(outcome.value) != 2:
            raise
        if ref.starts_like(outcome.value[1], optional(ref.notebook_clean_fit, epochs, lr, seed)):
            hint = (f"fit uses the clean y instead of the noisy yt it was given: on the notebook's "
                    f"{ref.NOTEBOOK_N} points it runs, and its losses are those of fitting the clean y "
                    "(a global y of the notebook?)")
        else:
            hint = (f"fit runs on the notebook's {ref.NOTEBOOK_N} points but not on {n}: it uses a global of "
                    "the notebook (X, y or yt) instead of its arguments")
        raise GradingFailure(f"{failure}; {hint}", status=failure.status, exception=failure.exception) from None


def fit_result(student, X, yt, seed: int, **kwargs):
    with naming_notebook_globals(student, len(X), seed, **kwargs):
        result = student.fit(X, yt, generator=Build(ref.generator, (seed,)), setup=probes.single_thread, **kwargs)
    theta, losses = returned_tuple(result, "fit", "theta, losses")
    theta = checks.check_tensor(theta, name="fit: theta", shape=(3,), dtype=torch.float32, finite=False)
    if theta.requires_grad:
        checks.fail("fit must return theta detached (it still requires grad)")
    checks.check_float_list(losses, name="fit: losses", length=kwargs.get("epochs", 500))
    return theta, losses


@pytest.mark.points(3)
def test_fit_matches_reference_run(student):
    X, y, yt = ref.data(200, 1.0, seed=7)  # yt is far from the clean y: fitting y shows
    seed = 8
    with blaming_fit_model(student):
        theta, losses = fit_result(student, X, yt, seed)
        expected_theta, expected = ref.run_fit(X, yt, 500, 0.01, seed)
        try:
            checks.check_floats(losses, expected, name="fit: losses")
        except GradingFailure:
            try:  # the known mistakes cost five more runs, so only when needed
                checks.check_floats(losses, expected, name="fit: losses",
                                    mistakes=ref.fit_mistakes(X, yt, 500, 0.01, seed))
            except GradingFailure as failure:
                if "; " not in str(failure) and str(failure).startswith("fit: losses[0]"):
                    checks.fail(f"{failure}; the first loss is the starting theta's: "
                                "theta starts as torch.randn(3, generator=generator)")
                raise
        checks.check_close(theta, expected_theta, name="fit: theta after 500 epochs")


@pytest.mark.points(2)
def test_fit_approaches_least_squares(student):
    X, y, yt = ref.data(200, 1.0, seed=9)
    seed, epochs, lr = 10, 2000, 0.02
    # These settings are a sound check: what is left of the starting error is far below
    # the tolerance (and float32 rounding), so a correct fit must land on lstsq's answer.
    assert ref.distance_left(X, yt, epochs, lr, seed) < 1e-6, "grader settings too weak for this check"
    with blaming_fit_model(student):
        theta, losses = fit_result(student, X, yt, seed, epochs=epochs, lr=lr)
        best = ref.least_squares(X, yt)
        error = (theta.value.double() - best).abs().max().item()
        if not error < 1e-3:
            hint = ""
            if (theta.value.double() - ref.least_squares(X, y)).abs().max().item() < 1e-3:
                hint = "; it is the least-squares fit of the clean y: fit the noisy yt it was given"
            else:
                mistake = ref.which_mistake(losses, X, yt, epochs, lr, seed)
                hint = f"; the loss curve says: {mistake}" if mistake else ""
            checks.fail(f"fit(epochs={epochs}, lr={lr}): theta = {checks.short(theta.value)}, expected the "
                        f"least-squares solution {checks.short(best)} (torch.linalg.lstsq on [x, sin x, cos(x/4)]) "
                        f"within 1e-3{hint}")


# -------------------------------------------------------------- theta_grad_by_hand

@pytest.mark.points(3)
def test_theta_grad_by_hand_matches_autograd(student):
    checks.check_gradients(student.theta_grad_by_hand, reference=ref.mse_grad, inputs=ref.grad_cases(seed=11),
                           mistakes=ref.GRAD_MISTAKES, names=("theta", "X", "yt"))


# ------------------------------------------------------------------------ plot_fit

def is_points(artist: dict) -> bool:
    none = ("None", "none", "", " ")
    return artist["kind"] == "collection" or (artist["linestyle"] in none and artist["marker"] not in none)


@pytest.mark.points(2)
def test_plot_fit_draws_points_lines_and_legend(student):
    X, y, yt = ref.data(40, 1.0, seed=12)
    yhat = ref.model(torch.tensor([0.1, 1.3, 1.0]), X)
    outcome = student.plot_fit.run(X, y, yt, yhat, setup=probes.count_show, probe=probes.figure_summary)
    checks.expect_ok(outcome)
    figure = outcome.probe
    if not isinstance(figure, dict) or not figure.get("is_figure"):
        kind = figure.get("type") if isinstance(figure, dict) else "?"
        checks.fail(f"plot_fit must return the matplotlib Figure, got {kind} (return fig, not ax or plt)")
    if figure["show_calls"]:
        checks.fail("plot_fit called plt.show(): return the figure and let the caller show or save it")
    if len(figure["axes"]) != 1:
        checks.fail(f"plot_fit should draw on one axes, the figure has {len(figure['axes'])}")
    axes = figure["axes"][0]
    series = {"yt": yt, "y": y, "yhat": yhat}
    for name, values in series.items():
        drawn = [a for a in axes["artists"] if a["label"] == name]
        if len(drawn) != 1:
            labels = [a["label"] for a in axes["artists"] if not a["label"].startswith("_")]
            checks.fail(f"plot_fit: expected one series labelled {name!r}, found {len(drawn)} "
                        f"(labels: {labels}); pass label={name!r}")
        artist = drawn[0]
        xs = torch.tensor(artist["x"], dtype=torch.float64)
        ys = torch.tensor(artist["y"], dtype=torch.float64)
        if xs.shape != X.shape or not torch.allclose(xs, X.double(), atol=1e-5):
            checks.fail(f"plot_fit: the series {name!r} is not drawn against X")
        if ys.shape != values.shape or not torch.allclose(ys, values.double(), atol=1e-5):
            shown = [other for other, v in series.items() if ys.shape == v.shape and torch.allclose(ys, v.double(), atol=1e-5)]
            checks.fail(f"plot_fit: the series labelled {name!r} does not show {name}"
                        + (f" but {shown[0]}: labels swapped?" if shown else ""))
        if name == "yt" and not is_points(artist):
            checks.fail("plot_fit: yt should be drawn as points (ax.scatter, or a marker with no line), not a line")
        if name != "yt" and (artist["kind"] != "line" or is_points(artist)):
            checks.fail(f"plot_fit: {name} should be drawn as a line (ax.plot)")
    legends = ([axes["legend"]] if axes["legend"] is not None else []) + figure["figure_legends"]
    if not legends:
        checks.fail("plot_fit: the figure has no legend; call ax.legend() after drawing the labelled series")
    shown = {text for legend in legends for text in legend}
    if not set(series) <= shown:
        checks.fail(f"plot_fit: the legend shows {sorted(shown)}, expected y, yt and yhat")
