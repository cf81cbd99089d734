"""Re-grading a notebook's test cells out of process, so that no verdict rests on the student's kernel.

nbgrader runs the test cells in the student's own kernel, where a solution cell can
patch torch (``torch.allclose = lambda *a, **k: True``) before the checks run. After
nbgrader has graded a submission, :mod:`grading.instructor.verification` extracts its solution
cells into modules and sends the test cells it awarded here: this separate, trusted
process runs each one again (hidden tests included), with ``grade()`` and
``student()`` calling the functions in forked workers.

Run as ``python -m grading.instructor.verify``: one JSON job per line on stdin, one JSON answer
per line on the original stdout (test cells and checks may print: their output goes
to stderr). A job is ``{"key": ..., "cells": [{"grade_id", "folder", "source"}]}``; the
answer maps each grade_id to ``{"status": ..., "message": ...}`` where status is

- ``pass``: the test cell passed here too;
- ``fail``: a check ran and found the student's answer wrong (a verdict);
- ``unverified``: the cell could not be checked here (the function could not be
  called, timed out, hit a limit, or the test cell itself failed to run).

Both of the last two withhold the kernel's points; only the words differ.
"""
from __future__ import annotations

import json
import os
import sys

# A check ran and gave its verdict on what the student's code returned or raised.
VERDICT_STATUSES = {"wrong", "error", "notimplemented"}


def classify(failure: BaseException) -> str:
    """``fail`` or ``unverified``, from the failure's status value (never its words)."""
    if not isinstance(failure, AssertionError):
        return "unverified"
    status = getattr(failure, "status", "wrong")  # a plain assert in a hidden test is a verdict
    # A NameError out of process but not in the kernel means the extraction lost a
    # name the kernel had: the answer was not checked, which is not the same as wrong.
    if status not in VERDICT_STATUSES or getattr(failure, "exception", "") == "NameError":
        return "unverified"
    return "fail"


def run_cell(folder: str, grade_id: str, source: str, seed: int | None = None) -> dict:
    import torch  # test cells may use the notebook's own `import torch`

    os.environ["GRADING_OUT_OF_PROCESS"] = folder  # read by settings.out_of_process_folder()
    if seed is None:
        os.environ.pop("GRADING_STUDENT_SEED", None)
    else:
        os.environ["GRADING_STUDENT_SEED"] = str(seed)  # the student's hidden inputs
    namespace = {"__name__": "__verify__", "torch": torch}
    try:
        exec(compile(source, f"<test cell {grade_id}>", "exec"), namespace)
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none is fatal
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if classify(exc) == "unverified" and not isinstance(exc, AssertionError):
            message = f"{type(exc).__name__}: {message}"
        return {"status": classify(exc), "message": message[:300]}
    return {"status": "pass", "message": ""}


def main() -> int:
    # Keep the answer channel away from fd 1, which the test cells may print to.
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    import torch  # noqa: F401 - paid once, before the first job
    import grading.students.kernel  # noqa: F401

    answers.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    answers.flush()
    from grading.runtime.runner import default_runner

    default_runner().start_soon()  # warm before the first job arrives
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        results = {cell["grade_id"]: run_cell(cell["folder"], cell["grade_id"], cell["source"], cell.get("seed"))
                   for cell in job["cells"]}
        answers.write(json.dumps({"key": job["key"], "results": results}) + "\n")
        answers.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
