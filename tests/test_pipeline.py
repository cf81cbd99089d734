"""The instructor pipeline end to end on ex01, with sample submissions good and bad.

One course folder is graded once for the whole module (nbgrader is slow to start);
each test then asserts one thing about the outcome.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grading.authoring import samples
from grading.instructor import demo
from grading.instructor.pipeline import Course, PipelineError

# One xdist worker runs this whole module (make test runs -n auto): its module fixtures are costly to build twice.
pytestmark = pytest.mark.xdist_group("pipeline")

ASSIGNMENT = "ex01_graphs"
ROOT = Path(__file__).resolve().parent.parent


def cell(notebook, grade_id):
    return next(c for c in notebook.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def submit(course: Course, student: str, notebook=None, text: str | None = None) -> None:
    folder = course.root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    if text is not None:
        (folder / f"{ASSIGNMENT}.ipynb").write_text(text)
    else:
        nbformat.write(notebook, folder / f"{ASSIGNMENT}.ipynb")


def mutant(name: str) -> samples.Mutant:
    return next(m for m in samples.mutants(ASSIGNMENT) if m.name == name)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("course"), cell_timeout=8)
    release_path = course.release([ASSIGNMENT])[0]
    release = nbformat.read(release_path, as_version=4)
    correct = samples.fill(release, ASSIGNMENT)
    submit(course, "correct", correct)
    submit(course, "onepath", samples.fill(release, ASSIGNMENT, mutant("dy_dw_by_hand_one_path")))
    submit(course, "addgraph", samples.fill(release, ASSIGNMENT, mutant("build_graph_adds_instead_of_multiplies")))
    submit(course, "broken", text='{"cells": [')

    deleted = samples.fill(release, ASSIGNMENT)
    deleted.cells.remove(cell(deleted, "test_count_paths_counts_every_edge_path"))
    submit(course, "deleter", deleted)

    edited = samples.fill(release, ASSIGNMENT)
    cell(edited, "test_build_graph_values").source = "pass  # trust me"
    submit(course, "editor", edited)

    killer = samples.fill(release, ASSIGNMENT)
    cell(killer, "dy_dw_autograd").source += "\nimport os\nos._exit(1)"
    submit(course, "killer", killer)

    hanger = samples.fill(release, ASSIGNMENT)
    cell(hanger, "backward_node_names").source += "\nwhile True:\n    pass"
    submit(course, "hanger", hanger)

    noisy = samples.fill(release, ASSIGNMENT)
    # Reading .grad of a non-leaf warns on stderr; so does warnings.warn. Neither may cost points.
    cell(noisy, "dy_dw_by_hand").source += (
        "\nimport warnings\n_t = (torch.ones(1, requires_grad=True) * 2)\n_t.grad\n"
        "warnings.warn('a student warning')\nimport sys\nprint('to stderr', file=sys.stderr)\n"
        "from grading.checking.strategies import hidden_seed\nprint('HIDDEN SEED', hidden_seed(101))")
    submit(course, "noisy", noisy)

    tamper = samples.fill(release, ASSIGNMENT, mutant("dy_dw_by_hand_one_path"))
    # A wrong answer, plus every comparison patched to succeed inside the kernel.
    cell(tamper, "dy_dw_by_hand").source += (
        "\nimport math\ntorch.allclose = lambda *a, **k: True\ntorch.equal = lambda *a, **k: True\n"
        "math.isclose = lambda *a, **k: True")
    submit(course, "tamper", tamper)

    # The notebook an editor other than JupyterLab leaves: every cell's nbgrader metadata gone.
    # It once made verification fail for the whole run, so that "tamper" kept 18/18.
    stripped = samples.fill(release, ASSIGNMENT)
    for c in stripped.cells:
        c.metadata.pop("nbgrader", None)
    submit(course, "stripped", stripped)

    # Edited elsewhere: new cell ids and no nbgrader metadata at all, and a wrong answer.
    regenerated = samples.fill(release, ASSIGNMENT, mutant("dy_dw_by_hand_one_path"))
    for index, c in enumerate(regenerated.cells):
        c["id"] = f"vscode-{index:03d}"
        c.metadata.pop("nbgrader", None)
    submit(course, "regenerated", regenerated)

    # A graded cell the source never had, and a test cell whose points were raised.
    greedy = samples.fill(release, ASSIGNMENT)
    bonus = nbformat.v4.new_code_cell("pass")
    bonus.metadata["nbgrader"] = {"grade": True, "grade_id": "bonus", "points": 50, "locked": False,
                                  "solution": False, "schema_version": 3}
    greedy.cells.append(bonus)
    cell(greedy, "test_build_graph_values").metadata.nbgrader["points"] = 20
    submit(course, "greedy", greedy)

    # Right in the kernel, but crashes wherever it is checked out of process: its points
    # cannot be verified, so they are withheld and the submission is flagged, alone.
    evader = samples.fill(release, ASSIGNMENT)
    cell(evader, "dy_dw_by_hand").source += (
        "\n_honest = dy_dw_by_hand\n"
        "def dy_dw_by_hand(w, x):\n"
        "    import os, sys\n"
        "    if 'ipykernel' not in sys.modules:\n"
        "        os._exit(3)\n"
        "    return _honest(w, x)")
    submit(course, "evader", evader)

    snoop = samples.fill(release, ASSIGNMENT)
    cell(snoop, "build_graph").source += (
        f"\ntry:\n    SECRET = open({str(ROOT / 'solutions' / 'ex01_graphs.py')!r}).read()\n"
        "except OSError as exc:\n    SECRET = repr(exc)\nprint('SNOOPED:', SECRET[:60])")
    submit(course, "snoop", snoop)

    # Kernels are started ahead of their notebooks: each must still be fresh, and its own.
    # "snoop" is graded just before "stripped", whose kernel (and folder) exist by then.
    cell(snoop, "build_graph").source += (
        f"\nfor _target in {[str(course.root / 'autograded' / s / ASSIGNMENT / 'pwned.txt') for s in ('stripped', 'correct')]!r}:"
        "\n    try:\n        open(_target, 'w').write('pwned')\n        print('WROTE', _target)"
        "\n    except OSError as exc:\n        print('REFUSED', type(exc).__name__)")
    submit(course, "snoop", snoop)
    for student in ("noisy", "snoop"):
        folder = course.root / "submitted" / student / ASSIGNMENT
        notebook = nbformat.read(folder / f"{ASSIGNMENT}.ipynb", 4)
        cell(notebook, "build_graph").source += (
            "\nimport sys as _sys\nprint('LEFT BY ANOTHER:', getattr(_sys, '_left_by', None))"
            f"\n_sys._left_by = {student!r}\nprint('LEFT BEHIND' if 'LEFT_BEHIND' in globals() else 'CLEAN GLOBALS')"
            "\nLEFT_BEHIND = True")
        nbformat.write(notebook, folder / f"{ASSIGNMENT}.ipynb")

    # A module of the student's beside the notebook, named like one the kernel imports
    # before it answers: the kernel must import the real one (and the notebook then uses it).
    shadow = course.root / "submitted" / "shadow" / ASSIGNMENT
    submit(course, "shadow", samples.fill(release, ASSIGNMENT))
    (shadow / "torch.py").write_text("import os\nos._exit(7)\n")
    (shadow / "torchviz.py").write_text("import os\nos._exit(7)\n")

    reports = {r.student: r for r in course.autograde(progress=False)}
    return course, reports, release


def test_release_has_no_solutions_or_hidden_tests(graded):
    course, _, release = graded
    text = json.dumps(release)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "raise NotImplementedError()" in cell(release, "build_graph").source
    assert "hidden_seed(101)" not in text  # a hidden test's input
    assert 'grade(\\"ex01_graphs\\", \\"test_build_graph_values\\")' in text


def test_correct_submission_gets_full_marks(graded):
    _, reports, _ = graded
    assert reports["correct"].status == "graded"
    assert reports["correct"].score == reports["correct"].max_score == 18


def test_each_mistake_loses_exactly_its_points(graded):
    _, reports, _ = graded
    assert reports["onepath"].score == 18 - 3
    assert set(reports["onepath"].failed_tests) == {"test_dy_dw_by_hand_matches_autograd"}
    assert "path through b" in reports["onepath"].failed_tests["test_dy_dw_by_hand_matches_autograd"]
    assert reports["addgraph"].score == 18 - 2 - 3


def test_invalid_json_is_reported_and_scores_zero(graded):
    _, reports, _ = graded
    report = reports["broken"]
    assert report.status == "failed" and report.score == 0 and report.max_score == 18
    assert any("not a valid notebook" in p for p in report.problems)


def test_deleted_test_cell_is_reported_and_scores_zero(graded):
    _, reports, _ = graded
    assert reports["deleter"].score == 18 - 3
    assert any("test_count_paths_counts_every_edge_path was deleted" in p for p in reports["deleter"].problems)


def test_edited_test_cell_is_graded_with_the_original(graded):
    _, reports, _ = graded
    assert any("test_build_graph_values was edited" in p for p in reports["editor"].problems)
    assert reports["editor"].score == 18


def test_dead_kernel_fails_the_remaining_tests_only(graded):
    _, reports, _ = graded
    report = reports["killer"]
    # build_graph's two tests and dy_dw_by_hand's ran before the kernel died in dy_dw_autograd's cell.
    assert report.score == 2 + 3 + 3
    assert all("kernel died in cell dy_dw_autograd" in m for m in report.failed_tests.values())
    assert set(report.failed_tests) == {"test_dy_dw_autograd_matches_autograd",
                                        "test_dy_dw_autograd_leaves_callers_grads_alone",
                                        "test_backward_node_names_matches_graph",
                                        "test_count_paths_counts_every_edge_path"}


def test_hung_cell_fails_the_remaining_tests_and_never_passes_them(graded):
    _, reports, _ = graded
    report = reports["hanger"]
    assert report.score == 18 - 3 - 3
    assert "time limit" in report.failed_tests["test_count_paths_counts_every_edge_path"]


def test_warnings_and_stderr_in_student_cells_do_not_zero_test_cells(graded):
    _, reports, _ = graded
    assert reports["noisy"].score == 18, reports["noisy"].failed_tests


def test_each_student_gets_hidden_inputs_of_their_own(graded):
    """The hidden cells draw from a seed of the student's and the assignment's, recorded in the
    autograded notebook; the kernel sees exactly that seed, and so one student's hidden cases are
    not another's."""
    from grading import settings
    from grading.checking import strategies

    course, _, _ = graded
    recorded = {}
    for student in ("correct", "noisy"):
        notebook = nbformat.read(course.root / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
        recorded[student] = notebook.metadata["autograd_course"]["hidden_inputs_seed"]
        assert recorded[student] == settings.seed_for(student, ASSIGNMENT)
    assert recorded["correct"] != recorded["noisy"]

    notebook = nbformat.read(course.root / "autograded" / "noisy" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    printed = "".join(o.get("text", "") for o in cell(notebook, "dy_dw_by_hand").outputs)
    seen = int(re.search(r"HIDDEN SEED (\d+)", printed).group(1))
    os.environ["GRADING_STUDENT_SEED"] = str(recorded["noisy"])
    try:
        assert seen == strategies.hidden_seed(101) != 101
    finally:
        del os.environ["GRADING_STUDENT_SEED"]


def test_patched_comparisons_in_the_kernel_earn_nothing(graded):
    _, reports, _ = graded
    report = reports["tamper"]
    assert report.score == 18 - 3
    assert any("passed in the notebook but fails when its functions are graded out of process" in p
               for p in report.problems)


def test_a_stripped_notebook_does_not_switch_verification_off_for_the_others(graded):
    _, reports, _ = graded
    assert reports["stripped"].score == 18  # repaired, then graded on its answers
    assert reports["tamper"].score == 18 - 3 and reports["tamper"].status == "graded"
    for name, report in reports.items():
        assert not any("did not complete" in p for p in report.problems), (name, report.problems)
    verified = {name for name, r in reports.items() if r.status == "graded"}
    assert verified == set(reports) - {"broken", "evader"}, {n: r.status for n, r in reports.items()}


def test_points_that_cannot_be_verified_are_withheld_and_flagged(graded):
    from grading.instructor import gradebook

    course, reports, _ = graded
    report = reports["evader"]
    assert report.status == "unverified"
    assert report.score == 18 - 3
    assert report.failed_tests["test_dy_dw_by_hand_matches_autograd"].startswith("unverified: ")
    assert any(p.startswith("unverified: 1 test(s)") for p in report.problems)
    with gradebook.opened(course.db_url) as gb:
        grade = gb.find_grade("test_dy_dw_by_hand_matches_autograd", ASSIGNMENT, ASSIGNMENT, "evader")
        assert grade.auto_score == 0 and grade.needs_manual_grade
        assert not gradebook.verification(gb, "evader", ASSIGNMENT).verified
        assert gradebook.verification(gb, "tamper", ASSIGNMENT).verified


def test_unverified_submissions_are_left_out_of_the_grades_and_named_in_the_report(graded, tmp_path):
    from grading.instructor import report

    course, _, _ = graded
    csv_path, left_out = course.export_csv(tmp_path / "grades.csv")
    assert [(v.student, v.assignment) for v in left_out] == [("evader", ASSIGNMENT)]
    students = [line.split(",")[3] for line in csv_path.read_text().splitlines()[1:]]
    assert "evader" not in students and "tamper" in students and "correct" in students
    report.write_report(course, tmp_path / "report")
    text = (tmp_path / "report" / "report.md").read_text()
    assert "## Unverified submissions" in text and "| evader | ex01_graphs |" in text
    assert "| tamper |" not in text


def test_notebooks_edited_outside_jupyterlab_are_matched_back_and_score_their_answers(graded):
    course, reports, _ = graded
    stripped, regenerated = reports["stripped"], reports["regenerated"]
    assert stripped.score == 18 and stripped.problems[0].startswith("repaired: nbgrader metadata restored on 12 cell(s)")
    assert "by cell id" in stripped.problems[0]
    assert regenerated.score == 18 - 3 and "12 by position" in regenerated.problems[0]
    assert set(regenerated.failed_tests) == {"test_dy_dw_by_hand_matches_autograd"}
    kept = course.root / "submitted" / "regenerated" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb.orig"
    assert "vscode-000" in kept.read_text()  # the notebook as submitted is kept


def test_a_cell_claiming_points_the_source_never_gave_earns_nothing(graded):
    _, reports, _ = graded
    report = reports["greedy"]
    assert report.score == report.max_score == 18
    assert "cell test_build_graph_values claimed 20 points; graded for the source's 2" in report.problems
    assert any("claiming to be bonus worth 50 points matches no cell" in p for p in report.problems)


def test_kernel_cannot_read_the_solutions(graded):
    from grading.runtime import sandbox

    course, reports, _ = graded
    if not sandbox.enabled():
        pytest.skip("no sandbox on this machine: " + str(sandbox.unavailable_reason()))
    notebook = nbformat.read(course.root / "autograded" / "snoop" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    printed = "".join(o.get("text", "") for o in cell(notebook, "build_graph").outputs)
    assert "SNOOPED:" in printed and "BEGIN SOLUTION" not in printed and "Error" in printed
    assert reports["snoop"].score == 18


def printed_by(course: Course, student: str, grade_id: str) -> str:
    notebook = nbformat.read(course.root / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    return "".join(o.get("text", "") for o in cell(notebook, grade_id).outputs)


def test_kernels_are_started_ahead_and_each_notebook_gets_a_fresh_one(graded):
    """Every notebook nbgrader ran after the first got the kernel started for it while the one
    before was graded, and no kernel had run another student's code."""
    course, reports, _ = graded
    ran = [s for s in sorted(reports) if (course.root / "autograded" / s / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()]
    assert len(ran) >= 10
    assert course.warm_kernels_used == len(ran) - (ran[0] == sorted(reports)[0])
    for student in ("noisy", "snoop"):
        printed = printed_by(course, student, "build_graph")
        assert "LEFT BY ANOTHER: None" in printed and "CLEAN GLOBALS" in printed, printed


def test_a_kernel_started_ahead_cannot_write_in_another_students_folder(graded):
    from grading.runtime import sandbox

    course, reports, _ = graded
    if not sandbox.enabled():
        pytest.skip("no sandbox on this machine: " + str(sandbox.unavailable_reason()))
    printed = printed_by(course, "snoop", "build_graph")
    assert printed.count("REFUSED") == 2 and "WROTE" not in printed, printed
    assert not list((course.root / "autograded").glob("*/*/pwned.txt"))
    assert reports["stripped"].score == 18


def test_modules_beside_the_notebook_cannot_stand_in_for_those_the_kernel_preloads(graded):
    _, reports, _ = graded
    assert reports["shadow"].status == "graded" and reports["shadow"].score == 18, reports["shadow"].failed_tests


def test_second_run_resumes_and_force_regrades(graded):
    course, _, _ = graded
    again = course.autograde(students=["correct", "onepath"], progress=False)
    assert {r.status for r in again} == {"skipped"}
    assert {r.student: r.score for r in again} == {"correct": 18, "onepath": 15}
    forced = course.autograde(students=["onepath"], force=True, progress=False)
    assert forced[0].status == "graded" and forced[0].score == 15


def test_autograde_refuses_a_second_concurrent_run(graded):
    course, _, _ = graded
    lock = course.root / ".autograde.lock"
    lock.write_text(str(os.getppid()))  # a live process holds it
    try:
        with pytest.raises(PipelineError, match="another autograde is running"):
            course.autograde(progress=False)
    finally:
        lock.unlink()
    lock.write_text("999999999")  # a dead one: the lock is stale and is taken over
    assert course.autograde(students=["correct"], progress=False)[0].status == "skipped"
    assert not lock.exists()


def test_unknown_assignment_or_student_is_one_clear_error(graded):
    course, _, _ = graded
    with pytest.raises(PipelineError, match="unknown assignment ex99"):
        course.autograde(["ex99"], progress=False)
    with pytest.raises(PipelineError, match="unknown student nobody"):
        course.autograde(students=["nobody"], progress=False)


def test_feedback_shows_hidden_results_but_not_their_code(graded):
    course, _, _ = graded
    pages = course.feedback(students=["onepath", "addgraph", "correct"], progress=False)
    assert len(pages) == 3
    page = (course.root / "feedback" / "onepath" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "path through b" in page
    assert "hidden_seed(102)" not in page and "BEGIN HIDDEN TESTS" not in page
    assert "hidden tests ran here" in page


def test_feedback_embeds_the_graph_picture_of_a_failed_graph_check(graded):
    course, _, _ = graded
    page = (course.root / "feedback" / "addgraph" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "graph differs from the reference" in page
    assert re.search(r'<img [^>]*src="data:image/png;base64,', page)


def test_grades_csv_and_report(graded, tmp_path):
    from grading.instructor import report

    course, _, _ = graded
    csv_path, _ = course.export_csv(tmp_path / "grades.csv")
    rows = csv_path.read_text().splitlines()
    assert rows[0].startswith("assignment,") and any(",correct," in r and ",18.0,18.0" in r for r in rows)
    written = report.write_report(course, tmp_path / "report")
    names = {p.name for p in written}
    assert {"score_distribution.png", "pass_rates.png", "frequent_mistakes.png", "report.md"} <= names
    for path in written:
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "path through b" in (tmp_path / "report" / "report.md").read_text()


def course_cli(*args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "grading.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600, env=env)


def test_cli_reports_bad_input_in_one_line(graded, tmp_path):
    course, _, _ = graded
    missing = course_cli("autograde", "--course", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    unknown = course_cli("autograde", "ex99", "--course", str(course.root))
    assert unknown.returncode == 2 and "unknown assignment ex99" in unknown.stderr
    student = course_cli("feedback", "--student", "nobody", "--course", str(course.root))
    assert student.returncode == 2 and "unknown student nobody" in student.stderr
    lock = course.root / ".autograde.lock"
    lock.write_text(str(os.getppid()))
    try:
        busy = course_cli("autograde", "--course", str(course.root))
    finally:
        lock.unlink()
    assert busy.returncode == 2 and "another autograde is running" in busy.stderr
    assert len(busy.stderr.strip().splitlines()) == 1


def test_cli_autograde_will_not_run_submissions_outside_the_sandbox(graded):
    """Without bubblewrap, autograde stops before it grades or writes anything, and says how
    to go on (a student's own `course check` goes on with a warning instead)."""
    course, _, _ = graded
    notebook = course.root / "autograded" / "correct" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    before = notebook.stat().st_mtime_ns
    no_bwrap = dict(os.environ, PATH=os.path.dirname(sys.executable))
    no_bwrap.pop("GRADING_SANDBOX", None)
    refused = course_cli("autograde", "--course", str(course.root), "--student", "correct", "--force",
                         env=no_bwrap)
    assert refused.returncode == 2, refused.stderr[-500:]
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert "bubblewrap (bwrap) is not installed" in refused.stderr and "GRADING_SANDBOX=off" in refused.stderr
    assert notebook.stat().st_mtime_ns == before
    assert course.autograde(students=["correct"], progress=False)[0].status == "skipped"


def test_cli_autograde_takes_another_database(graded, tmp_path):
    course, _, _ = graded
    db = tmp_path / "elsewhere.db"
    result = course_cli("autograde", "--course", str(course.root), "--db", f"sqlite:///{db}",
                        "--student", "correct", "--quiet")
    assert result.returncode == 0, result.stderr[-500:]
    assert db.exists() and "18 / 18" in result.stdout
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db}") as gb:
        assert gb.find_submission(ASSIGNMENT, "correct").score == 18


def test_cli_grades_writes_csv_and_report(graded, tmp_path):
    course, _, _ = graded
    result = course_cli("grades", "--course", str(course.root), "--out", str(tmp_path / "out" / "grades.csv"))
    assert result.returncode == 0, result.stderr
    assert "left out (unverified" in result.stderr and "evader/ex01_graphs" in result.stderr
    assert (tmp_path / "out" / "grades.csv").exists()
    assert (tmp_path / "out" / "report" / "pass_rates.png").exists()


def test_demo_scores_every_sample_as_expected(tmp_path, capsys):
    assert demo.run(tmp_path / "demo", assignments=[ASSIGNMENT], progress=False) == 0
    out = capsys.readouterr().out
    assert "every sample scored exactly as expected" in out
    assert re.search(r"ex01_graphs\s+correct\s+\(none\)\s+18 / 18\s+18\s+yes", out)


def test_an_honest_submission_whose_verification_timed_out_is_withheld_then_verified_later(tmp_path, monkeypatch):
    """Fail closed, not zeroed for good: the next run verifies it and it is exported."""
    course = Course(tmp_path / "course", cell_timeout=8)
    release = nbformat.read(course.release([ASSIGNMENT])[0], as_version=4)
    submit(course, "honest", samples.fill(release, ASSIGNMENT))
    monkeypatch.setenv("GRADING_VERIFY_TIMEOUT_S", "0.01")
    first = course.autograde(progress=False)[0]
    assert first.status == "unverified" and first.score == 0
    assert any("stopped after 0.01 s" in p for p in first.problems), first.problems
    csv_path, left_out = course.export_csv(tmp_path / "grades.csv")
    assert [v.student for v in left_out] == ["honest"] and ",honest," not in csv_path.read_text()

    monkeypatch.delenv("GRADING_VERIFY_TIMEOUT_S")
    second = course.autograde(progress=False)[0]  # not skipped: unverified counts as not graded
    assert second.status == "graded" and second.score == 18
    csv_path, left_out = course.export_csv(tmp_path / "grades.csv")
    assert left_out == [] and any(",honest," in r and ",18.0,18.0" in r for r in csv_path.read_text().splitlines())


def test_stock_nbgrader_in_a_course_folder_scores_like_course(tmp_path):
    """The course folder's nbgrader_config.py carries the course's settings."""
    import shutil

    stock = Course(tmp_path / "stock", cell_timeout=8)
    release = nbformat.read(stock.release([ASSIGNMENT])[0], as_version=4)
    for student, wrong in (("correct", None), ("onepath", "dy_dw_by_hand_one_path"),
                           ("addgraph", "build_graph_adds_instead_of_multiplies")):
        submit(stock, student, samples.fill(release, ASSIGNMENT, mutant(wrong) if wrong else None))
    config = (stock.root / "nbgrader_config.py").read_text()
    assert "grading.instructor.preprocessors.GuardedExecute" in config and "c.Execute.timeout = 8" in config
    shutil.copytree(stock.root, tmp_path / "ours")
    ours = Course(tmp_path / "ours", cell_timeout=8)

    nbgrader = Path(sys.executable).with_name("nbgrader")
    run = subprocess.run([str(nbgrader), "autograde", ASSIGNMENT], cwd=stock.root, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    by_stock = {row["student"]: row["score"] for row in stock.grades()}
    by_course = {r.student: r.score for r in ours.autograde(progress=False)}
    assert by_stock == by_course == {"correct": 18, "onepath": 15, "addgraph": 13}
