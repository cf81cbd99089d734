"""The Python module a notebook's solution cells make, and where each of its lines came from.

``course check`` grades a notebook through it, and autograde's verification checks each test
cell against the module made from the cells above it.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path


def lesson_parts(cell) -> list[str]:
    """What a solution may lean on from one code cell: a solution cell whole; from a
    lesson cell, its imports, functions and classes (ex08 reuses a fit defined in a
    lesson cell) and constants (EXPRESSIONS). Lesson cells are not run whole: they
    train models and time code, which grading must not repeat."""
    # Imported here, not at the top: nbgrader takes 2.5 s to import, and a .py target never needs it.
    from nbgrader import utils as nbgrader_utils

    if cell.cell_type != "code":
        return []
    if nbgrader_utils.is_solution(cell):
        return [cell.source]
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:
        return []
    parts = []
    for node in tree.body:
        keep = isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef))
        if _imports_the_course(node):
            continue
        if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
            try:
                ast.literal_eval(node.value)
                keep = True
            except ValueError:
                pass
        if keep:
            parts.append(ast.get_source_segment(cell.source, node, padded=True))
    return parts


def _imports_the_course(node: ast.stmt) -> bool:
    """An import of the grading package in a test or lesson cell: the test machinery
    (``grade``, the checks, the references), never something the student's functions use.
    Left in, every call of the module made from the notebook imported it again (0.4 s a call)."""
    if isinstance(node, ast.ImportFrom):
        names = [node.module or ""]
    elif isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        return False
    return any(name == "grading" or name.startswith("grading.") for name in names)


def module_source(parts: list[str]) -> str:
    return "\n\n\n".join(dict.fromkeys(parts)) + "\n"


@dataclass(frozen=True)
class CellLine:
    """Where a line of the module made from a notebook came from."""

    cell: int          # the cell's position in the notebook, from 1
    line: int          # the line in that cell, from 1
    name: str = ""     # a solution cell's grade_id

    def __str__(self) -> str:
        return f"cell {self.cell}" + (f" ({self.name})" if self.name else "") + f", line {self.line}"


def _first_line_in(cell_lines: list[str], part: str) -> int:
    """Where ``part`` starts in the cell (0 when it cannot be found: a solution cell is whole)."""
    lines = part.splitlines()
    for start in range(len(cell_lines) - len(lines) + 1):
        if cell_lines[start:start + len(lines)] == lines:
            return start
    return 0


def module_and_lines(notebook) -> tuple[str, dict[int, CellLine]]:
    """The module's source (as ``module_source`` joins the parts) and, for each of its lines, the cell line."""
    from nbgrader import utils as nbgrader_utils

    parts, origins = [], {}
    for number, cell in enumerate(notebook.cells, 1):
        name = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "") \
            if cell.cell_type == "code" and nbgrader_utils.is_solution(cell) else ""
        for part in lesson_parts(cell):
            parts.append(part)
            origins.setdefault(part, (number, _first_line_in(cell.source.splitlines(), part), name))
    lines: dict[int, CellLine] = {}
    at = 1
    for part in dict.fromkeys(parts):  # as module_source: each part once, three newlines apart
        number, first, name = origins[part]
        count = part.count("\n") + 1
        for k in range(count):
            lines[at + k] = CellLine(number, first + k + 1, name)
        at += count + 2
    return module_source(parts), lines


def _read_notebook(notebook_path: Path):
    import nbformat  # here: a .py target never needs it
    from nbgrader import utils as nbgrader_utils

    try:
        notebook = nbformat.read(notebook_path, as_version=4)
    except Exception as exc:
        raise ValueError(f"{notebook_path} is not a readable notebook ({type(exc).__name__})") from None
    if not any(c.cell_type == "code" and nbgrader_utils.is_solution(c) for c in notebook.cells):
        raise ValueError(f"{notebook_path.name} has no solution cells (nbgrader metadata) to check")
    return notebook


def notebook_to_module(notebook_path: Path, folder: Path) -> tuple[str, Path]:
    """Write the notebook's solution cells (and its imports) as <module>.py in ``folder``."""
    module, path, _ = notebook_to_module_with_lines(notebook_path, folder)
    return module, path


def notebook_to_module_with_lines(notebook_path: Path, folder: Path) -> tuple[str, Path, dict[int, CellLine]]:
    """``notebook_to_module``, and where each line of the module came from."""
    module = notebook_path.stem
    source, lines = module_and_lines(_read_notebook(notebook_path))
    path = folder / f"{module}.py"
    path.write_text(source)
    return module, path, lines
