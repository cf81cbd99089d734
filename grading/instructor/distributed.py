"""Grading many submissions at once: on a local Dask cluster, or on one you run.

The coordinator (``course autograde --jobs N`` or ``--cluster tcp://HOST:PORT``)
sends the submissions in tasks of a few each (:func:`chunks`): the students' files
and the assignment's source notebook, as bytes. A worker is stateless: it grades the task in a scratch
course folder of its own with the same pipeline as a serial run (repair, nbgrader in
the sandboxed kernel, out-of-process verification), and returns the autograded
files, the grades and the verification. Only the coordinator writes the gradebook
and ``autograded/``, and only when a task has returned, so

- a worker lost mid-task loses nothing: Dask runs the task again on another worker,
  and its result is written once;
- a coordinator killed at any moment leaves every unfinished submission recorded as
  not graded (``Course.autograde`` records that before dispatching), so the next run
  grades it again.

Workers need the course installed (the same ``grading`` package and graders).
"""
from __future__ import annotations

import atexit
import datetime
import hashlib
import logging
import math
import shutil
from pathlib import Path

from grading.instructor import gradebook
from grading.runtime import sandbox

_COURSES: dict[str, object] = {}  # per worker process: source digest -> scratch Course
_VERIFIERS: dict[str, object] = {}  # per worker process: graders folder -> running Verifier


class ClusterUnavailable(RuntimeError):
    """The cluster cannot be reached; the message is one line."""


# A task grades a few submissions of one assignment, one after another, so that the
# worker starts each kernel while the one before runs (grading.instructor.warm_kernels)
# and verifies each notebook while the next one runs. Small enough that the work
# spreads over the workers, and that a lost worker costs little to grade again.
MAX_CHUNK = 8


def chunks(reports: list, workers: int) -> list[list]:
    """The reports in tasks: per assignment, about two tasks per worker, at most MAX_CHUNK each."""
    size = max(1, min(MAX_CHUNK, math.ceil(len(reports) / (2 * max(1, workers)))))
    by_assignment: dict[str, list] = {}
    for report in reports:
        by_assignment.setdefault(report.assignment, []).append(report)
    return [group[i:i + size] for group in by_assignment.values() for i in range(0, len(group), size)]


def task_for(course, assignment: str, students: list[str]) -> dict:
    def files(student: str) -> dict:
        folder = course.root / "submitted" / student / assignment
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    return {"assignment": assignment, "students": {s: files(s) for s in students},
            "source": (course.root / "source" / assignment / f"{assignment}.ipynb").read_bytes(),
            "cell_timeout": course.cell_timeout, "kernel_name": course.kernel_name}


def _scratch_course(task: dict):
    """A course folder on this worker with the task's assignment released, kept for the
    next task of the same assignment (releasing costs more than grading a notebook)."""
    from grading.instructor.pipeline import Course

    key = hashlib.sha256(task["source"] + repr((task["cell_timeout"], task["kernel_name"])).encode()).hexdigest()
    course = _COURSES.get(key)
    if course is None:
        # Named after the worker: removed when it exits, or by the next worker if it was killed.
        root = Path(sandbox.process_tempdir("grading-dask-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        notebooks = root / "notebooks"
        notebooks.mkdir()
        (notebooks / f"{task['assignment']}.ipynb").write_bytes(task["source"])
        course = Course(root / "course", notebooks=notebooks, cell_timeout=task["cell_timeout"],
                        kernel_name=task["kernel_name"])
        course.release([task["assignment"]])
        _COURSES[key] = course
    return course


def _verifier(course):
    """This worker's verification process, started once and kept for every task (starting
    one, with its own grading worker, costs about 4 s)."""
    from grading.instructor import verification

    key = str(course.graders)
    if key not in _VERIFIERS:
        _VERIFIERS[key] = verification.Verifier(course.graders)
        atexit.register(_VERIFIERS[key].close)
    return _VERIFIERS[key]


def grade_task(task: dict) -> dict:
    """On a worker: grade a task's submissions and describe the results as plain data."""
    assignment, students = task["assignment"], list(task["students"])
    course = _scratch_course(task)
    for student, files in task["students"].items():
        submitted = course.root / "submitted" / student / assignment
        for folder in (submitted, course.root / "autograded" / student / assignment):
            shutil.rmtree(folder, ignore_errors=True)
        for name, data in files.items():
            path = submitted / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    try:
        reports = course.autograde([assignment], students, force=True, progress=False, verifier=_verifier(course))
        return {"submissions": {report.student: _result(course, report) for report in reports},
                "warm_kernels": course.warm_kernels_used}
    finally:
        for student in students:
            shutil.rmtree(course.root / "submitted" / student, ignore_errors=True)
            shutil.rmtree(course.root / "autograded" / student, ignore_errors=True)


def _result(course, report) -> dict:
    student, assignment = report.student, report.assignment
    autograded = course.root / "autograded" / student / assignment
    with gradebook.opened(course.db_url) as gb:
        submission = gb.find_submission(assignment, student)
        notebooks = {nb.name: {
            "penalty": nb.late_submission_penalty,
            "grades": {g.name: [g.auto_score, g.needs_manual_grade] for g in nb.grades},
            "comments": {c.name: c.auto_comment for c in nb.comments},
        } for nb in submission.notebooks}
        timestamp = submission.timestamp.isoformat() if submission.timestamp else None
        checked = gradebook.verification(gb, student, assignment)
    files = {p.relative_to(autograded).as_posix(): p.read_bytes()
             for p in sorted(autograded.rglob("*")) if p.is_file()}
    return {"report": {"status": report.status, "problems": report.problems,
                       "failed_tests": report.failed_tests},
            "notebooks": notebooks, "timestamp": timestamp, "files": files,
            "verification": {"status": checked.status, "problems": checked.problems}}


def apply(course, report, result: dict) -> None:
    """On the coordinator: write a worker's result into autograded/ and the gradebook."""
    from nbgrader.api import MissingEntry

    student, assignment = report.student, report.assignment
    target = course.root / "autograded" / student / assignment
    shutil.rmtree(target, ignore_errors=True)
    for name, data in result["files"].items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    with gradebook.opened(course.db_url) as gb:
        gb.update_or_create_student(student)
        try:
            gb.remove_submission(assignment, student)
        except MissingEntry:
            pass
        timestamp = datetime.datetime.fromisoformat(result["timestamp"]) if result["timestamp"] else None
        submission = gb.add_submission(assignment, student, timestamp=timestamp)
        for notebook in submission.notebooks:
            theirs = result["notebooks"].get(notebook.name, {})
            notebook.late_submission_penalty = theirs.get("penalty")
            for grade in notebook.grades:
                grade.auto_score, grade.needs_manual_grade = theirs.get("grades", {}).get(grade.name, [None, True])
            for comment in notebook.comments:
                comment.auto_comment = theirs.get("comments", {}).get(comment.name)
        gb.db.commit()
        # Last: this record is what makes the submission count as graded.
        gradebook.record(gb, student, assignment, result["verification"]["status"],
                         result["verification"]["problems"])
    report.status = result["report"]["status"]
    report.problems = list(result["report"]["problems"])
    course._fill_scores(report)
    report.failed_tests.update({g: m for g, m in result["report"]["failed_tests"].items()
                                if m.startswith(("withdrawn: ", "unverified: "))})


class _Completed:
    """Reports in the order their tasks finish, with a length for the progress bar."""

    def __init__(self, futures: dict, course):
        self.futures, self.course = futures, course

    def __len__(self) -> int:
        return sum(len(reports) for reports in self.futures.values())

    def __iter__(self):
        from distributed import as_completed

        for future in as_completed(list(self.futures)):
            try:
                results = future.result()
                self.course.warm_kernels_used += results["warm_kernels"]
                results = results["submissions"]
            except Exception as exc:  # noqa: BLE001 - one task's failure is its own
                results = exc
            for report in self.futures[future]:
                try:
                    if isinstance(results, Exception):
                        raise results
                    apply(self.course, report, results[report.student])
                except Exception as exc:  # noqa: BLE001 - one submission's failure is its own
                    report.status = "failed"
                    why = str(exc).strip().splitlines()
                    report.problems.append(f"grading failed on the worker ({type(exc).__name__}"
                                           f"{': ' + why[0][:160] if why else ''}); it is graded again by the next run")
                yield report


def _client(jobs: int, cluster: str | None):
    from distributed import Client, LocalCluster

    if cluster:
        try:
            return Client(cluster, timeout="15s")
        except (OSError, TimeoutError) as exc:
            raise ClusterUnavailable(f"cannot reach the Dask scheduler at {cluster} ({type(exc).__name__})") from None
    # One thread per worker process: a worker grades one notebook at a time, and the
    # notebook's kernel and checks are processes of their own.
    local = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                         silence_logs=logging.ERROR)
    return Client(local)


def grade_all(course, reports: list, *, jobs: int, cluster: str | None, progress: bool) -> None:
    from grading.instructor.pipeline import _progress

    client = _client(jobs, cluster)
    course.warm_kernels_used = 0
    try:
        workers = jobs if not cluster else len(client.scheduler_info().get("workers", {})) or 1
        futures = {client.submit(grade_task, task_for(course, group[0].assignment, [r.student for r in group]),
                                 pure=False, key=f"grade-{group[0].assignment}-{group[0].student}-{id(group)}"): group
                   for group in chunks(reports, workers)}
        for _ in _progress(_Completed(futures, course), "autograde", enabled=progress):
            pass
    finally:
        cluster_object = client.cluster
        client.close()
        if cluster_object is not None:
            cluster_object.close()
