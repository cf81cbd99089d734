"""``course demo``: the instructor pipeline, end to end, on sample submissions.

In a fresh course folder it releases every assignment, submits one correct sample
and one sample per typical mistake (the graders' mutants), autogrades them with
nbgrader, writes feedback, exports the grades and prints a table. A mutant's
CAUGHT_BY names the tests it must fail, so each sample's expected score is known,
and the demo fails when any score differs from it.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.utils import is_grade

from grading.authoring import samples
from grading.console import table
from grading.instructor import report
from grading.instructor.pipeline import Course

# How many mistaken samples each assignment gets (its first mutants, by name).
MISTAKES_PER_ASSIGNMENT = 2


@dataclass(frozen=True)
class Sample:
    student: str
    assignment: str
    mistake: str | None  # mutant name, or None for the correct sample
    expected: float
    max_score: float


def test_points(notebook: nbformat.NotebookNode) -> dict[str, float]:
    return {c.metadata.nbgrader.grade_id: float(c.metadata.nbgrader.points) for c in notebook.cells
            if is_grade(c)}


def submit_samples(course: Course, assignments: list[str]) -> list[Sample]:
    """Write the sample submissions into submitted/STUDENT/ASSIGNMENT/."""
    made = []
    for assignment in assignments:
        release = nbformat.read(course.root / "release" / assignment / f"{assignment}.ipynb", as_version=4)
        points = test_points(release)
        total = sum(points.values())
        # Only mistakes a notebook can hold: a mutant that changes a constant the
        # notebook gives in a lesson cell (INPLACE_CASES) has no solution cell to fill.
        fillable = [m for m in samples.mutants(assignment) if m.functions()]
        chosen = [None] + fillable[:MISTAKES_PER_ASSIGNMENT]
        for index, mutant in enumerate(chosen):
            student = "correct" if mutant is None else f"mistake{index}"
            lost = 0.0 if mutant is None else sum(p for t, p in points.items() if t.startswith(mutant.caught_by))
            folder = course.root / "submitted" / student / assignment
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(samples.fill(release, assignment, mutant), folder / f"{assignment}.ipynb")
            made.append(Sample(student, assignment, None if mutant is None else mutant.name, total - lost, total))
    return made


def run(out: Path, *, assignments: list[str] | None = None, cell_timeout: int = 60, progress: bool = True) -> int:
    from grading.runtime import sandbox

    sandbox.check_for_autograde()  # say so before a minute of release, not after
    if out.exists():
        shutil.rmtree(out)
    course = Course(out / "course", cell_timeout=cell_timeout)
    names = course.check_assignments(assignments)
    print(f"1/5 release: generating the student version of {len(names)} assignment(s)")
    course.release(names)
    made = submit_samples(course, names)
    print(f"2/5 autograde: {len(made)} sample submissions (one correct, the others with a typical mistake)")
    reports = course.autograde(names, progress=progress)
    print("3/5 feedback")
    feedback = course.feedback(names, progress=progress)
    print("4/5 grades")
    csv_path, _ = course.export_csv(out / "grades.csv")
    figures = report.write_report(course, out / "report")
    print("5/5 scores\n")
    by_key = {r.key: r for r in reports}
    rows, wrong = [], 0
    for sample in made:
        got = by_key[(sample.student, sample.assignment)]
        ok = abs(got.score - sample.expected) < 1e-9
        wrong += not ok
        rows.append([sample.assignment, sample.student, sample.mistake or "(none)",
                     f"{got.score:g} / {got.max_score:g}", f"{sample.expected:g}", "yes" if ok else "NO"])
        if not ok and got.problems:
            rows[-1].append("; ".join(got.problems)[:120])
    print(table(["assignment", "student", "mistake", "score", "expected", "as expected"], rows))
    print(f"\nfeedback: {len(feedback)} HTML pages under {course.root / 'feedback'}")
    print(f"grades:   {csv_path}")
    print(f"report:   {', '.join(str(p) for p in figures)}")
    if wrong:
        print(f"\n{wrong} score(s) differ from what the mistakes should cost")
        return 1
    print("\nevery sample scored exactly as expected")
    return 0
