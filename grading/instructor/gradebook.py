"""The course's few additions to nbgrader's gradebook, in one place.

nbgrader's :class:`~nbgrader.api.Gradebook` holds the scores. The course adds one
table, ``course_verification``: for each submission, whether the out-of-process
verification confirmed every point the student's kernel awarded. A submission
with no row there (graded by a run that was killed before verifying it, say) counts
as unverified: it is graded again by the next run and left out of the export.
"""
from __future__ import annotations

import contextlib
import datetime
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, delete, insert, select

VERIFIED = "verified"
UNVERIFIED = "unverified"

_metadata = MetaData()
_verification = Table(
    "course_verification", _metadata,
    Column("student", String(128), primary_key=True),
    Column("assignment", String(128), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("problems", Text, nullable=False),
    Column("checked_at", DateTime, nullable=False),
)


@dataclass(frozen=True)
class Verification:
    student: str
    assignment: str
    status: str
    problems: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return self.status == VERIFIED


class GradebookUnavailable(RuntimeError):
    """The database cannot be opened; the message is one line, with no password in it."""


def shown(db_url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: show it as given
        return db_url


def venv_on_path() -> None:
    """nbgrader runs `alembic` as a program: the interpreter's bin folder must be on PATH."""
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])


@contextlib.contextmanager
def opened(db_url: str) -> Iterator["object"]:
    """nbgrader's Gradebook, with the course's table created on first use."""
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    venv_on_path()
    try:
        gb = Gradebook(db_url)
        _metadata.create_all(gb.engine)
    except ArgumentError:
        raise GradebookUnavailable(f"{shown(db_url)} is not a database URL "
                                   "(for example sqlite:///gradebook.db or postgresql://user@host/course)") from None
    except (SQLAlchemyError, ImportError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise GradebookUnavailable(f"cannot open the gradebook {shown(db_url)}: "
                                   f"{reason[0] if reason else type(exc).__name__}") from None
    with gb:
        yield gb


def awarded(gb, student: str, assignment: str) -> dict[str, float]:
    """grade_id -> the points the kernel's run awarded, for each test cell that earned some."""
    submission = gb.find_submission(assignment, student)
    return {grade.name: float(grade.auto_score) for notebook in submission.notebooks
            for grade in notebook.grades if grade.auto_score}


def withhold(gb, student: str, assignment: str, grade_ids, *, review: bool) -> None:
    """Take back the kernel's points for these test cells; ``review`` flags them as
    nbgrader's "needs manual grade", so that formgrader shows them to the instructor."""
    for grade_id in grade_ids:
        grade = gb.find_grade(grade_id, assignment, assignment, student)
        grade.auto_score = 0.0
        if review:
            grade.needs_manual_grade = True
    gb.db.commit()


def record(gb, student: str, assignment: str, status: str, problems: list[str]) -> None:
    with gb.engine.begin() as connection:
        connection.execute(delete(_verification).where(_verification.c.student == student,
                                                       _verification.c.assignment == assignment))
        connection.execute(insert(_verification).values(
            student=student, assignment=assignment, status=status, problems=json.dumps(problems),
            checked_at=datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)))


def verification(gb, student: str, assignment: str) -> Verification:
    """The recorded outcome; unverified when none was recorded."""
    with gb.engine.connect() as connection:
        row = connection.execute(select(_verification).where(
            _verification.c.student == student, _verification.c.assignment == assignment)).first()
    if row is None:
        return Verification(student, assignment, UNVERIFIED, ["its verification never completed"])
    return Verification(student, assignment, row.status, json.loads(row.problems))


def verifications(gb) -> dict[tuple[str, str], Verification]:
    """(student, assignment) -> the recorded outcome, for every submission in the gradebook."""
    with gb.engine.connect() as connection:
        rows = {(r.student, r.assignment): Verification(r.student, r.assignment, r.status, json.loads(r.problems))
                for r in connection.execute(select(_verification))}
    found = {}
    for assignment in gb.assignments:
        for submission in assignment.submissions:
            key = (submission.student.id, assignment.name)
            found[key] = rows.get(key) or Verification(*key, UNVERIFIED, ["its verification never completed"])
    return found
