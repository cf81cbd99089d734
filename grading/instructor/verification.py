"""Checking, out of process, every point a student's kernel awarded; failing closed.

After nbgrader has graded a submission in the student's kernel, each test cell that
earned points is run again in the trusted process of :mod:`grading.instructor.verify`, on the
solution cells the kernel had run before that test cell (so a cell that killed the
kernel later cannot spoil the tests that passed before it). A point survives only
when both agree:

- the check fails out of process: the points are *withdrawn* (a verdict);
- the check cannot run out of process, for any reason (an unreadable notebook, an
  extraction error, the verification process crashing or timing out): the points
  are *withheld*, the cell is flagged for review in nbgrader's gradebook, and the
  submission is *unverified*: reported, left out of the grades export, and graded
  again by the next run.

Each submission is one job for a long-lived verification process; when that process
dies or overruns a job, only that submission is unverified, and a fresh process
takes the next one.
"""
from __future__ import annotations

import hashlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader import utils as nbgrader_utils

from grading import settings
from grading.authoring.notebook_module import lesson_parts, module_source
from grading.instructor import gradebook

STARTUP_S = 180.0



class VerificationIncomplete(RuntimeError):
    """The verification of one submission did not finish; the message is one line."""


@dataclass
class Outcome:
    """What verification did to one submission's points."""

    verified: bool
    withdrawn: dict[str, str] = field(default_factory=dict)   # grade_id -> why it fails out of process
    unverified: dict[str, str] = field(default_factory=dict)  # grade_id -> why it could not be checked
    problems: list[str] = field(default_factory=list)


class Verifier:
    """One verification process, restarted after a crash or a time-out."""

    def __init__(self, graders: Path | None = None):
        self.graders = graders
        self._proc: subprocess.Popen | None = None
        self._log = None
        self._ready = False
        self._job = None

    def start_soon(self) -> None:
        """Start the process now and return at once (it imports torch and starts its grading
        worker while the first notebook is graded); the first ``run`` waits until it is ready."""
        if self._proc is None or self._proc.poll() is not None:
            self.close()
            self._spawn()

    def _start(self) -> None:
        self._spawn()
        self._await_ready()

    def _await_ready(self) -> None:
        hello = self._answer(STARTUP_S, "starting")
        self._ready = True
        if not hello.get("ready"):
            raise VerificationIncomplete("the verification process did not start")

    def _spawn(self) -> None:
        self._ready = False
        env = dict(os.environ)
        if self.graders:
            env["GRADING_GRADERS"] = str(self.graders)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(settings.PACKAGE_DIR.parent), env.get("PYTHONPATH")]))
        self._log = tempfile.TemporaryFile()
        self._proc = subprocess.Popen([sys.executable, "-m", "grading.instructor.verify"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=self._log, env=env,
                                      start_new_session=True, text=True, bufsize=1)

    def _answer(self, timeout: float, doing: str) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.close()
                raise VerificationIncomplete(f"the verification process was stopped after {timeout:g} s {doing}")
            ready, _, _ = select.select([self._proc.stdout], [], [], left)
            if ready:
                line = self._proc.stdout.readline()
                if not line:
                    code = self._proc.wait()
                    self.close()
                    how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with status {code}"
                    raise VerificationIncomplete(f"the verification process {how} while {doing}")
                try:
                    return json.loads(line)
                except json.JSONDecodeError:
                    self.close()
                    raise VerificationIncomplete(f"the verification process answered garbage while {doing}") from None

    def submit(self, key: list[str], cells: list[dict]) -> None:
        """Send one job and return at once (the process works on it while the caller grades
        the next notebook); :meth:`collect` waits for its answer. One job at a time."""
        if self._proc is None or self._proc.poll() is not None:
            self.close()
            self._start()
        elif not self._ready:
            self._await_ready()
        try:
            self._proc.stdin.write(json.dumps({"key": key, "cells": cells}) + "\n")
            self._proc.stdin.flush()
        except OSError:
            self.close()
            raise VerificationIncomplete("the verification process stopped reading its jobs") from None
        self._job = (key, {c["grade_id"] for c in cells})

    def answered(self) -> bool:
        """Whether :meth:`collect` would return (or fail) without waiting."""
        if self._job is None or self._proc is None or self._proc.poll() is not None:
            return True
        return bool(select.select([self._proc.stdout], [], [], 0)[0])

    def collect(self) -> dict[str, dict]:
        """grade_id -> {"status", "message"} for each cell of the submitted job;
        VerificationIncomplete otherwise."""
        key, grade_ids = self._job
        self._job = None
        answer = self._answer(settings.verify_timeout(len(grade_ids)), "verifying " + "/".join(key))
        results = answer.get("results") if answer.get("key") == key else None
        if not isinstance(results, dict) or set(results) != grade_ids:
            self.close()
            raise VerificationIncomplete("the verification process answered for another job")
        return results

    def run(self, key: list[str], cells: list[dict]) -> dict[str, dict]:
        """:meth:`submit`, then :meth:`collect`."""
        self.submit(key, cells)
        return self.collect()

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    def close(self) -> None:
        if self._proc is not None:
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self._proc.wait()
            for stream in (self._proc.stdin, self._proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            self._proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> "Verifier":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def cells_to_check(autograded: Path, source: Path, awarded: set[str], scratch: Path) -> list[dict]:
    """One job cell per awarded test: the trusted source of the test, and a folder
    holding the module made of the cells the kernel ran before it.

    Raises ValueError (one line) when the autograded notebook cannot be read."""
    try:
        notebook = nbformat.read(autograded, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for broken files
        raise ValueError(f"the autograded notebook cannot be read ({type(exc).__name__})") from None
    tests = {c.metadata.nbgrader.grade_id: c.source for c in nbformat.read(source, as_version=4).cells
             if nbgrader_utils.is_grade(c)}
    module = autograded.stem
    parts: list[str] = []
    cells, folders = [], {}
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id") if nbgrader_utils.is_grade(cell) else None
        if grade_id in awarded and grade_id in tests and grade_id not in {c["grade_id"] for c in cells}:
            text = module_source(parts)
            digest = hashlib.sha256(text.encode()).hexdigest()[:16]
            if digest not in folders:
                folder = scratch / digest
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{module}.py").write_text(text)
                folders[digest] = str(folder)
            cells.append({"grade_id": grade_id, "folder": folders[digest], "source": tests[grade_id]})
        parts.extend(lesson_parts(cell))
    return cells


class Pending:
    """One submission's verification, sent to the verification process: :meth:`finish`
    waits for its verdicts and settles the points in the gradebook."""

    def __init__(self, course, verifier: Verifier, student: str, assignment: str):
        self.course, self.verifier, self.student, self.assignment = course, verifier, student, assignment
        autograded = course.root / "autograded" / student / assignment / f"{assignment}.ipynb"
        source = course.root / "source" / assignment / f"{assignment}.ipynb"
        with gradebook.opened(course.db_url) as gb:
            self.awarded = gradebook.awarded(gb, student, assignment)
        self.outcome = Outcome(verified=True)
        self.scratch = Path(tempfile.mkdtemp(prefix="verify-"))
        self.sent = False
        self.failure: str | None = None
        try:
            cells = cells_to_check(autograded, source, set(self.awarded), self.scratch) if self.awarded else []
            missing = set(self.awarded) - {c["grade_id"] for c in cells}
            self.outcome.unverified.update({g: "its test cell is not in the autograded notebook" for g in missing})
            seed = settings.seed_for(student, assignment)  # the same hidden inputs as in the kernel
            for cell in cells:
                cell["seed"] = seed
            if cells:
                verifier.submit([student, assignment], cells)
                self.sent = True
        except (ValueError, OSError, VerificationIncomplete) as exc:
            self.failure = str(exc).splitlines()[0] if str(exc) else type(exc).__name__

    def ready(self) -> bool:
        """Whether :meth:`finish` would settle without waiting for the verification process."""
        return not self.sent or self.verifier.answered()

    def finish(self) -> Outcome:
        outcome = self.outcome
        try:
            results = {}
            if self.sent:
                try:
                    results = self.verifier.collect()
                except (OSError, VerificationIncomplete) as exc:
                    self.failure = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if self.failure:
                outcome.unverified.update({g: self.failure for g in self.awarded if g not in outcome.unverified})
            for grade_id, result in results.items():
                if result.get("status") == "pass":
                    continue
                target = outcome.withdrawn if result.get("status") == "fail" else outcome.unverified
                target[grade_id] = str(result.get("message", ""))[:200]
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)
        return settle(self.course, self.student, self.assignment, outcome)


def settle(course, student: str, assignment: str, outcome: Outcome) -> Outcome:
    """Withdraw and withhold the points verification did not confirm, and record the outcome:
    the record is what makes the submission count as graded."""
    for grade_id, message in sorted(outcome.withdrawn.items()):
        outcome.problems.append(f"{grade_id} passed in the notebook but fails when its functions are graded "
                                f"out of process ({message[:120]}): its points are withdrawn")
    if outcome.unverified:
        outcome.verified = False
        reasons = sorted(set(outcome.unverified.values()))
        outcome.problems.append(
            f"unverified: {len(outcome.unverified)} test(s) that passed in the notebook could not be checked "
            f"out of process ({'; '.join(reasons)[:160]}): their points are withheld until a later run verifies them")
    with gradebook.opened(course.db_url) as gb:
        gradebook.withhold(gb, student, assignment, outcome.withdrawn, review=False)
        gradebook.withhold(gb, student, assignment, outcome.unverified, review=True)
        gradebook.record(gb, student, assignment, gradebook.VERIFIED if outcome.verified else gradebook.UNVERIFIED,
                         outcome.problems if not outcome.verified else [])
    return outcome


def verify(course, verifier: Verifier, student: str, assignment: str) -> Outcome:
    """Verify one graded submission and settle its points in the gradebook."""
    return Pending(course, verifier, student, assignment).finish()
