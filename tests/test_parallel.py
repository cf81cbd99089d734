"""Parallel and distributed autograde give exactly the serial scores, and lose nothing.

A local run with ``jobs=2`` uses an embedded Dask cluster; the cluster test starts
a real ``dask scheduler`` and two ``dask worker`` processes on loopback, kills one
of them with SIGKILL while both are grading, and checks that every submission is
graded once, with the serial scores.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from grading.authoring import samples
from grading.instructor import distributed, gradebook
from grading.instructor.pipeline import Course, SubmissionReport

# One xdist worker runs this whole module (make test runs -n auto): its module fixtures are costly to build twice.
pytestmark = pytest.mark.xdist_group("parallel")

ASSIGNMENT = "ex01_graphs"
BIN = Path(sys.executable).parent


def mutant(name: str) -> samples.Mutant:
    return next(m for m in samples.mutants(ASSIGNMENT) if m.name == name)


def solution_cell(notebook, grade_id):
    return next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    """A course graded one submission at a time, and a pristine copy of it before grading."""
    base = tmp_path_factory.mktemp("parallel")
    course = Course(base / "serial", cell_timeout=8)
    release = nbformat.read(course.release([ASSIGNMENT])[0], as_version=4)
    notebooks = {
        "correct": samples.fill(release, ASSIGNMENT),
        "onepath": samples.fill(release, ASSIGNMENT, mutant("dy_dw_by_hand_one_path")),
        "addgraph": samples.fill(release, ASSIGNMENT, mutant("build_graph_adds_instead_of_multiplies")),
        "tamper": samples.fill(release, ASSIGNMENT, mutant("dy_dw_by_hand_one_path")),
        "evader": samples.fill(release, ASSIGNMENT),
        "second": samples.fill(release, ASSIGNMENT),
    }
    solution_cell(notebooks["tamper"], "dy_dw_by_hand").source += "\ntorch.allclose = lambda *a, **k: True"
    solution_cell(notebooks["evader"], "dy_dw_by_hand").source += (
        "\n_honest = dy_dw_by_hand\ndef dy_dw_by_hand(w, x):\n    import os, sys\n"
        "    if 'ipykernel' not in sys.modules:\n        os._exit(3)\n    return _honest(w, x)")
    for student, notebook in notebooks.items():
        folder = course.root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / f"{ASSIGNMENT}.ipynb")
    pristine = base / "pristine"
    shutil.copytree(course.root, pristine)
    reports = course.autograde(progress=False)
    return course, outcome(course, reports), pristine


def outcome(course: Course, reports) -> dict:
    """Everything a run decides: statuses, scores, failed tests, verification records."""
    with gradebook.opened(course.db_url) as gb:
        checked = {k: v.status for k, v in gradebook.verifications(gb).items()}
        counts = {}
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                counts[submission.student.id] = counts.get(submission.student.id, 0) + 1
    return {"reports": {r.student: (r.status, r.score, r.max_score, sorted(r.failed_tests)) for r in reports},
            "gradebook": {row["student"]: row["score"] for row in course.grades()},
            "verification": checked, "submissions": counts}


def copy_of(pristine: Path, where: Path) -> Course:
    shutil.copytree(pristine, where)
    return Course(where, cell_timeout=8)


def test_serial_run_is_what_the_mistakes_should_cost(serial):
    _, result, _ = serial
    assert result["gradebook"] == {"correct": 18, "onepath": 15, "addgraph": 13, "tamper": 15,
                                   "evader": 15, "second": 18}
    assert result["reports"]["evader"][0] == "unverified"


def test_two_local_jobs_give_exactly_the_serial_result(serial, tmp_path):
    _, expected, pristine = serial
    course = copy_of(pristine, tmp_path / "jobs2")
    reports = course.autograde(progress=False, jobs=2)
    assert outcome(course, reports) == expected
    # Two workers, tasks of two submissions each: the second of each task had its kernel started ahead.
    assert [len(c) for c in distributed.chunks(reports, 2)] == [2, 2, 2]
    assert course.warm_kernels_used == 3
    notebook = nbformat.read(course.root / "autograded" / "onepath" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    assert any(o.get("ename") == "AssertionError" for c in notebook.cells for o in c.get("outputs", []))
    again = course.autograde(progress=False, jobs=2)  # resumable: everything verified is skipped
    assert {r.status for r in again if r.student != "evader"} == {"skipped"}


def test_tasks_hold_a_few_submissions_of_one_assignment_each():
    reports = [SubmissionReport(f"s{i:02d}", a) for a in ("ex01_graphs", "ex02_leaves") for i in range(23)]
    for workers in (1, 2, 7, 100):
        tasks = distributed.chunks(reports, workers)
        assert sorted(r.key for task in tasks for r in task) == sorted(r.key for r in reports)
        assert all(len({r.assignment for r in task}) == 1 for task in tasks)
        assert max(len(task) for task in tasks) <= distributed.MAX_CHUNK
    # Many workers: one submission a task, so that all of them have work.
    assert {len(t) for t in distributed.chunks(reports, 100)} == {1}
    assert [len(t) for t in distributed.chunks(reports[:4], 2)] == [1, 1, 1, 1]
    # One worker: tasks as large as allowed, so that most kernels start ahead.
    assert [len(t) for t in distributed.chunks(reports, 1)] == [8, 8, 7, 8, 8, 7]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(*command: str) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "dask"), *command], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


@pytest.fixture
def dask_cluster(tmp_path):
    if not (BIN / "dask").exists():
        pytest.skip("the dask command is not installed (pip install 'dask[distributed]')")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    processes = [start("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")]
    workers = [start("worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard", "--name", f"w{i}",
                     "--local-directory", str(tmp_path / f"w{i}")) for i in range(2)]
    processes += workers
    from distributed import Client

    client = Client(address, timeout="60s")
    client.wait_for_workers(2, timeout=120)
    try:
        yield address, client, workers
    finally:
        client.close()
        for proc in processes:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


def test_a_dask_cluster_scores_as_serial_and_a_killed_worker_loses_nothing(serial, tmp_path, dask_cluster):
    _, expected, pristine = serial
    address, observer, workers = dask_cluster
    course = copy_of(pristine, tmp_path / "cluster")
    done: dict = {}
    run = threading.Thread(target=lambda: done.setdefault("reports", course.autograde(progress=False,
                                                                                       cluster=address)))
    run.start()
    deadline = time.monotonic() + 300
    busy = {}
    while time.monotonic() < deadline and len([w for w, tasks in busy.items() if tasks]) < 2:
        time.sleep(0.5)
        busy = observer.processing()
    assert len([w for w, tasks in busy.items() if tasks]) == 2, busy
    time.sleep(3)  # inside the notebooks: their kernels are running
    os.killpg(workers[0].pid, signal.SIGKILL)
    run.join(timeout=900)
    assert not run.is_alive()
    result = outcome(course, done["reports"])
    assert result == expected  # every submission graded once, with the serial scores
    assert set(result["submissions"].values()) == {1}
