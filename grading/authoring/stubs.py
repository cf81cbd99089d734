"""Exercise stubs, generated from the reference solutions.

Every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` block of ``solutions/exNN_*.py``
becomes ``raise NotImplementedError()`` in ``exercises/exNN_*.py`` (the same markers
nbgrader uses in notebooks). Stubs are never edited by hand: ``course build``
writes them and ``course build --check`` fails when they drift.
"""
from __future__ import annotations

import re
from pathlib import Path

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
_BLOCK = re.compile(rf"^([ \t]*){re.escape(BEGIN)}[^\n]*\n.*?^[ \t]*{re.escape(END)}[^\n]*\n", re.M | re.S)


class StubError(ValueError):
    pass


def make_stub(source: str, name: str = "solution") -> str:
    """The student's version of a solution module."""
    begins, ends = source.count(BEGIN), source.count(END)
    if begins != ends:
        raise StubError(f"{name}: {begins} '{BEGIN}' but {ends} '{END}'")
    if begins == 0:
        raise StubError(f"{name}: no solution blocks to remove")
    stub = _BLOCK.sub(lambda m: f"{m.group(1)}# YOUR CODE HERE\n{m.group(1)}raise NotImplementedError()\n", source)
    if BEGIN in stub or END in stub:
        raise StubError(f"{name}: a solution block is not closed on its own line")
    return stub


def solution_modules(root: Path) -> list[Path]:
    return sorted((root / "solutions").glob("ex[0-9][0-9]_*.py"))


def expected_stubs(root: Path) -> dict[Path, str]:
    """Each exercise path and the text it should have."""
    return {root / "exercises" / path.name: make_stub(path.read_text(), path.name)
            for path in solution_modules(root)}


def drifted(root: Path) -> list[str]:
    """Exercise files that differ from what the solutions generate, or should not exist."""
    problems = []
    wanted = expected_stubs(root)
    for path, text in wanted.items():
        if not path.exists():
            problems.append(f"{path.relative_to(root)} is missing")
        elif path.read_text() != text:
            problems.append(f"{path.relative_to(root)} differs from its solution's stub")
    for path in sorted((root / "exercises").glob("ex[0-9][0-9]_*.py")):
        if path not in wanted:
            problems.append(f"{path.relative_to(root)} has no solution")
    return problems


def write_stubs(root: Path) -> list[Path]:
    """Write the stubs that changed; return their paths."""
    changed = []
    for path, text in expected_stubs(root).items():
        if not path.exists() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            changed.append(path)
    return changed
