"""Re-grading notebooks out of process, so that no verdict rests on the student's kernel.

nbgrader runs the test cells in the student's own kernel, where a solution cell can
patch torch (``torch.allclose = lambda *a, **k: True``) before the checks run. After
autograde, the pipeline extracts each submission's solution cells into a module and
runs every test cell again (hidden tests included) in this separate, trusted process,
with ``grade()`` and ``student()`` calling the functions in forked workers. A test
that passed in the kernel but fails here loses its points.

Run as ``python -m grading.verify JOBS.json RESULTS.json``.
"""
from __future__ import annotations

import json
import sys
import traceback


def run_cells(folder: str, cells: dict[str, str]) -> dict[str, str | None]:
    """grade_id -> None when the cell passes, the failure message when a check fails,
    or "unverified: ..." when the cell could not run here for another reason."""
    import os

    import torch  # test cells may use the notebook's own `import torch`

    os.environ["GRADING_OUT_OF_PROCESS"] = folder
    results: dict[str, str | None] = {}
    for grade_id, source in cells.items():
        namespace = {"__name__": "__verify__", "torch": torch}
        try:
            exec(compile(source, f"<test cell {grade_id}>", "exec"), namespace)
        except AssertionError as failure:  # GradingFailure is one too
            results[grade_id] = str(failure).splitlines()[0] if str(failure) else "assertion failed"
        except Exception as exc:
            results[grade_id] = f"unverified: {type(exc).__name__}: {exc}"
        else:
            results[grade_id] = None
    return results


def main(argv: list[str]) -> int:
    jobs = json.loads(open(argv[0]).read())
    answers = []
    for job in jobs:
        try:
            results = run_cells(job["folder"], job["cells"])
        except Exception:
            results = {"__error__": "unverified: " + traceback.format_exc(limit=1)}
        answers.append({"key": job["key"], "results": results})
    # A file, not stdout: test cells and checks may print.
    with open(argv[1], "w") as f:
        json.dump(answers, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
