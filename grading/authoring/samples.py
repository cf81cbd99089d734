"""Sample submissions for the demo and the pipeline's tests, made from the course itself.

A sample is the released notebook with every solution cell filled in: with the
reference solution, or with one mutant from ``tests/mutants/<module>/`` in place of
the function it breaks. The mutant's ``CAUGHT_BY`` says which tests must fail, so the
score each sample should get is known in advance.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.utils import is_solution

from grading.authoring.notebooks import function_sources
from grading.runtime.targets import COURSE_ROOT


def _without_markers(code: str) -> str:
    return "\n".join(line for line in code.splitlines()
                     if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))


@dataclass(frozen=True)
class Mutant:
    path: Path
    caught_by: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.path.stem

    @classmethod
    def load(cls, path: Path) -> "Mutant":
        tree = ast.parse(path.read_text())
        caught = ()
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "CAUGHT_BY" for t in node.targets):
                caught = tuple(ast.literal_eval(node.value))
        return cls(path, caught)

    def functions(self) -> dict[str, str]:
        """name -> source of each function or class the mutant redefines, with its imports first."""
        text = self.path.read_text()
        tree = ast.parse(text)
        lines = text.splitlines()
        imports = [ast.get_source_segment(text, n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        defs = {}
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                defs[node.name] = "\n".join(imports + [""] * bool(imports) + lines[start - 1: node.end_lineno])
        return defs


def mutants(module: str, root: Path = COURSE_ROOT) -> list[Mutant]:
    return [Mutant.load(p) for p in sorted((root / "tests" / "mutants" / module).glob("*.py"))]


def fill(release: nbformat.NotebookNode, module: str, mutant: Mutant | None = None,
         root: Path = COURSE_ROOT) -> nbformat.NotebookNode:
    """The released notebook with its solution cells answered."""
    notebook = nbformat.from_dict(release)
    replaced = mutant.functions() if mutant else {}
    solutions = root / "solutions" / f"{module}.py"
    for cell in notebook.cells:
        if not is_solution(cell) or cell.cell_type != "code":
            continue
        meta = cell.metadata.nbgrader
        names = [n for n in _defined_in_source(solutions, meta["grade_id"])]
        parts = [replaced.get(n) or _without_markers(function_sources(solutions, [n])) for n in names]
        cell.source = "\n\n\n".join(parts)
    return notebook


def _defined_in_source(solutions: Path, grade_id: str) -> list[str]:
    """The functions a solution cell holds: by convention its id names them (ex: 'build_graph')."""
    source = (COURSE_ROOT / "notebooks" / f"{solutions.stem}.py").read_text()
    for line in source.splitlines():
        if line.startswith("# %% [solution]") and f"id={grade_id}" in line.split():
            for part in line.split():
                if part.startswith("from="):
                    return part[5:].split(",")
    return [grade_id]
