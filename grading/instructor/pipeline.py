"""The instructor pipeline: nbgrader, driven headless, one step per method.

A :class:`Course` is an nbgrader course folder (``source/``, ``release/``,
``submitted/``, ``autograded/``, ``feedback/`` and the gradebook). Each step calls
nbgrader's own API; this module adds only what nbgrader leaves to the instructor:
checking submissions before grading (broken JSON, deleted or edited test cells),
resuming, a lock against two runs at once, progress, and a report of what happened.
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import nbformat
from nbgrader.utils import is_grade, temp_attrs

from grading import settings
from grading.instructor import gradebook, preprocessors, verification
from grading.settings import COURSE_ID, COURSE_ROOT, Limits


# What every autograde kernel runs first: warnings go to stderr, and nbgrader zeroes a
# test cell with any stderr output.
_KERNEL_LINES = ['import warnings; warnings.simplefilter("ignore")']


# What an autograde kernel imports before it answers: what every notebook imports first.
KERNEL_PRELOAD = ["torch", "torchviz", "grading.students.kernel"]


def _exec_lines(lines: list[str]) -> str:
    return f"--IPKernelApp.exec_lines={lines!r}"


@dataclass
class _Launch:
    """How one submission's kernel is started (what ``Course._launched`` sets on nbgrader's config)."""

    cwd: Path
    seed: int
    extra_arguments: list[str]
    kernel_name: str | None = None
    warm: bool = False  # whether it can be started ahead (its kernel is known before nbgrader reads the notebook)
    jupyter_path: str | None = None
    sockets: str | None = None

    def close(self) -> None:
        if self.sockets:
            shutil.rmtree(self.sockets, ignore_errors=True)


class PipelineError(RuntimeError):
    """A problem the instructor must fix; the message is one line."""


@dataclass
class SubmissionReport:
    """What happened to one student's assignment."""

    student: str
    assignment: str
    status: str = "pending"  # graded, unverified, skipped, failed
    score: float = 0.0
    max_score: float = 0.0
    problems: list[str] = field(default_factory=list)
    failed_tests: dict[str, str] = field(default_factory=dict)  # grade_id -> message

    @property
    def key(self) -> tuple[str, str]:
        return self.student, self.assignment


def _quiet_nbgrader():
    import logging
    import warnings

    # nbgrader's gradebook trips SQLAlchemy's autoflush warnings; they are not ours to fix.
    warnings.filterwarnings("ignore", module="nbgrader")
    warnings.filterwarnings("ignore", message=".*not in session.*")

    for name in ("traitlets", "nbgrader", "NbGraderAPI", "Autograde", "GenerateAssignment", "GenerateFeedback"):
        logging.getLogger(name).setLevel(logging.ERROR)


class Course:
    """An nbgrader course folder driven through nbgrader's API."""

    def __init__(self, root: str | Path, *, db_url: str | None = None, cell_timeout: int = 60,
                 notebooks: Path | None = None, kernel_name: str | None = None):
        self.root = Path(root).resolve()
        self.notebooks = Path(notebooks or COURSE_ROOT / "notebooks")
        self.db_url = db_url or f"sqlite:///{self.root / 'gradebook.db'}"
        self.cell_timeout = cell_timeout
        self.kernel_name = kernel_name
        self.graders = settings.graders_folder()
        self._api = None
        self.warm_kernels_used = 0  # by the last serial autograde: notebooks whose kernel was started ahead

    # ------------------------------------------------------------ set-up
    def assignments(self) -> list[str]:
        """Every module that has a source notebook."""
        return sorted(p.stem for p in self.notebooks.glob("ex[0-9][0-9]_*.ipynb"))

    def check_assignments(self, names: Iterable[str] | None) -> list[str]:
        known = self.assignments()
        names = list(names or known)
        unknown = [n for n in names if n not in known]
        if unknown:
            raise PipelineError(f"unknown assignment {', '.join(unknown)} (known: {', '.join(known)})")
        return names

    def config(self):
        from traitlets.config import Config

        c = Config()
        c.CourseDirectory.root = str(self.root)
        c.CourseDirectory.course_id = COURSE_ID
        c.CourseDirectory.db_url = self.db_url
        c.Execute.timeout = self.cell_timeout
        c.Execute.interrupt_on_timeout = True
        # A graded kernel is never reused: kill it rather than ask it to shut down (0.8 s a
        # notebook). Its sandbox launcher's folder is swept by the next launch and after the run.
        c.Execute.shutdown_kernel = "immediate"
        # Warnings go to stderr, and nbgrader zeroes a test cell with any stderr output.
        c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR",
                                     _exec_lines(_KERNEL_LINES)]
        if self.kernel_name:
            c.Execute.kernel_name = self.kernel_name
        c.Autograde.autograde_preprocessors = preprocessors.autograde_preprocessors()
        c.GenerateFeedback.preprocessors = preprocessors.feedback_preprocessors()
        c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
        return c

    @property
    def api(self):
        if self._api is None:
            from nbgrader.apps import NbGraderAPI
            from nbgrader.coursedir import CourseDirectory

            _quiet_nbgrader()
            gradebook.venv_on_path()
            config = self.config()
            self._api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
            self._api.log.setLevel("ERROR")
        return self._api

    def write_nbgrader_config(self) -> Path:
        """``nbgrader_config.py`` in the course folder, with the course's settings, so
        that stock ``nbgrader autograde``, ``generate_feedback`` and ``formgrader`` run
        there behave like ``course``: the same preprocessors (by name), warnings filter,
        timeout and sandboxed kernel. (Stock nbgrader does not run the out-of-process
        verification: only ``course autograde`` fails closed.)"""
        from grading.runtime import sandbox

        c = self.config()
        lines = [
            "# Written by `course` (grading.instructor.pipeline.Course.write_nbgrader_config) on every release",
            "# and autograde: stock nbgrader run in this folder then grades as `course` does.",
            "import os",
            "",
            "c = get_config()  # noqa: F821 (nbgrader provides it)",
        ]
        for section, key in (("CourseDirectory", "course_id"), ("CourseDirectory", "db_url"),
                             ("Execute", "timeout"), ("Execute", "interrupt_on_timeout"), ("Execute", "shutdown_kernel"),
                             ("Execute", "extra_arguments"), ("Autograde", "autograde_preprocessors"),
                             ("GenerateFeedback", "preprocessors"), ("ClearSolutions", "code_stub")):
            lines.append(f"c.{section}.{key} = {c[section][key]!r}")
        if self.kernel_name:
            lines.append(f"c.Execute.kernel_name = {self.kernel_name!r}")
        elif sandbox.enabled():
            prefix = self.root / ".kernels"
            name = sandbox.install_kernelspec(prefix, readable=[self.graders], writable=[],
                                              writable_cwd_under=[self.root / "autograded"], limits=Limits.from_env(),
                                              preload=KERNEL_PRELOAD)
            digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:8]
            sockets = Path(tempfile.gettempdir()) / f"gk-{digest}"
            lines += [
                "",
                "# Each notebook's kernel runs in the grading sandbox, writing only in its own folder,",
                "# on IPC sockets (no network). The socket folder's path must be short.",
                f"os.environ['JUPYTER_PATH'] = os.pathsep.join(filter(None, [{str(prefix)!r}, "
                "os.environ.get('JUPYTER_PATH')]))",
                f"os.makedirs({str(sockets)!r}, mode=0o700, exist_ok=True)",
                f"c.Execute.kernel_name = {name!r}",
                "c.KernelManager.transport = 'ipc'",
                f"c.KernelManager.ip = {str(sockets / 'k')!r}",
            ]
        path = self.root / "nbgrader_config.py"
        text = "\n".join(lines) + "\n"
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
        return path

    def sync_sources(self) -> None:
        """Copy each source notebook into nbgrader's source/<assignment>/ layout."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.write_nbgrader_config()
        for name in self.assignments():
            target = self.root / "source" / name / f"{name}.ipynb"
            source = self.notebooks / f"{name}.ipynb"
            if not target.exists() or target.read_bytes() != source.read_bytes():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)

    def check_gradebook(self) -> None:
        """Fail in one line, before anything is done, when the database cannot be opened."""
        with gradebook.opened(self.db_url):
            pass

    # ------------------------------------------------------------ release
    def release(self, assignments: Iterable[str] | None = None) -> list[Path]:
        """nbgrader generate_assignment: solutions and hidden tests removed."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.check_gradebook()
        self.sync_sources()
        released = []
        for name in self.check_assignments(assignments):
            result = self.api.generate_assignment(name, force=True, create=True)
            if not result["success"]:
                raise PipelineError(f"generate_assignment {name} failed: {_last_line(result)}")
            released.append(self.root / "release" / name / f"{name}.ipynb")
        return released

    # ------------------------------------------------------------ submissions
    def submissions(self, assignments: Iterable[str] | None = None,
                    students: Iterable[str] | None = None) -> list[tuple[str, str]]:
        """(student, assignment) pairs found under submitted/, filtered."""
        submitted = self.root / "submitted"
        if not submitted.is_dir():
            raise PipelineError(f"no submissions: {submitted} does not exist")
        wanted = self.check_assignments(assignments)
        found = sorted((s.name, a.name) for s in submitted.iterdir() if s.is_dir()
                       for a in s.iterdir() if a.is_dir() and a.name in wanted)
        if students:
            known = {s for s, _ in found}
            unknown = [s for s in students if s not in known]
            if unknown:
                raise PipelineError(f"unknown student {', '.join(unknown)} (no folder in {submitted})")
            found = [(s, a) for s, a in found if s in set(students)]
        return found

    def repair(self, student: str, assignment: str) -> list[str]:
        """Give a notebook edited outside JupyterLab its released nbgrader metadata back
        (grading.instructor.repair); the notebook as submitted is kept beside it as .orig."""
        from grading.instructor import repair

        path = self.root / "submitted" / student / assignment / f"{assignment}.ipynb"
        release = self.root / "release" / assignment / f"{assignment}.ipynb"
        try:
            original = path.read_text(encoding="utf-8")
            submitted = nbformat.reads(original, as_version=4)
            released = nbformat.read(release, as_version=4)
        except Exception:  # a missing or broken notebook is inspect()'s to report
            return []
        problems = repair.repair(submitted, released)
        submitted.nbformat_minor = max(submitted.nbformat_minor, released.nbformat_minor)
        repaired = nbformat.writes(submitted)
        if nbformat.reads(repaired, as_version=4) != nbformat.reads(original, as_version=4):
            backup = path.with_name(path.name + ".orig")
            if not backup.exists():
                backup.write_text(original, encoding="utf-8")
            path.write_text(repaired, encoding="utf-8")
        return problems

    def inspect(self, student: str, assignment: str) -> list[str]:
        """Problems nbgrader would grade silently or choke on, in words for the report."""
        folder = self.root / "submitted" / student / assignment
        source = nbformat.read(self.root / "source" / assignment / f"{assignment}.ipynb", as_version=4)
        expected = {c.metadata.nbgrader.grade_id: c for c in source.cells if is_grade(c)}
        path = folder / f"{assignment}.ipynb"
        if not path.exists():
            return [f"{path.name} is missing from the submission: every test scores 0"]
        try:
            submitted = nbformat.reads(path.read_text(encoding="utf-8", errors="replace"), as_version=4)
        except Exception as exc:  # nbformat raises several kinds for broken files
            return [f"{path.name} is not a valid notebook ({type(exc).__name__}: {str(exc).splitlines()[0][:120]}): "
                    "every test scores 0"]
        problems = []
        seen: dict[str, int] = {}
        for cell in submitted.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id in expected:
                seen[grade_id] = seen.get(grade_id, 0) + 1
                if cell.source.strip() != preprocessors.public_part(expected[grade_id].source).strip() \
                        and seen[grade_id] == 1 and "### BEGIN HIDDEN TESTS" not in cell.source:
                    problems.append(f"test cell {grade_id} was edited: graded with the original")
        for grade_id in expected:
            if grade_id not in seen:
                problems.append(f"test cell {grade_id} was deleted: it scores 0")
            elif seen[grade_id] > 1:
                problems.append(f"test cell {grade_id} appears {seen[grade_id]} times: graded once")
        return problems

    # ------------------------------------------------------------ autograde
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """One autograde at a time on a course folder."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / ".autograde.lock"
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            pid = path.read_text().strip() or "?"
            if pid.isdigit() and not _alive(int(pid)):
                path.unlink(missing_ok=True)  # left by a run that was killed
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            else:
                raise PipelineError(f"another autograde is running on {self.root} (pid {pid}); "
                                    f"wait for it, or remove {path} if it is stale") from None
        try:
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            yield
        finally:
            path.unlink(missing_ok=True)

    def is_graded(self, student: str, assignment: str) -> bool:
        """Graded and verified: an unverified submission is graded again."""
        from nbgrader.api import MissingEntry

        if not (self.root / "autograded" / student / assignment).is_dir():
            return False
        with gradebook.opened(self.db_url) as gb:
            try:
                gb.find_submission(assignment, student)
            except MissingEntry:
                return False
            return gradebook.verification(gb, student, assignment).verified

    def autograde(self, assignments: Iterable[str] | None = None, students: Iterable[str] | None = None,
                  *, force: bool = False, progress: bool = True, jobs: int = 1,
                  cluster: str | None = None,
                  verifier: "verification.Verifier | None" = None) -> list[SubmissionReport]:
        """nbgrader autograde over every submission, resumable and robust to broken ones.

        ``jobs`` > 1 grades that many submissions at once on a local Dask cluster;
        ``cluster`` (``tcp://HOST:PORT``) sends them to a running Dask scheduler. Either
        way each submission is graded whole on one worker (grading.instructor.distributed), and
        only this process writes the gradebook. ``verifier``: a running verification process
        to use (a Dask worker keeps one for all its tasks) instead of a new one.
        """
        from grading.runtime import sandbox

        # Before anything is written, here and on each Dask worker; and for every process
        # started while it runs.
        with sandbox.required_for_autograde():
            return self._autograde(assignments, students, force=force, progress=progress, jobs=jobs,
                                   cluster=cluster, verifier=verifier)

    def _autograde(self, assignments, students, *, force: bool, progress: bool, jobs: int,
                   cluster: str | None, verifier: "verification.Verifier | None") -> list[SubmissionReport]:
        from grading.runtime import sandbox

        self.check_gradebook()
        self.sync_sources()
        pairs = self.submissions(assignments, students)
        reports = {pair: SubmissionReport(*pair) for pair in pairs}
        with self.lock():
            self._ensure_released({a for _, a in pairs})
            todo = []
            for pair in pairs:
                if not force and self.is_graded(*pair):
                    reports[pair].status = "skipped"
                    self._fill_scores(reports[pair])
                else:
                    todo.append(reports[pair])
            for report in todo:
                # Until its verification is recorded, this submission counts as not graded:
                # a run killed at any moment from here on leaves it to be graded again.
                with gradebook.opened(self.db_url) as gb:
                    gradebook.record(gb, report.student, report.assignment, gradebook.UNVERIFIED,
                                     ["its grading did not finish"])
            if jobs <= 1 and cluster is None:
                with contextlib.ExitStack() as stack:
                    if verifier is None:
                        verifier = stack.enter_context(verification.Verifier(self.graders))
                    if todo:
                        verifier.start_soon()  # it warms up while the first notebook is graded
                    self._grade_serially(todo, verifier, progress)
            elif todo:
                from grading.instructor import distributed

                distributed.grade_all(self, todo, jobs=jobs, cluster=cluster, progress=progress)
        if todo:
            sandbox.sweep_kernel_folders()  # the last kernels' launchers were killed, not shut down
        return [reports[pair] for pair in pairs]

    def _grade_serially(self, todo: list[SubmissionReport], verifier: "verification.Verifier",
                        progress: bool) -> None:
        """Grade one submission after another, with the waits overlapped: the next
        submission's kernel starts while this one's runs (grading.instructor.warm_kernels),
        and this one's verification runs while the next one's kernel does."""
        from grading.instructor import warm_kernels

        with warm_kernels.pool() as pool, contextlib.ExitStack() as cleanup:
            launches: dict[tuple[str, str], _Launch] = {}

            def launch(report: SubmissionReport) -> _Launch:
                if report.key not in launches:
                    launches[report.key] = self._launch_for(report.student, report.assignment)
                    cleanup.callback(launches[report.key].close)
                return launches[report.key]

            pending = []  # (report, its verification) graded but not yet settled: at most one

            def settle(wait: bool) -> None:
                if pending and (wait or pending[0][1] is None or pending[0][1].ready()):
                    report, checked = pending.pop()
                    self._settle(report, checked)
                    _finished(report, enabled=progress)

            for index, report in enumerate(_progress(todo, "autograde", enabled=progress)):
                current = launch(report)
                if index + 1 < len(todo):
                    following = launch(todo[index + 1])
                    with self._launched(following):
                        if following.warm:
                            pool.prestart(kernel_name=following.kernel_name, cwd=str(following.cwd),
                                          extra_arguments=following.extra_arguments, config=self.api.config)
                # The one before is settled as soon as its verdicts are in, between this one's cells
                # (an error there is raised once nbgrader is done, not into its run).
                errors = []
                with preprocessors.between_cells(lambda: _catching(errors, settle, wait=False)):
                    started = self._execute(report, current)
                if errors:
                    raise errors[0]
                settle(wait=True)
                pending.append((report, self._begin_verification(report, verifier) if started else None))
                current.close()
            settle(wait=True)
            self.warm_kernels_used = pool.taken

    def _execute(self, report: SubmissionReport, launch: "_Launch") -> bool:
        """nbgrader autograde in the submission's kernel; whether it graded the notebook."""
        student, assignment = report.student, report.assignment
        report.problems = self.repair(student, assignment) + self.inspect(student, assignment)
        # notebook_id names the one notebook: nbgrader then replaces the autograded notebook
        # without removing its folder, which the kernel (started ahead) has open in its sandbox.
        with self._launched(launch), temp_attrs(self.api.coursedir, notebook_id=assignment):
            result = self.api.autograde(assignment, student, force=True, create=True)
        if result["success"]:
            self._record_seed(student, assignment, launch.seed)
            return True
        report.status = "failed"
        report.problems.append(f"nbgrader could not grade it: {_last_line(result)}")
        shutil.rmtree(launch.cwd, ignore_errors=True)  # as nbgrader's own failure handling leaves it
        self._zero(student, assignment)
        return False

    def _begin_verification(self, report: SubmissionReport, verifier: "verification.Verifier"):
        # Every point the kernel awarded is checked out of process before
        # the submission counts as graded (grading.instructor.verification).
        return verification.Pending(self, verifier, report.student, report.assignment)

    def _settle(self, report: SubmissionReport, pending: "verification.Pending | None") -> None:
        checked = pending.finish() if pending is not None else None
        if checked:
            report.status = "graded" if checked.verified else "unverified"
            report.problems.extend(checked.problems)
        self._fill_scores(report)
        if checked:
            report.failed_tests.update({g: f"withdrawn: {m}" for g, m in checked.withdrawn.items()})
            report.failed_tests.update({g: f"unverified: {m}" for g, m in checked.unverified.items()})

    def _record_seed(self, student: str, assignment: str, seed: int) -> None:
        """Write the seed into the autograded notebook, so that its hidden inputs can be replayed."""
        path = self.root / "autograded" / student / assignment / f"{assignment}.ipynb"
        try:
            notebook = nbformat.read(path, as_version=4)
        except Exception:  # noqa: BLE001 - nothing to record in a notebook nbgrader could not write
            return
        notebook.metadata["autograd_course"] = {"hidden_inputs_seed": seed}
        nbformat.write(notebook, path)

    def _launch_for(self, student: str, assignment: str) -> "_Launch":
        """How this submission's kernel starts: in the sandbox, seeing only its own folder.

        The kernel reads the public graders (for ``grade()``) and writes only in its
        autograded folder, which is emptied now (nbgrader's ``--force`` would); it runs
        under the grading limits, on IPC sockets so that it needs no network, and draws
        this student's hidden inputs (grading.checking.strategies). Without the sandbox
        (or with kernel_name set) the configured kernel runs, and sandbox.enabled() has
        already warned once.
        """
        from grading.runtime import sandbox

        folder = self.root / "autograded" / student / assignment
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        seed = settings.seed_for(student, assignment)
        lines = _KERNEL_LINES + [f'import os; os.environ["GRADING_STUDENT_SEED"] = "{seed}"']
        arguments = [_exec_lines(lines) if a.startswith("--IPKernelApp.exec_lines=") else a
                     for a in self.api.config.Execute.extra_arguments]
        if self.kernel_name or not sandbox.enabled():
            # The kernel the notebook's metadata names is known only once nbgrader reads it.
            return _Launch(folder, seed, arguments, kernel_name=self.kernel_name, warm=bool(self.kernel_name))
        prefix = self.root / ".kernels"
        name = sandbox.install_kernelspec(prefix, readable=[self.graders], writable=[folder], limits=Limits.from_env(),
                                          preload=KERNEL_PRELOAD)
        # IPC sockets: the kernel needs no network at all. Their path must be absolute
        # (the kernel runs in another folder) and short (a socket path has ~100 bytes).
        return _Launch(folder, seed, arguments, kernel_name=name, warm=True,
                       jupyter_path=sandbox.kernel_environment(prefix)["JUPYTER_PATH"],
                       sockets=tempfile.mkdtemp(prefix="gk-"))

    @contextlib.contextmanager
    def _launched(self, launch: "_Launch") -> Iterator[None]:
        """nbgrader's config (and JUPYTER_PATH) set to start ``launch``'s kernel, for the block."""
        config = self.api.config
        saved_arguments = list(config.Execute.extra_arguments)
        saved_path = os.environ.get("JUPYTER_PATH")
        config.Execute.extra_arguments = launch.extra_arguments
        if launch.jupyter_path:
            os.environ["JUPYTER_PATH"] = launch.jupyter_path
        if launch.kernel_name and not self.kernel_name:
            config.Execute.kernel_name = launch.kernel_name
        if launch.sockets:
            config.KernelManager.transport = "ipc"
            config.KernelManager.ip = os.path.join(launch.sockets, "k")
        try:
            yield
        finally:
            config.Execute.extra_arguments = saved_arguments
            if launch.kernel_name and not self.kernel_name:
                del config.Execute["kernel_name"]
            if launch.sockets:
                del config.KernelManager["transport"]
                del config.KernelManager["ip"]
            if saved_path is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = saved_path

    def _ensure_released(self, assignments: set[str]) -> None:
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.db_url) as gb:
            missing = []
            for name in assignments:
                try:
                    gb.find_assignment(name)
                except MissingEntry:
                    missing.append(name)
        if missing:
            self.release(sorted(missing))

    def _zero(self, student: str, assignment: str) -> None:
        """Record a submission nbgrader could not grade, with every test at 0 (never passed)."""
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url) as gb:
            gb.update_or_create_student(student)
            try:
                gb.remove_submission(assignment, student)
            except Exception:
                pass
            submission = gb.add_submission(assignment, student)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    grade.auto_score = 0.0
            gb.db.commit()
        with gradebook.opened(self.db_url) as gb:
            gradebook.record(gb, student, assignment, gradebook.VERIFIED, [])  # nothing awarded to check

    def _fill_scores(self, report: SubmissionReport) -> None:
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.db_url) as gb:
            try:
                submission = gb.find_submission(report.assignment, report.student)
            except MissingEntry:
                return
            report.score = float(submission.score)
            report.max_score = float(submission.max_score)
        report.failed_tests = self.failed_tests(report.student, report.assignment)

    def failed_tests(self, student: str, assignment: str) -> dict[str, str]:
        """grade_id -> the one-line message of each failed test cell, from the autograded notebook."""
        path = self.root / "autograded" / student / assignment / f"{assignment}.ipynb"
        if not path.exists():
            return {}
        failed = {}
        for cell in nbformat.read(path, as_version=4).cells:
            if not is_grade(cell) or cell.cell_type != "code":
                continue
            meta = cell.metadata.nbgrader
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    failed[meta["grade_id"]] = f"{output.ename}: {output.evalue}".strip()[:300]
                    break
                if output.output_type == "stream" and output.name == "stderr":
                    failed[meta["grade_id"]] = f"wrote to stderr: {output.text.strip()[:200]}"
                    break
        return failed

    # ------------------------------------------------------------ feedback and grades
    def feedback(self, assignments: Iterable[str] | None = None, students: Iterable[str] | None = None,
                 progress: bool = True) -> list[Path]:
        """nbgrader generate_feedback: one HTML page per student and assignment."""
        self.check_gradebook()
        written = []
        pairs = [p for p in self.submissions(assignments, students)
                 if (self.root / "autograded" / p[0] / p[1]).is_dir()]
        for student, assignment in _progress(pairs, "feedback", enabled=progress):
            result = self.api.generate_feedback(assignment, student, force=True)
            if not result["success"]:
                raise PipelineError(f"feedback for {student}/{assignment} failed: {_last_line(result)}")
            written.extend(sorted((self.root / "feedback" / student / assignment).glob("*.html")))
        return written

    def grades(self) -> list[dict]:
        """One row per student and assignment, as nbgrader's gradebook has it, with
        whether verification confirmed it (``verified``)."""
        rows = []
        with gradebook.opened(self.db_url) as gb:
            checked = gradebook.verifications(gb)
            for assignment in gb.assignments:
                for student in gb.students:
                    try:
                        submission = gb.find_submission(assignment.name, student.id)
                    except Exception:
                        continue
                    rows.append({"assignment": assignment.name, "student": student.id,
                                 "score": float(submission.score), "max_score": float(submission.max_score),
                                 "verified": checked[(student.id, assignment.name)].verified})
        return sorted(rows, key=lambda r: (r["student"], r["assignment"]))

    def unverified(self) -> list[gradebook.Verification]:
        """Submissions whose points verification has not confirmed, with the reasons."""
        with gradebook.opened(self.db_url) as gb:
            return sorted((v for v in gradebook.verifications(gb).values() if not v.verified),
                          key=lambda v: (v.student, v.assignment))

    def export_csv(self, path: str | Path) -> tuple[Path, list[gradebook.Verification]]:
        """nbgrader's CSV export of the gradebook, without the unverified submissions
        (returned beside the path): their points are not final until a run verifies them."""
        from nbgrader.plugins import CsvExportPlugin

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        left_out = self.unverified()
        withheld = {(v.assignment, v.student) for v in left_out}
        raw = path.with_name(f".{path.name}.nbgrader")
        with gradebook.opened(self.db_url) as gb:
            CsvExportPlugin(to=str(raw)).export(gb)
        with open(raw, newline="") as source, open(path, "w", newline="") as target:
            reader = csv.DictReader(source)
            writer = csv.DictWriter(target, fieldnames=reader.fieldnames, lineterminator="\n")
            writer.writeheader()
            writer.writerows(r for r in reader if (r["assignment"], r["student_id"]) not in withheld)
        raw.unlink()
        return path, left_out


    def export_canvas(self, path: str | Path) -> tuple[Path, list[gradebook.Verification]]:
        """A gradebook CSV that Canvas imports (Grades > Import): the student columns Canvas
        requires (Student, ID, SIS User ID, SIS Login ID, Section), then one column per
        assignment, with a "Points Possible" row first. nbgrader's student id goes in SIS
        User ID and SIS Login ID, which Canvas matches on when ID is empty. An unverified
        submission's cell is left blank, which Canvas skips rather than grading."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        left_out = self.unverified()
        withheld = {(v.student, v.assignment) for v in left_out}
        with gradebook.opened(self.db_url) as gb:
            assignments = sorted(gb.assignments, key=lambda a: a.name)
            header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"] + [a.name for a in assignments]
            rows = [["Points Possible", "", "", "", ""] + [f"{a.max_score:g}" for a in assignments]]
            for student in sorted(gb.students, key=lambda s: s.id):
                name = ", ".join(filter(None, [student.last_name, student.first_name])) or student.id
                scores = []
                for assignment in assignments:
                    try:
                        submission = gb.find_submission(assignment.name, student.id)
                    except Exception:
                        scores.append("")  # nothing submitted: Canvas leaves the cell alone
                        continue
                    scores.append("" if (student.id, assignment.name) in withheld else f"{submission.score:g}")
                rows.append([name, "", student.id, student.id, ""] + scores)
        with open(path, "w", newline="") as f:
            csv.writer(f).writerows([header, *rows])
        return path, left_out


# ---------------------------------------------------------------- helpers


def _last_line(result: dict) -> str:
    """The most specific error line in nbgrader's log (the real exception, not its summary)."""
    text = "\n".join([result.get("log") or "", result.get("error") or ""]).splitlines()
    for line in reversed(text):
        stripped = line.strip()
        if re.match(r"^[\w.]*(Error|Exception|Interrupt)\b.*:", stripped) and "NbGraderException" not in stripped:
            return stripped[:300]
    for line in reversed(text):
        if line.strip().startswith("[ERROR]"):
            return line.strip()[8:][:300]
    return "unknown error"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _progress(items, label: str, enabled: bool):
    """A progress bar with an ETA on a terminal; elsewhere (CI, logs) one line per item."""
    if not enabled or not items:
        yield from items
        return
    if sys.stderr.isatty():
        from tqdm import tqdm

        yield from tqdm(items, desc=label, unit="nb", dynamic_ncols=True,
                        bar_format="{desc}: {n_fmt}/{total_fmt} {bar} {elapsed}<{remaining}")
        return
    # Not tqdm here: without a terminal it redraws its bar with carriage returns, which
    # a CI log shows as one ever-longer line. One line per notebook, with its ETA.
    started = time.monotonic()
    for index, item in enumerate(items):
        done = index
        eta = "" if not done else f", about {_duration((time.monotonic() - started) / done * (len(items) - done))} left"
        what = ("/".join(item) if isinstance(item, tuple) else
                f"{item.student}/{item.assignment}" if isinstance(item, SubmissionReport) else str(item))
        print(f"{label} {index + 1}/{len(items)}: {what}{eta}", file=sys.stderr, flush=True)
        yield item


def _catching(errors: list, function, **kwargs) -> None:
    try:
        function(**kwargs)
    except Exception as exc:  # noqa: BLE001 - kept for the caller to raise
        errors.append(exc)


def _finished(report: SubmissionReport, enabled: bool) -> None:
    """Where progress is one line per notebook, a line when a submission counts as graded."""
    if enabled and not sys.stderr.isatty():
        print(f"autograde done: {report.student}/{report.assignment} {report.status}, "
              f"{report.score:g}/{report.max_score:g}", file=sys.stderr, flush=True)


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"
