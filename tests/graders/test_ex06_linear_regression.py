"""Grader for ex06_linear_regression: d2l's linear regression, written from scratch."""
import contextlib

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from grading.checking import checks, probes, strategies
from grading.checking.references import ex06_linear_regression as ref
from grading.runtime.runner import Build, BuildArgs
from grading.runtime.targets import GradingFailure
from grading.runtime.wire import TensorResult

MODULE = "ex06_linear_regression"


def returned_tuple(result, function: str, names: str):
    if not isinstance(result, tuple) or len(result) != len(names.split(", ")):
        checks.fail(f"{function} must return the tuple ({names}), got {type(result).__name__}")
    return result


# -------------------------------------------------------------------- synthetic_data

SYNTHETIC_CASES = [(ref.TRUE_W, ref.TRUE_B, 1000, 0), ((1.0, 0.5, -2.0), -1.0, 7, 5)]


@pytest.mark.points(2)
def test_synthetic_data_draws_the_contract_distributions(student):
    # X ~ N(0, 1) and noise ~ N(0, 0.01^2), tested as distributions; a seed reproduces them and only
    # the generator is drawn from. In which order X and the noise are drawn is the student's choice.
    ref.check_synthetic_data(student.synthetic_data, SYNTHETIC_CASES)


# ------------------------------------------------------------------------ data_iter

def batches_of(student, n: int, batch_size: int, seed: int) -> list[tuple]:
    """The batches data_iter yields on numbered data, checked for form, as (ids, labels, X_batch)."""
    features, labels = ref.numbered_data(n, 2)
    outcome = student.data_iter.run(batch_size, features, labels, generator=Build(ref.generator, (seed,)),
                                    probe=ref.collect_batches, probe_kwargs={"limit": n + 5})
    checks.expect_ok(outcome)
    found = outcome.probe
    if not isinstance(found, dict) or not isinstance(found.get("batches"), list):
        checks.fail("data_iter: could not iterate over what it returned")
    if found["more"]:
        checks.fail(f"data_iter({batch_size}, ...) on {n} examples went on past {n + 5} batches: "
                    "it should stop after one pass over the data")
    out = []
    for k, batch in enumerate(found["batches"]):
        if not isinstance(batch, (tuple, list)) or len(batch) != 2:
            checks.fail(f"data_iter must yield (X_batch, y_batch) pairs, batch {k} is {type(batch).__name__}")
        X_b = checks.check_tensor(batch[0], name=f"data_iter: X of batch {k}", dtype=torch.float32)
        y_b = checks.check_tensor(batch[1], name=f"data_iter: y of batch {k}", dtype=torch.float32)
        if X_b.value.dim() != 2 or X_b.shape[1:] != (2,) or y_b.shape != (X_b.shape[0], 1):
            checks.fail(f"data_iter: batch {k} has X of shape {X_b.shape} and y of shape {y_b.shape}; "
                        "expected rows of features, (b, 2), and of labels, (b, 1)")
        out.append((X_b.value[:, 0].round().long().tolist(), y_b.value[:, 0].tolist(), X_b.value))
    return out


@pytest.mark.points(2)
def test_data_iter_yields_every_example_once(student):
    for n, batch_size in ((23, 5), (20, 5), (3, 10)):
        batches = batches_of(student, n, batch_size, seed=1)
        features, _ = ref.numbered_data(n, 2)
        ids = [i for batch_ids, _, _ in batches for i in batch_ids]
        for batch_ids, batch_labels, X_b in batches:
            if not all(0 <= i < n for i in batch_ids) or not torch.equal(X_b, features[batch_ids]):
                checks.fail("data_iter: a batch holds rows that are not rows of features")
            if batch_labels != [-float(i) for i in batch_ids]:
                checks.fail("data_iter: labels no longer match their features: "
                            "index features and labels with the same shuffled indices")
        if len(set(ids)) < len(ids):
            checks.fail(f"data_iter: some examples appear more than once in one pass over {n} examples "
                        "(sampling with replacement?); each example comes exactly once")
        if len(ids) < n:
            hint = (" (the last, smaller batch was dropped)" if len(ids) == n - n % batch_size else "")
            checks.fail(f"data_iter: one pass yielded {len(ids)} of the {n} examples{hint}")
        sizes = [len(batch_ids) for batch_ids, _, _ in batches]
        expected = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
        if sizes != expected:
            checks.fail(f"data_iter({batch_size}, ...) on {n} examples: batch sizes {sizes}, expected {expected}")


@pytest.mark.points(2)
def test_data_iter_shuffles_with_the_generator(student):
    n, batch_size = 23, 5
    orders = {}
    for seed in (1, 2, 3, 1):
        order = [i for batch_ids, _, _ in batches_of(student, n, batch_size, seed) for i in batch_ids]
        if order == sorted(order):
            checks.fail("data_iter: examples come in their original order; shuffle the indices with the generator")
        if seed in orders and orders[seed] != order:
            checks.fail("data_iter: two passes with generators of the same seed gave different orders; "
                        "draw the order from the generator only (torch.randperm(n, generator=generator), not random.shuffle)")
        orders[seed] = order
    if orders[1] == orders[2] == orders[3]:
        checks.fail("data_iter: the order does not change with the generator's seed; "
                    "pass generator=generator to torch.randperm")


# --------------------------------------------------------------- linreg, squared_loss

def run_with_grads(fn, args, name: str, leaves: dict[str, int]):
    """The result and, after backward on its sum in the child, each named leaf's .grad."""
    outcome = fn.run(*args, probe=probes.backward_grads)
    # Before expect_ok: without a graph the probe's backward fails with a less useful message.
    if outcome.ok and isinstance(outcome.value, TensorResult) and outcome.value.grad_fn is None:
        checks.fail(f"{name}: the result has no grad_fn, so no gradient can reach "
                    f"{' and '.join(leaves)} (was it computed with .detach(), .numpy() or under torch.no_grad()?)")
    checks.expect_ok(outcome)
    grads = outcome.probe
    return outcome.value, {leaf: grads[i] for leaf, i in leaves.items()}


@st.composite
def linreg_inputs(draw):
    """(X, w, b): X (n, d), w (d, 1) and b (1,) leaves that require grad, one dtype, values in [-2, 2]
    (small enough that a matmul summed in another order stays within the float32 tolerance)."""
    n, d, dtype = draw(st.integers(1, 8)), draw(st.integers(1, 4)), draw(strategies.dtypes())
    X = draw(strategies.tensor((n, d), dtype, low=-2, high=2))
    w = draw(strategies.tensor((d, 1), dtype, low=-2, high=2, requires_grad=True))
    return X, w, draw(strategies.tensor((1,), dtype, low=-2, high=2, requires_grad=True))


@pytest.mark.points(1)
@strategies.graded()
@given(inputs=linreg_inputs())
def test_linreg_values_and_gradients(student, inputs):
    X, w, b = inputs
    n, d = X.shape
    value, grads = run_with_grads(student.linreg, (X, w, b), "linreg", {"w": 1, "b": 2})
    checks.check_close(value, ref.linreg_value(X, w, b), name=f"linreg(X {n}x{d}, w {d}x1, b)")
    for name, expected in zip("wb", ref.linreg_grads(X, w, b)):
        if grads[name] is None:
            checks.fail(f"linreg: no gradient reached {name}; keep it in the graph")
        checks.check_close(grads[name], expected, name=f"linreg: d sum(y_hat) / d{name}")


@st.composite
def squared_loss_inputs(draw):
    """(y_hat, y): y_hat (n, 1) requiring grad, y (n,) or (n, 1), one dtype."""
    n, dtype = draw(st.integers(1, 8)), draw(strategies.dtypes())
    y_shape = draw(st.sampled_from(((n,), (n, 1))))
    return (draw(strategies.tensor((n, 1), dtype, requires_grad=True)), draw(strategies.tensor(y_shape, dtype)))


@pytest.mark.points(1)
@strategies.graded(10)
@given(inputs=squared_loss_inputs())
def test_squared_loss_is_elementwise(student, inputs):
    y_hat, y = inputs
    n, y_shape, dtype = len(y_hat), tuple(y.shape), y_hat.dtype
    value, grads = run_with_grads(student.squared_loss, (y_hat, y), "squared_loss", {"y_hat": 0})
    checks.check_tensor(value, name="squared_loss", dtype=dtype)
    if value.shape != (n, 1):
        hint = {(): "; keep it elementwise: the sum or mean comes later",
                (n, n): "; y was not reshaped to y_hat's shape, so (n, 1) - (n,) broadcast to (n, n)"}
        checks.fail(f"squared_loss(y_hat {n}x1, y {y_shape}) has shape {value.shape}, "
                    f"expected {(n, 1)}{hint.get(value.shape, '')}")
    expected = ref.squared_loss_value(y_hat, y)
    checks.check_close(value, expected, name=f"squared_loss(y_hat {n}x1, y {y_shape})",
                       mistakes={"twice the expected value: the / 2 is missing": 2 * expected})
    checks.check_close(grads["y_hat"], ref.squared_loss_grad(y_hat, y), name="squared_loss: d sum / d y_hat")


# ----------------------------------------------------------------------------- sgd

@pytest.mark.points(2)
def test_sgd_updates_leaves_in_place_and_zeroes_grads(student):
    g = torch.Generator().manual_seed(8)
    for dtype, lr, batch_size in ((torch.float32, 0.03, 10), (torch.float64, 0.5, 4)):
        values = [torch.randn(3, 1, generator=g, dtype=dtype), torch.randn(1, generator=g, dtype=dtype)]
        grads = [torch.randn(3, 1, generator=g, dtype=dtype), torch.randn(1, generator=g, dtype=dtype)]
        outcome = student.sgd.run(BuildArgs(ref.sgd_args, (values, grads, lr, batch_size)), probe=ref.same_objects)
        result = checks.expect_ok(outcome)
        if result is not None:
            checks.fail(f"sgd should update the params in place and return None, got {type(result).__name__}")
        params_after = outcome.args_after[0]
        if not isinstance(params_after, list) or len(params_after) != 2:
            checks.fail("sgd changed the length of the params list")
        for k, (name, value, grad, after) in enumerate(zip(("w", "b"), values, grads, params_after)):
            expected = value - lr * grad / batch_size
            after = checks.check_tensor(after, name=f"sgd: {name}", dtype=dtype)
            if not outcome.probe[k]:
                checks.fail(f"sgd replaced {name} in the params list with a new tensor; update the tensor itself "
                            "in place (param -= ... under torch.no_grad())")
            if not after.is_leaf or not after.requires_grad:
                checks.fail(f"sgd: {name} is no longer a leaf that requires grad (is_leaf={after.is_leaf}, "
                            f"requires_grad={after.requires_grad}); update it under torch.no_grad()")
            if torch.equal(after.value, value):
                checks.fail(f"sgd did not change {name}: `param = param - ...` rebinds a name; "
                            "update in place with `param -= ...` under torch.no_grad()")
            checks.check_close(after, expected, name=f"sgd: {name} after the step", mistakes={
                "forgot to divide by batch_size": value - lr * grad,
                "the sign is flipped: step against the gradient (param -= ...)": value + lr * grad / batch_size,
                "multiplied by batch_size instead of dividing": value - lr * grad * batch_size})
            if after.grad is not None and torch.equal(after.grad.value, grad):
                checks.fail(f"sgd left {name}.grad as it was: forgot zero_grad: gradients accumulate "
                            "into the next batch (call param.grad.zero_())")
            if after.grad is not None and after.grad.value.abs().max() != 0:
                checks.fail(f"sgd: {name}.grad should be zero after the step, got {checks.short(after.grad.value)}")


# -------------------------------------------------------------- squared_loss_grads

@pytest.mark.points(3)
def test_squared_loss_grads_matches_autograd(student):
    for X, y, w, b in ref.grad_cases(seed=9):
        label = f"squared_loss_grads(X {'x'.join(map(str, X.shape))}, y {tuple(y.shape)}, w {tuple(w.shape)})"
        outcome = student.squared_loss_grads.run(X, y, w, b, no_grad=True)
        result = checks.expect_ok(outcome)
        if outcome.autograd_calls:
            checks.fail(f"{label} must be computed without autograd, but it called backward or torch.autograd.grad")
        dw, db = returned_tuple(result, "squared_loss_grads", "dw, db")
        expected = ref.loss_grads(X, y, w, b)
        wrong = {text: mistake(X, y, w, b) for text, mistake in ref.GRAD_MISTAKES.items()}
        for name, got, want, k in (("dw", dw, expected[0], 0), ("db", db, expected[1], 1)):
            got = checks.check_tensor(got, name=f"{label}: {name}")
            if got.shape != want.shape:
                hint = "; sum the residuals over the batch" if name == "db" and got.value.numel() > 1 else ""
                checks.fail(f"{label}: {name} has shape {got.shape}, expected {tuple(want.shape)} "
                            f"(shaped like {name[1]}){hint}")
            checks.check_close(got, want, name=f"{label}: {name}",
                               mistakes={text: values[k] for text, values in wrong.items()})
        checks.check_untouched(outcome, (X, y, w, b), names="X y w b".split(), label=label)


# --------------------------------------------------------------------------- train
# train and loss_for_graph are built from the functions above, as the contract says. When
# one of those is wrong, the failure says which, so the student starts in the right place.

@contextlib.contextmanager
def blaming_parts(student, function: str, parts: tuple):
    try:
        yield
    except GradingFailure as failure:
        for name, part in parts:
            try:
                part(student)
            except GradingFailure as broken:
                # The first clause says what differs; a hint after it may blame the wrong thing.
                what = str(failure).split("; ")[0]
                raise GradingFailure(f"{what}; {function} uses {name}, which fails its own test: {broken}") from None
        raise


def train_parts():
    return (("data_iter", test_data_iter_yields_every_example_once), ("data_iter", test_data_iter_shuffles_with_the_generator),
            ("linreg", test_linreg_values_and_gradients),
            ("squared_loss", test_squared_loss_is_elementwise),
            ("sgd", test_sgd_updates_leaves_in_place_and_zeroes_grads))


def train_data(seed: int, n: int = 1000):
    return ref.synthetic(ref.TRUE_W, ref.TRUE_B, n, seed)


def train_result(student, features, labels, seed: int, global_seed: int = 0, **kwargs):
    result = student.train(features, labels, generator=Build(ref.generator, (seed,)), setup=checks.seed_global_rngs,
                           setup_kwargs={"seed": global_seed, "single_thread": True}, **kwargs)
    w, b, losses = returned_tuple(result, "train", "w, b, losses")
    d = features.shape[1]
    for name, value, shape in (("w", w, (d, 1)), ("b", b, (1,))):
        value = checks.check_tensor(value, name=f"train: {name}", shape=shape, dtype=torch.float32, finite=False)
        if value.requires_grad:
            checks.fail(f"train must return {name} detached (it still requires grad)")
    checks.check_float_list(losses, name="train: losses", length=kwargs.get("num_epochs", 3))
    return w, b, losses


@pytest.mark.points(1)
def test_train_starts_from_the_generator(student):
    # With lr = 0 the parameters stay where they started, and the one loss is theirs; 200 features
    # give w's starting draw enough values to test that it is N(0, 0.01^2).
    features, labels = ref.wide_data(20, 200, seed=10)
    with blaming_parts(student, "train", train_parts()):
        w, b, losses = train_result(student, features, labels, seed=11, lr=0.0, num_epochs=1)
        ref.check_train_start(w, b, losses, features, labels)
        # Every draw of a training run (w's start, each epoch's shuffle) comes from the generator.
        features, labels = train_data(seed=12, n=40)

        def run(seed: int, global_seed: int):
            return train_result(student, features, labels, seed, global_seed=global_seed, num_epochs=2)

        checks.check_seeded(run, name="train")


@pytest.mark.points(1)
def test_train_records_mean_loss_after_each_epoch(student):
    # After one epoch the loss is still far from where the epoch started, so a loss
    # averaged over the epoch's batches (as they were trained) is far from this one.
    features, labels = train_data(seed=12, n=200)
    with blaming_parts(student, "train", train_parts()):
        for num_epochs in (1, 2):
            w, b, losses = train_result(student, features, labels, seed=13, lr=0.01, num_epochs=num_epochs)
            expected = ref.mean_loss(features, labels, w.value, b.value)
            try:
                checks.check_floats(losses[-1:], [expected], name=f"train: the loss after epoch {num_epochs}",
                                    rtol=1e-3, mistakes={"the sum over all examples, not the mean":
                                                         [expected * len(features)],
                                                         "the loss without the / 2 of squared_loss": [expected * 2]})
            except GradingFailure as failure:
                if "; " in str(failure):
                    raise
                checks.fail(f"{failure}; record the mean loss over all examples with the parameters at the end "
                            "of the epoch, not the average of the batch losses seen during it")


@pytest.mark.points(2)
def test_train_recovers_true_parameters(student):
    features, labels = train_data(seed=12)
    with blaming_parts(student, "train", train_parts()):
        w, b, losses = train_result(student, features, labels, seed=13)
        w_best, b_best = ref.least_squares(features, labels)
        for name, got, best, true in (("w", w.value, w_best, ref.TRUE_W), ("b", b.value, b_best, (ref.TRUE_B,))):
            if not torch.isfinite(got).all() or (got - best).abs().max() > 0.01:
                slow = bool(torch.isfinite(got).all()) and (got - best).norm() < 0.9 * best.norm()
                checks.fail(f"train: {name} = {checks.short(got)} after 3 epochs, expected within 0.01 of "
                            f"{checks.short(best)} (the least-squares fit; the truth is {list(true)})"
                            + ("; it moved towards the fit, too slowly: is each batch's loss summed (not "
                               "averaged) before backward? sgd already divides by batch_size" if slow else ""))
        if not losses[0] > losses[-1]:
            checks.fail(f"train: the loss went from {losses[0]:.4g} to {losses[-1]:.4g}; it should fall")


# ------------------------------------------------------------------ loss_for_graph

@pytest.mark.points(2)
def test_loss_for_graph_rendering_matches_reference(student):
    X, y = ref.synthetic(ref.TRUE_W, ref.TRUE_B, 10, seed=14)
    w = ref.initial_w(2, seed=15).requires_grad_(True)
    b = torch.zeros(1, requires_grad=True)
    parts = (("linreg", test_linreg_values_and_gradients), ("squared_loss", test_squared_loss_is_elementwise))
    with blaming_parts(student, "loss_for_graph", parts):
        value = student.loss_for_graph(X, y, w, b)
        if isinstance(value, TensorResult) and value.grad_fn is None:
            checks.fail("loss_for_graph: the loss has no grad_fn, so there is no graph to draw "
                        "(was it computed with .detach(), .numpy() or under torch.no_grad()?)")
        expected = ref.loss_sum(X, y, w, b)
        checks.check_close(value, expected, name="loss_for_graph(X, y, w, b)", mistakes={
            "the mean, not the sum, of squared_loss": expected / len(X),
            "twice the expected value: the / 2 of squared_loss is missing": expected * 2})
        checks.check_graph(student.loss_for_graph, reference=ref.loss_graph_target, inputs=(X, y, w, b),
                           params={"w": 2, "b": 3}, picture="loss_for_graph")
