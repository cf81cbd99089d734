"""``course collect ARCHIVE.zip ASSIGNMENT``: submissions downloaded from an LMS, into ``submitted/``.

Each file name is read by nbgrader's own zip_collect plugin
(:class:`~nbgrader.plugins.zipcollect.FileNameCollectorPlugin`) with the naming
of the LMS the archive came from:

- Canvas: ``doejane_12345_6789_ex01_graphs.ipynb`` (login, user id, submission
  id, the file as uploaded; ``LATE_`` after the login when late; Canvas adds
  ``-1``, ``-2`` to a file uploaded again);
- Moodle: ``Jane Doe_12345_assignsubmission_file_/ex01_graphs.ipynb`` (full name,
  participant id; older versions join the file name with ``_`` instead of ``/``).

The archive is read, never extracted, so a member named ``../x`` cannot write
anywhere; such an archive is refused whole. A student's notebook is written as
``submitted/STUDENT/ASSIGNMENT/ASSIGNMENT.ipynb``. Nothing already graded is
replaced unless ``force``; everything else that was not imported is reported.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat
from nbgrader.plugins.zipcollect import FileNameCollectorPlugin

NAMING = {
    "canvas": r"^(?:.*/)?(?P<student_id>[a-z0-9]+)_(?:LATE_)?(?P<lms_id>\d+)_(?P<submission>\d+)_(?P<file_id>[^/]+)$",
    "moodle": r"^(?:.*/)?(?P<full_name>[^/_]+)_(?P<lms_id>\d+)_assignsubmission_(?:file|onlinetext)_(?:/|_)?"
              r"(?P<file_id>[^/]+)$",
}


class CollectError(RuntimeError):
    """The archive cannot be imported at all; the message is one line."""


@dataclass
class Collected:
    imported: list[str] = field(default_factory=list)      # students written
    unchanged: list[str] = field(default_factory=list)     # the same notebook was there already
    kept: list[str] = field(default_factory=list)          # graded already, not replaced (use --force)
    problems: list[str] = field(default_factory=list)      # one line each, for the instructor


def student_id(groups: dict) -> str:
    """nbgrader's id for the student: Canvas's login, or Moodle's name made into an id."""
    if groups.get("full_name"):
        return re.sub(r"[^a-z0-9]+", "_", groups["full_name"].strip().lower()).strip("_")
    return groups["student_id"]


def _safe_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    members = []
    for info in archive.infolist():
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", info.filename):
            raise CollectError(f"refusing the archive: member {info.filename!r} points outside its folder")
        if not info.is_dir() and not path.name.startswith(".") and "__MACOSX" not in path.parts:
            members.append(info)
    return members


def collect(course, archive_path: str | Path, assignment: str, *, lms: str = "auto",
            force: bool = False) -> Collected:
    archive_path = Path(archive_path)
    if lms != "auto" and lms not in NAMING:
        raise CollectError(f"unknown LMS {lms!r} (known: auto, {', '.join(NAMING)})")
    course.check_assignments([assignment])
    if not archive_path.is_file():
        raise CollectError(f"{archive_path}: no such file")
    if not zipfile.is_zipfile(archive_path):
        raise CollectError(f"{archive_path} is not a zip archive")
    result = Collected()
    try:
        with zipfile.ZipFile(archive_path) as archive:
            members = _safe_members(archive)
            namings = list(NAMING) if lms == "auto" else [lms]
            by_student: dict[str, list[tuple[zipfile.ZipInfo, dict]]] = {}
            for info in members:
                groups = None
                for name in namings:
                    groups = FileNameCollectorPlugin(named_regexp=NAMING[name], valid_ext=[".ipynb"]).collect(
                        info.filename)
                    if groups:
                        break
                if not groups:
                    why = "not a notebook" if not info.filename.endswith(".ipynb") else "its name fits no LMS naming"
                    result.problems.append(f"{info.filename}: not matched to a student ({why})")
                    continue
                by_student.setdefault(student_id(groups), []).append((info, groups))
            for student, files in sorted(by_student.items()):
                if len(files) > 1:
                    names = ", ".join(info.filename for info, _ in files)
                    result.problems.append(f"{student}: several notebooks ({names}); none imported, "
                                           "keep one in the archive or copy it into submitted/ by hand")
                    continue
                info, _ = files[0]
                data = archive.read(info)
                try:
                    nbformat.reads(data.decode("utf-8"), as_version=4)
                except Exception as exc:  # nbformat raises several kinds for broken files
                    result.problems.append(f"{student}: {info.filename} is not a valid notebook "
                                           f"({type(exc).__name__}); not imported")
                    continue
                _write(course, student, assignment, data, force, result)
    except zipfile.BadZipFile as exc:
        raise CollectError(f"{archive_path} is a damaged zip archive ({exc})") from None
    return result


def _write(course, student: str, assignment: str, data: bytes, force: bool, result: Collected) -> None:
    target = course.root / "submitted" / student / assignment / f"{assignment}.ipynb"
    if target.exists() and target.read_bytes() == data:
        result.unchanged.append(student)
        return
    graded = (course.root / "autograded" / student / assignment).exists()
    if target.exists() and graded and not force:
        result.kept.append(student)
        result.problems.append(f"{student}: already graded, and the archive holds a different notebook; "
                               "kept the graded one (use --force to replace it, then autograde --force)")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    result.imported.append(student)
    if graded:
        result.problems.append(f"{student}: replaced a graded submission (--force); grade it again with "
                               "`course autograde --force`")
