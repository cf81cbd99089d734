"""The gradebook on a real PostgreSQL server, against the same run on SQLite.

The server is a throw-away cluster (tests/postgres.py) on a Unix socket, started
for this module and stopped after it. Release, autograde, feedback and both grade
exports run on each database; the scores must be identical, and a run killed with
SIGKILL in the middle of a notebook must lose nothing once it is resumed.
"""
from __future__ import annotations

import csv
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from grading.authoring import samples
from grading.instructor.pipeline import Course

from postgres import Server, Unavailable

# One xdist worker runs this whole module (make test runs -n auto): its module fixtures are costly to build twice.
pytestmark = pytest.mark.xdist_group("postgres")

ASSIGNMENT = "ex01_graphs"
ROOT = Path(__file__).resolve().parent.parent
EXPECTED = {"correct": 18, "onepath": 15, "addgraph": 13, "tamper": 15}


@pytest.fixture(scope="module")
def server():
    try:
        running = Server().start()
    except Unavailable as exc:
        pytest.skip(f"no PostgreSQL server can run here: {exc}")
    yield running
    running.stop()


def mutant(name: str) -> samples.Mutant:
    return next(m for m in samples.mutants(ASSIGNMENT) if m.name == name)


def submit_all(course: Course, students=EXPECTED) -> None:
    release = nbformat.read(course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    notebooks = {
        "correct": samples.fill(release, ASSIGNMENT),
        "onepath": samples.fill(release, ASSIGNMENT, mutant("dy_dw_by_hand_one_path")),
        "addgraph": samples.fill(release, ASSIGNMENT, mutant("build_graph_adds_instead_of_multiplies")),
    }
    tamper = samples.fill(release, ASSIGNMENT, mutant("dy_dw_by_hand_one_path"))
    solution = next(c for c in tamper.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "dy_dw_by_hand")
    solution.source += "\ntorch.allclose = lambda *a, **k: True\ntorch.equal = lambda *a, **k: True"
    notebooks["tamper"] = tamper
    for student in students:
        folder = course.root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebooks[student], folder / f"{ASSIGNMENT}.ipynb")


def run_everything(course: Course, out: Path) -> dict:
    course.release([ASSIGNMENT])
    submit_all(course)
    reports = {r.student: (r.status, r.score) for r in course.autograde(progress=False)}
    feedback = sorted(p.relative_to(course.root).as_posix() for p in course.feedback(progress=False))
    nbgrader_csv, _ = course.export_csv(out / "grades.csv")
    canvas_csv, _ = course.export_canvas(out / "canvas.csv")
    with open(nbgrader_csv) as f:
        exported = {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)}
    with open(canvas_csv) as f:
        canvas = {r["SIS Login ID"] or r["Student"]: r[ASSIGNMENT] for r in csv.DictReader(f)}
    return {"reports": reports, "feedback": feedback, "csv": exported, "canvas": canvas}


def test_postgresql_gradebook_scores_exactly_as_sqlite(server, tmp_path):
    on_sqlite = run_everything(Course(tmp_path / "sqlite", cell_timeout=8), tmp_path / "sqlite-out")
    url = server.createdb("course_same_scores")
    on_postgres = run_everything(Course(tmp_path / "pg", db_url=url, cell_timeout=8), tmp_path / "pg-out")
    assert on_postgres == on_sqlite
    assert on_postgres["reports"] == {s: ("graded", float(p)) for s, p in EXPECTED.items()}
    assert on_postgres["canvas"]["Points Possible"] == "18"
    assert not (tmp_path / "pg" / "gradebook.db").exists()  # everything went to the server


def course_cli(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "grading.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT, start_new_session=True, **kw)


def read_pipe(stream, timeout: float, until: str | None = None) -> str:
    """Read the pipe itself, unbuffered (so that a later read misses nothing), until ``until``
    has been read or the last writer closes it; at most ``timeout`` s."""
    text, deadline = "", time.monotonic() + timeout
    while time.monotonic() < deadline and (until is None or until not in text):
        if select.select([stream], [], [], max(0.0, deadline - time.monotonic()))[0]:
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:
                return text
            text += chunk.decode(errors="replace")
    if until is None:
        raise AssertionError(f"the pipe stayed open {timeout:g} s after the kill: a process outlived the run")
    return text


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_run_killed_mid_notebook_loses_nothing_once_resumed(database, server, tmp_path):
    url = server.createdb("course_kill") if database == "postgresql" else None
    course = Course(tmp_path / "course", db_url=url, cell_timeout=8)
    course.release([ASSIGNMENT])
    submit_all(course)
    # One at a time, so that the kill lands inside a known notebook.
    args = ["autograde", "--course", str(course.root), "--timeout", "8", "--jobs", "1"] + (["--db", url] if url else [])
    run = course_cli(*args)
    first, second = sorted(EXPECTED)[:2]
    # One line per notebook as it starts, and one as it counts as graded (verified and
    # recorded); the first is verified while the second one's kernel runs its cells.
    seen = read_pipe(run.stderr, 240, until=f"autograde done: {first}/")
    assert f"autograde done: {first}/" in seen and "autograde 2/4" in seen, seen
    time.sleep(0.5)  # inside the second notebook: its kernel is running its cells
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    seen += read_pipe(run.stderr, 30)  # the kernels it started end with it, and close the pipe
    done = set(re.findall(r"autograde done: (\w+)/", seen))
    started = set(re.findall(r"autograde \d+/4: (\w+)/", seen))
    assert first in done and second in started - done, seen

    resumed = {r.student: r for r in course.autograde(progress=False)}
    for student, report in resumed.items():
        # Finished before the kill: kept. Killed mid-notebook: graded again, not kept at 0.
        assert report.status == ("skipped" if student in done else "graded"), (student, seen)
    assert {s: r.score for s, r in resumed.items()} == EXPECTED
    assert not (course.root / ".autograde.lock").exists()


def test_an_unreachable_database_is_one_line_and_touches_nothing(tmp_path):
    course = tmp_path / "course"
    (course / "submitted" / "ada" / ASSIGNMENT).mkdir(parents=True)
    url = f"postgresql://postgres@/course?host={tmp_path / 'no-server-here'}&port=5999"
    for command in (["autograde"], ["feedback"], ["grades", "--out", str(tmp_path / "g.csv")]):
        run = course_cli(*command, "--course", str(course), "--db", url)
        out, err = run.communicate(timeout=120)
        assert run.returncode == 2, (command, out, err)
        assert len(err.strip().splitlines()) == 1 and "cannot open the gradebook postgresql://" in err, err
    assert sorted(p.name for p in course.iterdir()) == ["submitted"]
