"""Every setting of the grading package in one place: the course's paths, the
limits on student code, and the ``GRADING_*`` environment variables that override them.

Variables (all optional):

=========================  ==========================================================
``GRADING_GRADERS``        the graders folder (default ``tests/graders`` of the course)
``GRADING_SANDBOX``        ``auto`` (default), ``bwrap`` (required) or ``off``
``GRADING_WALL_S``         wall-time limit of one call of student code (default 20 s)
``GRADING_CPU_S``          CPU-time limit of one call (default 60 s)
``GRADING_MEMORY_MB``      memory limit (default 4096 MB)
``GRADING_OUTPUT_BYTES``   printed output and each file written (default 8 MB)
``GRADING_PROCESSES``      processes and threads in the sandbox (default 64)
``GRADING_CELL_TIMEOUT``   seconds a notebook cell may run in autograde (default 60)
``GRADING_VERIFY_TIMEOUT_S``  seconds one submission's verification may take
``GRADING_PICTURES``       where side-by-side graph pictures are written
``GRADING_STUDENT_SEED``   the seed of a student's hidden inputs (autograde sets it)
=========================  ==========================================================

Set inside the machinery, never by users: ``GRADING_OUT_OF_PROCESS`` (the folder
the verification grades), ``GRADING_SCRATCH``, ``GRADING_SANDBOXED``,
``GRADING_SANDBOX_UID`` and ``GRADING_SANDBOX_GID`` (the worker in the sandbox).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _course_root() -> Path:
    """The folder beside this package when it holds the graders (a checkout, an editable
    install, the student bundle); for an installed wheel, the working folder or the nearest
    folder above it that holds ``tests/graders``."""
    if (PACKAGE_DIR.parent / "tests" / "graders").is_dir():
        return PACKAGE_DIR.parent
    here = Path.cwd().resolve()
    return next((p for p in (here, *here.parents) if (p / "tests" / "graders").is_dir()), here)


#: The course repository (or the student bundle) being graded.
COURSE_ROOT = _course_root()
COURSE_ID = "autograd-course"


def graders_folder() -> Path:
    """The public graders: $GRADING_GRADERS, or the course's tests/graders."""
    return Path(os.environ.get("GRADING_GRADERS") or COURSE_ROOT / "tests" / "graders")


def cell_timeout() -> int:
    return int(os.environ.get("GRADING_CELL_TIMEOUT") or 60)


def verify_timeout(cells: int) -> float:
    """Seconds one submission's verification may take: $GRADING_VERIFY_TIMEOUT_S, or
    enough for every test cell to use its calls' wall-time limits."""
    raw = os.environ.get("GRADING_VERIFY_TIMEOUT_S")
    return float(raw) if raw else 60.0 + 45.0 * cells


def student_seed() -> int | None:
    """The seed of this student's hidden inputs ($GRADING_STUDENT_SEED, set by autograde)."""
    raw = os.environ.get("GRADING_STUDENT_SEED")
    return int(raw) if raw else None


def seed_for(student: str, assignment: str) -> int:
    """A student's hidden-input seed: reproducible, different for every student and assignment."""
    import hashlib

    return int(hashlib.sha256(f"{COURSE_ID}:{assignment}:{student}".encode()).hexdigest()[:8], 16)


def pictures_folder() -> Path | None:
    """Where side-by-side graph pictures go when $GRADING_PICTURES names a folder."""
    raw = os.environ.get("GRADING_PICTURES")
    return Path(raw) if raw else None


def inside_sandbox() -> bool:
    """True in a process the sandbox started ($GRADING_SANDBOXED)."""
    return os.environ.get("GRADING_SANDBOXED") == "1"


def sandbox_ids() -> tuple[int, int] | None:
    """The uid and gid the sandboxed worker drops to ($GRADING_SANDBOX_UID/GID), if set."""
    uid, gid = os.environ.get("GRADING_SANDBOX_UID"), os.environ.get("GRADING_SANDBOX_GID")
    return (int(uid), int(gid)) if uid is not None and gid is not None else None


def scratch_folder() -> str:
    """The worker's private scratch folder ($GRADING_SCRATCH), else the working folder."""
    return os.environ.get("GRADING_SCRATCH") or os.getcwd()


def out_of_process_folder() -> str | None:
    """The submission folder the verification process grades, when in it."""
    return os.environ.get("GRADING_OUT_OF_PROCESS") or None


@dataclass(frozen=True)
class Limits:
    """What one call of student code may use. ``None`` means no limit.

    ``output_bytes`` caps what it prints and each file it writes; ``processes`` is
    how many processes and threads the sandbox may hold at once (the worker and
    torch's threads included), enforced only inside the sandbox.
    """

    wall_s: float = 20.0
    cpu_s: float | None = 60.0
    memory_mb: int | None = 4096
    output_bytes: int | None = 8 * 1024 * 1024
    processes: int | None = 64

    @classmethod
    def from_env(cls) -> "Limits":
        """Defaults, overridden by GRADING_WALL_S, GRADING_CPU_S, GRADING_MEMORY_MB, ..."""
        values = {}
        for name, kind in (("wall_s", float), ("cpu_s", float), ("memory_mb", int),
                           ("output_bytes", int), ("processes", int)):
            raw = os.environ.get(f"GRADING_{name.upper()}")
            if raw:
                values[name] = None if raw.lower() == "none" else kind(raw)
        return cls(**values)
