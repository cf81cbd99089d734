"""The verification process, on its own: status values, a killed process, a time-out.

Each submission is one job; when the process dies or overruns, that job alone is
incomplete and the next job gets a fresh process.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import nbformat
import pytest

from grading.instructor import verify
from grading.instructor.verification import VerificationIncomplete, Verifier
from grading.runtime.targets import GradingFailure

ROOT = Path(__file__).resolve().parent.parent
MODULE = "ex01_graphs"


def cell_source(grade_id: str) -> str:
    notebook = nbformat.read(ROOT / "notebooks" / f"{MODULE}.ipynb", as_version=4)
    return next(c.source for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def submission(folder: Path, extra: str = "") -> str:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{MODULE}.py").write_text((ROOT / "solutions" / f"{MODULE}.py").read_text() + extra)
    return str(folder)


SLOW = """

_fast = dy_dw_by_hand


def dy_dw_by_hand(w, x):
    import time
    time.sleep(4)
    return _fast(w, x)
"""


@pytest.fixture(scope="module")
def verifier():
    with Verifier() as v:
        yield v


def job(folder: str, grade_id: str = "test_dy_dw_by_hand_matches_autograd") -> list[dict]:
    return [{"grade_id": grade_id, "folder": folder, "source": cell_source(grade_id)}]


def test_status_values_come_from_the_failure_not_its_words():
    assert verify.classify(GradingFailure("expected 1, got 2")) == "fail"
    assert verify.classify(GradingFailure("timeout? no: 'did not finish' is just words", status="wrong")) == "fail"
    assert verify.classify(GradingFailure("anything", status="timeout")) == "unverified"
    assert verify.classify(GradingFailure("anything", status="crash")) == "unverified"
    assert verify.classify(GradingFailure("f raised NameError", status="error", exception="NameError")) == "unverified"
    assert verify.classify(GradingFailure("f raised ValueError", status="error", exception="ValueError")) == "fail"
    assert verify.classify(AssertionError("a hidden test's own assert")) == "fail"
    assert verify.classify(KeyError("the test cell itself broke")) == "unverified"


def test_correct_and_wrong_answers_get_pass_and_fail(verifier, tmp_path):
    good = verifier.run(["good", MODULE], job(submission(tmp_path / "good")))
    assert good == {"test_dy_dw_by_hand_matches_autograd": {"status": "pass", "message": ""}}
    wrong = submission(tmp_path / "wrong", "\n\ndef dy_dw_by_hand(w, x):\n    return w + 1\n")
    answer = verifier.run(["wrong", MODULE], job(wrong))["test_dy_dw_by_hand_matches_autograd"]
    assert answer["status"] == "fail" and "expected" in answer["message"]


def test_a_killed_verification_process_fails_that_job_alone(verifier, tmp_path):
    slow = submission(tmp_path / "slow", SLOW)
    verifier.run(["warm", MODULE], job(submission(tmp_path / "warm")))  # started and ready
    pid = verifier.pid
    killer = threading.Timer(1.0, os.killpg, (pid, signal.SIGKILL))
    killer.start()
    try:
        with pytest.raises(VerificationIncomplete, match="killed by SIGKILL while verifying slow/ex01_graphs"):
            verifier.run(["slow", MODULE], job(slow))
    finally:
        killer.cancel()
    after = verifier.run(["next", MODULE], job(submission(tmp_path / "next")))
    assert after["test_dy_dw_by_hand_matches_autograd"]["status"] == "pass"
    assert verifier.pid != pid


def test_a_verification_that_overruns_is_stopped_and_the_next_job_runs(verifier, tmp_path, monkeypatch):
    slow = submission(tmp_path / "slow", SLOW)
    verifier.run(["warm", MODULE], job(submission(tmp_path / "warm")))
    monkeypatch.setenv("GRADING_VERIFY_TIMEOUT_S", "1")
    started = time.monotonic()
    with pytest.raises(VerificationIncomplete, match="stopped after 1 s verifying slow/ex01_graphs"):
        verifier.run(["slow", MODULE], job(slow))
    assert time.monotonic() - started < 3
    monkeypatch.delenv("GRADING_VERIFY_TIMEOUT_S")
    after = verifier.run(["next", MODULE], job(submission(tmp_path / "next")))
    assert after["test_dy_dw_by_hand_matches_autograd"]["status"] == "pass"
