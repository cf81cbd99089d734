"""`course collect`: LMS downloads (Canvas, Moodle) into submitted/, and what it refuses."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from grading.instructor.collect import collect
from grading.instructor.pipeline import Course

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "ex01_graphs"


def notebook(text: str = "print(1)") -> str:
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(text)]))


def archive(path: Path, files: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


@pytest.fixture
def course(tmp_path):
    (tmp_path / "course").mkdir()
    return Course(tmp_path / "course")


def submitted(course: Course, student: str) -> Path:
    return course.root / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def test_canvas_and_moodle_names_are_matched_to_students(course, tmp_path):
    zip_path = archive(tmp_path / "a.zip", {
        "doejane_12345_678901_ex01_graphs.ipynb": notebook("jane"),
        "smithbob_LATE_23456_678902_ex01_graphs-1.ipynb": notebook("bob"),
        "Ada Lovelace_34567_assignsubmission_file_/ex01_graphs.ipynb": notebook("ada"),
        "Alan Turing_45678_assignsubmission_file_my notebook.ipynb": notebook("alan"),
    })
    result = collect(course, zip_path, ASSIGNMENT)
    assert sorted(result.imported) == ["ada_lovelace", "alan_turing", "doejane", "smithbob"]
    assert result.problems == []
    assert "bob" in submitted(course, "smithbob").read_text()
    assert "ada" in submitted(course, "ada_lovelace").read_text()


def test_what_cannot_be_imported_is_reported_and_the_rest_is_imported(course, tmp_path):
    zip_path = archive(tmp_path / "a.zip", {
        "readme.txt": "hello",
        "random_name.ipynb": notebook(),
        "doejane_12345_678901_ex01_graphs.ipynb": notebook("first"),
        "doejane_12345_678999_ex01_graphs-1.ipynb": notebook("second"),
        "smithbob_23456_678902_ex01_graphs.ipynb": b"this is not json",
        "leeann_34567_678903_ex01_graphs.ipynb": notebook("ann"),
    })
    result = collect(course, zip_path, ASSIGNMENT)
    assert result.imported == ["leeann"]
    text = "\n".join(result.problems)
    assert "readme.txt: not matched to a student (not a notebook)" in text
    assert "random_name.ipynb: not matched to a student (its name fits no LMS naming)" in text
    assert "doejane: several notebooks" in text and not submitted(course, "doejane").exists()
    assert "smithbob: smithbob_23456_678902_ex01_graphs.ipynb is not a valid notebook" in text
    assert not submitted(course, "smithbob").exists()


def test_a_reimport_never_replaces_a_graded_submission_silently(course, tmp_path):
    first = archive(tmp_path / "1.zip", {"doejane_12345_1_ex01_graphs.ipynb": notebook("v1")})
    second = archive(tmp_path / "2.zip", {"doejane_12345_2_ex01_graphs.ipynb": notebook("v2")})
    assert collect(course, first, ASSIGNMENT).imported == ["doejane"]
    assert collect(course, first, ASSIGNMENT).unchanged == ["doejane"]
    (course.root / "autograded" / "doejane" / ASSIGNMENT).mkdir(parents=True)  # as autograde leaves it
    again = collect(course, second, ASSIGNMENT)
    assert again.kept == ["doejane"] and "already graded" in again.problems[0]
    assert "v1" in submitted(course, "doejane").read_text()
    forced = collect(course, second, ASSIGNMENT, force=True)
    assert forced.imported == ["doejane"] and "replaced a graded submission" in forced.problems[0]
    assert "v2" in submitted(course, "doejane").read_text()


def course_cli(*args):
    return subprocess.run([sys.executable, "-m", "grading.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


@pytest.mark.parametrize("case", ["not a zip", "escapes", "absolute", "unknown assignment", "no such file"])
def test_bad_archives_are_one_line_and_write_nothing(course, tmp_path, case):
    path = tmp_path / "a.zip"
    assignment = ASSIGNMENT
    if case == "not a zip":
        path.write_text("PK? no, just text")
    elif case == "escapes":
        archive(path, {"doejane_1_2_ex01_graphs.ipynb": notebook(), "../../evil_1_2_ex01_graphs.ipynb": notebook()})
    elif case == "absolute":
        archive(path, {"/tmp/evil_1_2_ex01_graphs.ipynb": notebook()})
    elif case == "unknown assignment":
        archive(path, {"doejane_1_2_ex01_graphs.ipynb": notebook()})
        assignment = "ex99_nothing"
    result = course_cli("collect", str(path), assignment, "--course", str(course.root))
    assert result.returncode == 2, result
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("course collect: ")
    assert not (course.root / "submitted").exists()
    assert not (tmp_path.parent / "evil_1_2_ex01_graphs.ipynb").exists()


def test_cli_collect_prints_a_summary_and_fails_when_something_was_left_out(course, tmp_path):
    zip_path = archive(tmp_path / "a.zip", {"doejane_12345_1_ex01_graphs.ipynb": notebook(), "x.txt": "?"})
    result = course_cli("collect", str(zip_path), ASSIGNMENT, "--course", str(course.root))
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == ("collect ex01_graphs: 1 imported, 0 unchanged, 0 kept (graded already), "
                                             "1 problem(s)")
    assert "x.txt: not matched to a student" in result.stdout
