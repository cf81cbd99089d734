"""The statistical checks accept correct draws for (almost) every seed and reject wrong distributions.

The graders test random results by their distributions (grading/checking/checks.py: normal_sample_problem,
correlation_problem), never against one reference stream. Each bound is one a correct draw
exceeds with a probability below about 1e-8; here the same predicates the graders use run over
many seeds on the reference solutions and on the correct alternatives of tests/fixtures/, which
must pass every time, and on wrong distributions, which must fail every time.
"""
from __future__ import annotations

import pytest
import torch

from grading.checking import checks
from grading.checking.references import ex06_linear_regression as ref06
from grading.checking.references import ex07_curve_fitting as ref07
from test_graders_proven import ROOT

SEEDS = range(1000)


def module_with(module: str, alternative: str | None = None):
    """The reference solution of ``module``, with a fixture's functions appended when given."""
    source = (ROOT / "solutions" / f"{module}.py").read_text()
    if alternative:
        source += "\n\n" + (ROOT / "tests" / "fixtures" / module / f"{alternative}.py").read_text()
    path = ROOT / "solutions" / f"{module}.py"
    namespace: dict = {"__name__": f"_random_{module}_{alternative}", "__file__": str(path)}
    exec(compile(source, str(path), "exec"), namespace)  # our own solution and fixture files
    return namespace


def g(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def failures(predicate, seeds=SEEDS) -> list:
    return [(seed, problem) for seed in seeds if (problem := predicate(seed))]


# ------------------------------------------------------------------ the predicates alone

def test_normal_sample_problem_accepts_normal_draws_of_every_size():
    for n in (200, 1000, 4000):
        assert not failures(lambda s: checks.normal_sample_problem(
            torch.randn(n, generator=g(s), dtype=torch.float64) * 0.01 + 3, mean=3.0, std=0.01, what="x"))


@pytest.mark.parametrize("label, draw", [
    ("uniform", lambda n, gen: torch.rand(n, generator=gen)),
    ("std twice", lambda n, gen: 2 * torch.randn(n, generator=gen)),
    ("std 0.7", lambda n, gen: 0.7 * torch.randn(n, generator=gen)),
    ("mean 0.5", lambda n, gen: 0.5 + torch.randn(n, generator=gen)),
    ("constant", lambda n, gen: torch.zeros(n)),
])
def test_normal_sample_problem_rejects_wrong_distributions(label, draw):
    accepted = [s for s in range(300) if checks.normal_sample_problem(draw(1000, g(s)), mean=0.0, std=1.0,
                                                                      what="x") is None]
    assert not accepted, f"{label} passed as N(0, 1) for seeds {accepted[:5]}"


def test_correlation_problem_accepts_independent_and_rejects_dependent_draws():
    assert not failures(lambda s: checks.correlation_problem(torch.randn(1000, generator=g(s)),
                                                             torch.randn(1000, generator=g(s + 10 ** 6)), what="x"))
    accepted = [s for s in range(300) if checks.correlation_problem(
        (x := torch.randn(1000, generator=g(s))), x + torch.randn(1000, generator=g(s + 1)), what="x") is None]
    assert not accepted


# ------------------------------------------------------------------ ex06 and ex07, as graded

@pytest.mark.parametrize("alternative", [None, "synthetic_data_noise_first", "synthetic_data_one_draw"])
def test_synthetic_data_checks_pass_correct_draws_for_every_seed(alternative):
    synthetic_data = module_with("ex06_linear_regression", alternative)["synthetic_data"]
    # The graded cases' shapes: only those with enough values are tested as distributions.
    for w, b, n in ((ref06.TRUE_W, ref06.TRUE_B, 1000), ((0.5,), 0.0, 300), ((1.0, 0.5, -2.0), -1.0, 7)):
        def problem(seed):
            X, y = synthetic_data(torch.tensor(w), b, n, generator=g(seed))
            return ref06.synthetic_problem(X, y, w, b)

        assert not failures(problem, range(400)), (alternative, w, n)


@pytest.mark.parametrize("alternative", [None, "train_w_by_box_muller", "train_shuffles_before_drawing_w"])
def test_train_start_check_passes_correct_draws_for_every_seed(alternative):
    train = module_with("ex06_linear_regression", alternative)["train"]
    features, labels = ref06.wide_data(20, 200, seed=10)

    def problem(seed):
        w, _, _ = train(features, labels, lr=0.0, num_epochs=1, generator=g(seed))
        return ref06.train_start_problem(w)

    assert not failures(problem, range(300))


@pytest.mark.parametrize("alternative", [None, "make_data_noise_in_float64", "make_data_box_muller"])
def test_make_data_noise_check_passes_correct_draws_for_every_seed(alternative):
    make_data = module_with("ex07_curve_fitting", alternative)["make_data"]
    for n, noise in ((1000, 1.0), (300, 0.3), (3, 2.0), (64, 0.5)):
        def problem(seed):
            _, y, yt = make_data(n, noise, generator=g(seed))
            return ref07.noise_problem(y, yt, noise, "make_data")

        assert not failures(problem, range(400)), (alternative, n)


# ------------------------------------------------------------------ property-based inputs

EXAMPLES = """
import hashlib, sys
{imports}
from hypothesis import given
from grading.checking import strategies

seen = []


@strategies.graded()
@given(inputs=strategies.same_shaped(2))
def examples(inputs):
    seen.append(hashlib.sha256(b"".join(t.detach().numpy().tobytes() for t in inputs)).hexdigest()[:12])


examples()
print(" ".join(seen))
"""


def graded_examples(cwd, imports: str = "") -> str:
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", EXAMPLES.format(imports=imports)], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_graded_examples_are_the_same_in_any_process(tmp_path):
    """The student bundle replays references recorded for the course's examples: a process with other
    local modules loaded, in another folder, must draw the very same examples (Hypothesis would
    otherwise mix in constants from the local modules' source)."""
    (tmp_path / "lots_of_constants.py").write_text("VALUES = (0.1234, -3.75, 2.5e-3, 17, 1e300, 'abc')\n")
    course = graded_examples(ROOT, "import grading.checking.references.ex07_curve_fitting, grading.checking.references.ex10_higher_order")
    elsewhere = graded_examples(tmp_path, "import lots_of_constants")
    assert course and course == elsewhere


def test_hidden_seed_is_the_written_one_outside_autograde_and_the_students_inside(monkeypatch):
    from grading import settings
    from grading.checking import strategies

    monkeypatch.delenv("GRADING_STUDENT_SEED", raising=False)
    assert strategies.hidden_seed(101) == 101
    seen = {}
    for student in ("ada", "grace", "ada"):
        monkeypatch.setenv("GRADING_STUDENT_SEED", str(settings.seed_for(student, "ex01_graphs")))
        cases = [tuple(t.tolist() for t in ts) for ts in strategies.tensors(2, seed=strategies.hidden_seed(101))]
        assert seen.setdefault(student, cases) == cases  # the same student, the same hidden cases
    assert seen["ada"] != seen["grace"]
    in_ex01 = strategies.hidden_seed(101)  # still ada's ex01 seed
    monkeypatch.setenv("GRADING_STUDENT_SEED", str(settings.seed_for("ada", "ex02_leaves")))
    assert strategies.hidden_seed(101) not in (101, in_ex01)  # another assignment, other cases
