"""The course's nbgrader preprocessors, configurable by name like nbgrader's own.

``course`` and stock ``nbgrader`` (through the course folder's ``nbgrader_config.py``)
use the same lists: nbgrader's defaults as the installed nbgrader defines them, with
``Execute`` replaced by :class:`GuardedExecute` for autograding and
:class:`HideHiddenTests` added for feedback. An upstream change to the defaults is
therefore picked up, not lost in a copy.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Iterator

import nbformat
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader import utils as nbgrader_utils
from nbgrader.preprocessors import ClearHiddenTests, Execute, GetGrades

HIDDEN_NOTE = "# (hidden tests ran here; their code is not shown)"


_local = threading.local()


@contextlib.contextmanager
def between_cells(callback) -> Iterator[None]:
    """Call ``callback()`` after each cell this thread's GuardedExecute runs, for the block
    (the pipeline settles the previous notebook's verification as soon as it is in)."""
    previous = getattr(_local, "between_cells", None)
    _local.between_cells = callback
    try:
        yield
    finally:
        _local.between_cells = previous


def _not_run(reason: str):
    return nbformat.v4.new_output("error", ename="NotRun", evalue=reason, traceback=[f"NotRun: {reason}"])


class GuardedExecute(Execute):
    """nbgrader's Execute, except that a dead, hung or interrupted kernel ends the run.

    nbgrader would either abort the whole notebook (no grades at all) or carry on
    after an interrupt (so tests after a hang could still pass). Here every cell
    after the failure gets a NotRun error, so its tests fail, and the tests that
    ran before keep their results.
    """

    async def async_start_new_kernel(self, **kwargs):
        """Use the kernel a :mod:`grading.instructor.warm_kernels` pool started ahead for
        exactly this launch, when there is one; otherwise start one, as nbclient does."""
        from grading.instructor import warm_kernels

        pool = warm_kernels.active()
        if pool is not None:
            cwd = kwargs.get("cwd") or self.resources.get("metadata", {}).get("path") or None
            if set(kwargs) <= {"cwd"}:
                started = pool.take(warm_kernels.launch_key(self.km, cwd=cwd, extra_arguments=self._launch_arguments()))
                if started is not None:
                    self.km = started
                    return
        await super().async_start_new_kernel(**kwargs)

    # nbclient binds its sync wrapper to its own coroutine; rebind it to ours.
    start_new_kernel = run_sync(async_start_new_kernel)

    def _launch_arguments(self) -> list[str]:
        """The kernel's extra arguments as nbclient's own start would pass them."""
        arguments = list(self.extra_arguments)
        if (getattr(self.km, "ipykernel", False) and self.ipython_hist_file
                and not any(a.startswith("--HistoryManager.hist_file") for a in arguments)):
            arguments.append(f"--HistoryManager.hist_file={self.ipython_hist_file}")
        return arguments

    def preprocess(self, nb, resources=None, km=None):
        self._stopped = None
        try:
            return super().preprocess(nb, resources, km)
        except (DeadKernelError, CellTimeoutError):
            self._stopped = self._stopped or "the kernel stopped answering"
            for cell in nb.cells[self._index + 1:]:
                if cell.cell_type == "code":
                    cell.outputs = [_not_run(self._stopped)]
            return nb, resources

    def preprocess_cell(self, cell, resources, index):
        self._index = index
        if self._stopped:
            if cell.cell_type == "code":
                cell.outputs = [_not_run(self._stopped)]
            return cell, resources
        name = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"number {index}"
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._stopped = f"the kernel died in cell {name} (a crash, os._exit, or a memory or time limit)"
            cell.outputs.append(_not_run(self._stopped))
            return cell, self.resources
        except CellTimeoutError:
            self._stopped = f"cell {name} ran past the {self.timeout} s limit and ignored the interrupt"
            cell.outputs.append(_not_run(self._stopped))
            return cell, self.resources
        for output in cell.get("outputs", []):
            if output.output_type == "error" and output.ename in ("CellTimeoutError", "KeyboardInterrupt"):
                self._stopped = f"cell {name} was interrupted at the {self.timeout} s time limit"
        callback = getattr(_local, "between_cells", None)
        if callback is not None:
            callback()
        return cell, resources


class HideHiddenTests(ClearHiddenTests):
    """Feedback shows a hidden test's result and message, never its code.

    nbgrader's ClearHiddenTests cuts the hidden block from each test cell (a note
    says where it was), and an error's traceback, which quotes the failing line, is
    reduced to its one-line message.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and nbgrader_utils.is_grade(cell):
            if self._remove_hidden_test_region(cell):
                cell.source = cell.source.rstrip("\n") + "\n" + HIDDEN_NOTE
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


def public_part(source: str) -> str:
    """A test cell as students see it, cut by nbgrader's own ClearHiddenTests."""
    cell = nbformat.v4.new_code_cell(source)
    ClearHiddenTests()._remove_hidden_test_region(cell)
    return cell.source


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def autograde_preprocessors() -> list[str]:
    """nbgrader's default autograde list, with Execute guarded (dotted names)."""
    from nbgrader.converters import Autograde

    default = Autograde.class_traits()["autograde_preprocessors"].default()
    return [_name(GuardedExecute if p is Execute else p) for p in default]


def feedback_preprocessors() -> list[str]:
    """nbgrader's default feedback list, with the hidden tests hidden after GetGrades."""
    from nbgrader.converters import GenerateFeedback

    names = [_name(p) for p in GenerateFeedback.class_traits()["preprocessors"].default()]
    at = names.index(_name(GetGrades)) + 1 if _name(GetGrades) in names else 0
    return names[:at] + [_name(HideHiddenTests)] + names[at:]
