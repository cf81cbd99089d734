"""What Gradescope's ``run_autograder`` runs: the student's upload in, ``results.json`` out.

Gradescope's contract (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
the upload is in /autograder/submission and the run must leave
/autograder/results/results.json. Both paths are options here (``run_autograder`` takes
them from $AUTOGRADER_SUBMISSION and $AUTOGRADER_RESULTS), so a test, or an instructor
trying the zip, can point them at a temporary folder.

For each assignment the upload holds ``exNN_topic.py`` (the contract's module) or
``exNN_topic.ipynb`` (whose solution cells are extracted as ``course check`` extracts
them), graded beside the upload's other ``exNN_*.py`` modules, which it may import.
Every test cell of the trusted source notebook shipped in the zip, hidden tests
included, runs in this process on that module, with ``grade()`` and ``student()``
calling the student's functions in the sandboxed worker: the out-of-process grading
that ``course autograde`` verifies its kernels' points with (grading/instructor/verify.py). The
upload's own test cells are never run. As in ``course autograde``, a notebook edited
outside JupyterLab first gets its nbgrader metadata back (grading/instructor/repair.py), and a test
cell deleted from it scores 0.

How the points are split. Gradescope shows a ``visible`` test's result and score at
once, and nbgrader gives a test cell its points only when all of it passes, hidden
block included. So:

- a test cell without hidden tests is one ``visible`` test carrying the cell's points;
- a test cell with hidden tests is two tests:
  - its public check, ``visible``, with pass/fail and its one-line message but *no
    score* (Gradescope's informational test: a ``status`` and no ``score``), because
    a visible score for it would have to depend on the hidden result;
  - its hidden tests, ``after_published``, carrying the cell's points, earned only
    when the public check and the hidden tests all pass.

The scores add up to exactly what nbgrader gives the same notebook; nothing a student
sees before the grades are published depends on a hidden test; and, as the spec says,
"if test cases are hidden, students will not be able to see their total score". The
top-level output names only problems with the upload (never a score), and stdout, where
the instructor's log goes, is ``hidden``.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
MESSAGE_CHARS = 300
HIDDEN_NOTE = ("Hidden tests, and the points of the test cells that hold them, appear when your instructor "
               "publishes the grades.")


@dataclass(frozen=True)
class GradedCell:
    """One autograded test cell of a source notebook."""

    grade_id: str
    points: float
    public: str  # what students see and run: the cell up to its hidden block
    hidden: str  # the hidden block and what follows it; "" when the cell has none


@dataclass(frozen=True)
class Outcome:
    """How one part of a test cell went. ``status`` is the failure's status value
    (grading.runtime.targets.GradingFailure: ``import``, ``wrong``, ...), never read from words."""

    passed: bool
    message: str = ""
    status: str = ""


def public_source(source: str) -> str:
    """A test cell as released to students: its hidden block removed (nbgrader's ClearHiddenTests)."""
    head, hidden = split_hidden(source)
    if not hidden:
        return source
    _, _, tail = hidden.partition(HIDDEN_END)
    return (head.rstrip("\n") + tail).strip("\n")


def split_hidden(source: str) -> tuple[str, str]:
    """(public part, hidden part) of a test cell's source."""
    if HIDDEN_BEGIN not in source:
        return source, ""
    head, marker, rest = source.partition(HIDDEN_BEGIN)
    return head, marker + rest


def graded_cells(notebook: Path) -> list[GradedCell]:
    import nbformat

    cells = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade"):
            public, hidden = split_hidden(cell.source)
            cells.append(GradedCell(meta["grade_id"], float(meta.get("points", 0)), public, hidden))
    return cells


# ------------------------------------------------------------------ the upload


def find_upload(submission: Path, module: str) -> tuple[Path | None, str]:
    """The file that answers ``module`` (the shallowest; .py before .ipynb), and a note
    naming the others when there was a choice."""
    found = [path for suffix in (".py", ".ipynb") for path in submission.rglob(f"{module}{suffix}")
             if path.is_file() and not path.is_symlink() and "__MACOSX" not in path.parts]
    if not found:
        return None, ""
    found.sort(key=lambda p: (len(p.relative_to(submission).parts), p.suffix != ".py", str(p)))
    note = ""
    if len(found) > 1:
        others = ", ".join(str(p.relative_to(submission)) for p in found[1:])
        note = f"{module}: graded {found[0].relative_to(submission)} (also uploaded: {others})"
    return found[0], note


def siblings(submission: Path, module: str, folder: Path) -> None:
    """Copy the upload's other modules beside ``module``: a module may import another
    (ex08's fit_on builds on ``from ex07_curve_fitting import fit``)."""
    found = sorted((p for p in submission.rglob("ex[0-9][0-9]_*.py") if p.is_file() and not p.is_symlink()
                    and p.stem != module and "__MACOSX" not in p.parts),
                   key=lambda p: (len(p.relative_to(submission).parts), str(p)))
    for path in found:
        if not (folder / path.name).exists():
            shutil.copyfile(path, folder / path.name)


def release_view(source_notebook: Path):
    """The notebook as students got it (solution cells cleared in the zip already, hidden
    blocks removed here): what an upload's cells are matched back to."""
    import nbformat
    from nbgrader.utils import is_grade

    notebook = nbformat.read(source_notebook, as_version=4)
    for cell in notebook.cells:
        if is_grade(cell):
            cell.source = public_source(cell.source)
    return notebook


def prepare(upload: Path, module: str, folder: Path, source_notebook: Path) -> tuple[set[str] | None, list[str]]:
    """Write ``folder``/``module``.py from the upload. For a notebook: (the grade ids of the
    test cells it still has, what was repaired); for a .py: (None, []). ValueError (one
    line) when the notebook cannot be read.

    A notebook edited outside JupyterLab gets its nbgrader metadata back first, as
    ``course autograde`` does (grading/instructor/repair.py), so that it is graded on its answers."""
    target = folder / f"{module}.py"
    if upload.suffix == ".py":
        shutil.copyfile(upload, target)
        return None, []
    import nbformat

    from grading.authoring.notebook_module import notebook_to_module
    from grading.instructor.repair import repair

    try:
        notebook = nbformat.read(upload, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for broken files
        raise ValueError(f"{upload.name} is not a notebook that can be read ({type(exc).__name__})") from None
    repaired = repair(notebook, release_view(source_notebook))
    from nbgrader.utils import is_grade

    present = {cell.metadata.nbgrader.get("grade_id") for cell in notebook.cells if is_grade(cell)}
    extracted = folder.parent / f"{module}.notebook"
    extracted.mkdir(exist_ok=True)
    nbformat.write(notebook, extracted / f"{module}.ipynb")
    notebook_to_module(extracted / f"{module}.ipynb", folder)
    return present, repaired


# ------------------------------------------------------------------ running the test cells


def _run(source: str, namespace: dict, label: str) -> Outcome:
    captured = io.StringIO()  # checks and test cells may print; the instructor's log needs none of it
    try:
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            exec(compile(source, label, "exec"), namespace)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - a cell that raises anything fails, as in nbgrader
        text = str(exc).strip()
        message = text.splitlines()[0] if text else type(exc).__name__
        if not isinstance(exc, AssertionError):
            message = f"{type(exc).__name__}: {message}"
        return Outcome(False, message[:MESSAGE_CHARS], str(getattr(exc, "status", "error")))
    return Outcome(True)


def run_cell(cell: GradedCell, folder: Path) -> tuple[Outcome, Outcome | None]:
    """The public part, then (when it passed) the hidden part, in one namespace as the
    kernel runs the cell top to bottom."""
    import torch  # test cells use the notebook's own `import torch`

    os.environ["GRADING_OUT_OF_PROCESS"] = str(folder)
    namespace = {"__name__": "__gradescope__", "torch": torch}
    public = _run(cell.public, namespace, f"<test cell {cell.grade_id}>")
    if not cell.hidden:
        return public, None
    if not public.passed:
        return public, Outcome(False, "not run: the public check failed")
    return public, _run(cell.hidden, namespace, f"<hidden tests of {cell.grade_id}>")


def gradescope_tests(module: str, cell: GradedCell, public: Outcome, hidden: Outcome | None) -> list[dict]:
    """The Gradescope tests of one test cell (see the module docstring for the split)."""
    name = f"{module}: {cell.grade_id.removeprefix('test_')}"
    points = cell.points
    if not cell.hidden:
        return [{"name": name, "score": points if public.passed else 0.0, "max_score": points,
                 "status": "passed" if public.passed else "failed", "visibility": "visible",
                 "output": public.message or "passed"}]
    earned = public.passed and hidden is not None and hidden.passed
    shown = public.message if not public.passed else \
        f"passed; this test cell's {points:g} point(s) also need its hidden tests, shown when grades are published"
    if earned:
        hidden_output = f"passed: the test cell's {points:g} point(s) are earned"
    else:
        why = hidden.message if hidden is not None else "not run"
        hidden_output = f"{why} (a test cell earns its {points:g} point(s) only when all of it passes)"
    return [{"name": name, "status": "passed" if public.passed else "failed", "visibility": "visible",
             "output": shown},
            {"name": f"{name} (hidden tests)", "score": points if earned else 0.0, "max_score": points,
             "status": "passed" if earned else "failed", "visibility": "after_published",
             "output": hidden_output}]


def grade_assignment(module: str, source_notebook: Path, submission: Path,
                     scratch: Path) -> tuple[list[dict], list[str]]:
    """Gradescope tests for one assignment, and one-line problems for the top-level output."""
    cells = graded_cells(source_notebook)
    total = sum(c.points for c in cells)
    upload, note = find_upload(submission, module)
    problems = [note] if note else []
    outcomes: dict[str, tuple[Outcome, Outcome | None]] = {}

    def all_fail(reason: str) -> None:
        problems.append(f"{module}: {reason}: its {total:g} points score 0")
        for c in cells:
            outcomes[c.grade_id] = (Outcome(False, reason), Outcome(False, f"not run: {reason}") if c.hidden else None)

    if upload is None:
        all_fail(f"no {module}.py or {module}.ipynb in the submission")
    else:
        folder = scratch / module
        folder.mkdir(parents=True)
        try:
            present, repaired = prepare(upload, module, folder, source_notebook)
            problems.extend(f"{module}: {line}" for line in repaired)
            siblings(submission, module, folder)
        except (ValueError, OSError) as exc:
            all_fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        else:
            for c in cells:
                if present is not None and c.grade_id not in present:
                    reason = f"test cell {c.grade_id} was deleted from {upload.name}: it scores 0"
                    problems.append(f"{module}: {reason}")
                    outcomes[c.grade_id] = (Outcome(False, reason), Outcome(False, reason) if c.hidden else None)
                else:
                    outcomes[c.grade_id] = run_cell(c, folder)
            failed_import = next((o for o, _ in outcomes.values() if o.status == "import"), None)
            if failed_import is not None:
                problems.append(f"{module}: {failed_import.message}")
    tests = [t for c in cells for t in gradescope_tests(module, c, *outcomes[c.grade_id])]
    return tests, problems


def assignments_in(source: Path) -> list[str]:
    return sorted(p.stem for p in (source / "notebooks").glob("ex[0-9][0-9]_*.ipynb"))


def grade(submission: Path, source: Path, assignments: list[str] | None = None) -> dict:
    """The whole results.json for one submission."""
    started = time.monotonic()
    tests: list[dict] = []
    lines: list[str] = []
    if not submission.is_dir():
        lines.append("the submission folder is missing: nothing was uploaded")
        submission = Path(tempfile.mkdtemp(prefix="gradescope-empty-"))
    scratch = Path(tempfile.mkdtemp(prefix="gradescope-"))
    os.environ.setdefault("GRADING_PICTURES", str(scratch / "pictures"))
    try:
        for module in assignments or assignments_in(source):
            notebook = source / "notebooks" / f"{module}.ipynb"
            cells = graded_cells(notebook)
            try:
                found, problems = grade_assignment(module, notebook, submission, scratch)
            except Exception as exc:  # noqa: BLE001 - one assignment's trouble must not cost the others
                reason = f"the autograder could not grade it ({type(exc).__name__}: {str(exc)[:120]})"
                lines.append(f"{module}: {reason}")
                failed = Outcome(False, reason)
                found = [t for c in cells for t in gradescope_tests(module, c, failed, failed if c.hidden else None)]
                problems = []
            tests.extend(found)
            lines.extend(problems)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if any(t["visibility"] == "after_published" for t in tests):
        lines.append(HIDDEN_NOTE)
    return {"score": sum(t.get("score", 0.0) for t in tests),
            "execution_time": int(round(time.monotonic() - started)),
            "output": "\n".join(lines),
            "output_format": "text",
            "test_output_format": "text",
            "test_name_format": "text",
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": tests}


def failure_result(reason: str) -> dict:
    """What Gradescope gets when grading could not even start: still a results.json."""
    return {"score": 0.0, "execution_time": 0, "output": f"The autograder could not run: {reason}",
            "output_format": "text", "stdout_visibility": "hidden", "tests": []}


def write(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(results, indent=2) + "\n")
    os.replace(partial, path)


def main(argv: list[str] | None = None) -> int:
    from grading.runtime.targets import COURSE_ROOT

    p = argparse.ArgumentParser(prog="python -m grading.instructor.exports.autograder",
                                description="Grade one Gradescope submission and write results.json.")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: every notebook the zip holds")
    p.add_argument("--submission", type=Path, default=Path("/autograder/submission"))
    p.add_argument("--results", type=Path, default=Path("/autograder/results/results.json"))
    p.add_argument("--source", type=Path, default=COURSE_ROOT, help="the unzipped autograder")
    args = p.parse_args(argv)
    import grading

    print(f"grading package: {Path(grading.__file__).resolve().parent}", flush=True)  # the instructor's log
    try:
        results = grade(args.submission, args.source, args.assignments or None)
    except Exception as exc:  # noqa: BLE001 - Gradescope must always get a results.json
        results = failure_result(f"{type(exc).__name__}: {str(exc)[:200]}")
    write(results, args.results)
    # stdout is the instructor's log (stdout_visibility: hidden).
    for test in results["tests"]:
        score = f"{test['score']:g}/{test['max_score']:g}" if "score" in test else "-"
        print(f"{test['status']:<6}  {score:>7}  {test['visibility']:<15}  {test['name']}  {test['output'][:160]}")
    print(f"score: {results['score']:g}\n{results['output']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
