"""The graders accept every correct answer: each correct alternative in tests/fixtures/ gets full points.

A fixture holds only the function(s) it replaces, like a mutant (tests/test_graders_proven.py),
and is appended to the reference solution; every test of that module's grader must pass on it.
``REJECTED_BEFORE`` names the grader tests that once rejected it (they compared a random stream,
or a result that depends on one, with the reference bit for bit, where the contract fixes only
distributions and the use of the generator).
"""
from __future__ import annotations


import pytest

from test_graders_proven import ROOT, grader_for, grader_tests, load, run, submission_with

FIXTURES = sorted((ROOT / "tests" / "fixtures").glob("ex[0-9][0-9]_*/*.py"))


def test_there_are_fixtures():
    assert FIXTURES, "no correct alternatives in tests/fixtures/"


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_grader_gives_full_points_to_correct_alternative(fixture, tmp_path):
    module = fixture.parent.name
    folder = submission_with(module, fixture.read_text(), "correct alternative", tmp_path)
    spec = load(fixture)
    rejected = getattr(spec, "REJECTED_BEFORE", None)
    assert isinstance(rejected, list) and all(isinstance(t, str) and t.startswith("test_") for t in rejected), \
        f"{fixture.name}: REJECTED_BEFORE must list the grader tests that used to reject it"
    failures = {name: message for name, test in grader_tests(grader_for(module))
                if (message := run(test, folder, module, tmp_path)) is not None}
    assert not failures, f"a correct {fixture.stem} loses points: {failures}"
