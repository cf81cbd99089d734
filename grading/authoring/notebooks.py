"""nbgrader source notebooks, written as plain-text percent scripts.

``notebooks/exNN_topic.py`` is the source a reviewer reads and edits; ``course build``
turns it into ``notebooks/exNN_topic.ipynb``, the nbgrader source notebook (no
outputs), and ``course build --check`` fails when the two drift apart.

Cells start with a ``# %%`` line:

``# %% [markdown]``
    prose; each line starts with ``# `` (or is a bare ``#``).
``# %%``
    an ordinary code cell.
``# %% [solution] id=NAME from=fn_a,fn_b``
    an nbgrader solution cell. With ``from=``, its code is the source of those
    functions (or classes) in ``solutions/exNN_topic.py``, solution markers
    included, so the notebook and the module can never disagree.
``# %% [tests] id=NAME points=N``
    an nbgrader autograded test cell (locked), which may hold a
    ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` block.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat

# Why this reads the percent format itself rather than with jupytext (measured with jupytext 1.19.6,
# nbformat 5, Python 3.11, on the 10 sources of notebooks/, 4831 lines, on a shared 2-core machine):
# - jupytext cannot read these headers: `# %% [solution] id=build_graph from=build_graph` becomes the
#   title "[solution]" and {"incorrectly_encoded_metadata": "id=build_graph from=build_graph"}, since
#   its cell metadata are JSON values (`id="build_graph"`). Every header of notebooks/*.py would have
#   to change (`# %% nbgrader="tests" id="test_x" points=2`), and grading/authoring/samples.py reads
#   these same headers for `from=`: the ex10 cell `id=Cube from=Cube,cube` would lose `cube`.
# - With the headers rewritten that way (in memory), and `comment_magics` off (by default jupytext
#   turns a code line `# %timeit x` into the magic `%timeit x`), a jupytext build gave the committed
#   .ipynb byte for byte for all 10 notebooks, but took 2.2x as long: 274-302 ms against 126-130 ms
#   (best of 15), plus 0.27 s to import jupytext. It would replace only the splitting loop and
#   _attrs below: the nbgrader metadata, from=, the checks and the stable ids stay ours.
# - jupytext installs a Jupyter server extension and a JupyterLab extension, and pyproject.toml's
#   dependencies are what students install: their JupyterLab would change for a build-time need.
_HEADER = re.compile(r"^# %%(?:\s+\[(?P<kind>\w+)\])?(?P<attrs>.*)$")


class NotebookSourceError(ValueError):
    pass


def _attrs(text: str, where: str) -> dict[str, str]:
    attrs = {}
    for part in text.split():
        if "=" not in part:
            raise NotebookSourceError(f"{where}: expected key=value, got {part!r}")
        key, value = part.split("=", 1)
        attrs[key] = value
    return attrs


def function_sources(module_path: Path, names: list[str]) -> str:
    """The exact source of the named top-level functions/classes, in the order given."""
    text = module_path.read_text()
    lines = text.splitlines()
    found = {}
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            end = node.end_lineno
            # The AST ends at the last statement; a closing "### END SOLUTION" comment belongs too.
            while end < len(lines) and lines[end].startswith((" ", "\t")) and lines[end].lstrip().startswith("#"):
                end += 1
            found[node.name] = "\n".join(lines[start - 1: end])
    missing = [n for n in names if n not in found]
    if missing:
        raise NotebookSourceError(f"{module_path.name} has no {', '.join(missing)}")
    return "\n\n\n".join(found[n] for n in names)


#: The cell tag that lets JupyterLab's Run All go on past a cell that raised.
RAISES = "raises-exception"


def _nbgrader(kind: str, grade_id: str, points: str | None = None) -> dict:
    meta = {"grade_id": grade_id, "schema_version": 3, "solution": kind == "solution",
            "grade": kind == "tests", "locked": kind == "tests"}
    if kind == "tests":
        meta["points"] = float(points) if "." in points else int(points)
        return {"nbgrader": meta, "tags": [RAISES]}
    return {"nbgrader": meta}  # solution cells: tagged with the cells that use them


def _names(source: str) -> tuple[set[str], set[str]]:
    """The names a cell's code reads from the cells before it, and the names it binds for
    the cells after it (none when it does not parse). Names, not values, and not in order:
    enough to tell which cells use what a student wrote. Only the names bound at the cell's
    top level reach the cells after it; inside a function, its arguments and the names it
    assigns are its own."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(), set()
    top = _bound(tree.body)
    return _free(tree, top), top


def _bound(body: list[ast.AST]) -> set[str]:
    """The names a block binds, not counting those of the functions and classes it defines."""
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            return
        if isinstance(node, ast.Lambda):
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        for child in ast.iter_child_nodes(node):
            visit(child)

    for statement in body:
        visit(statement)
    return names


def _free(node: ast.AST, local: set[str]) -> set[str]:
    """The names ``node`` reads that are not ``local`` to where they are read."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        a = node.args
        params = {x.arg for x in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if x is not None}
        body = [node.body] if isinstance(node, ast.Lambda) else node.body
        inner = local | params | _bound(body)
        outer = [*getattr(node, "decorator_list", []), *a.defaults, *[d for d in a.kw_defaults if d is not None]]
        return set().union(*(_free(n, inner) for n in body), *(_free(n, local) for n in outer))
    if isinstance(node, ast.ClassDef):
        inner = local | _bound(node.body)
        return set().union(*(_free(n, inner) for n in node.body), *(_free(n, local) for n in node.decorator_list))
    if isinstance(node, ast.Name):
        return {node.id} if isinstance(node.ctx, ast.Load) and node.id not in local else set()
    return set().union(*(_free(child, local) for child in ast.iter_child_nodes(node)))


def _tag_cells_that_may_raise(notebook: nbformat.NotebookNode) -> None:
    """JupyterLab's Run All stops at the first cell that raises, unless the cell is tagged
    raises-exception. An unfinished function raises NotImplementedError, and a failed test
    raises, and so does a solution cell that does not compile: none of them must keep the
    student from seeing the results of the cells after it. Tagged: every solution and test
    cell (here, in _nbgrader), and every plain code cell that uses a name from a solution
    cell, or from a cell so tagged (``a, b, y = build_graph(w, x)``, then ``y.backward()``).
    nbgrader still sees each error and scores its cell 0; the other cells, the course's
    own demonstrations, stay untagged, so that one that fails still stops the run."""
    tainted: set[str] = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        read, bound = _names(cell.source)
        if meta.get("solution"):
            cell.metadata["tags"] = [RAISES]
            tainted |= bound
        elif not meta.get("grade") and read & tainted:
            cell.metadata["tags"] = [RAISES]
            tainted |= bound
        elif not meta.get("grade"):
            tainted -= bound  # bound again by a cell that cannot fail on the student's account


def parse(source: str, name: str = "notebook", solutions: Path | None = None) -> nbformat.NotebookNode:
    """Build the nbgrader source notebook from a percent script."""
    cells: list[tuple[str, dict, list[str], int]] = []
    for number, line in enumerate(source.splitlines(), 1):
        match = _HEADER.match(line)
        if match:
            cells.append((match.group("kind") or "code", _attrs(match.group("attrs"), f"{name}:{number}"), [], number))
        elif cells:
            cells[-1][2].append(line)
        elif line.strip() and not line.startswith("#"):
            raise NotebookSourceError(f"{name}:{number}: code before the first '# %%' cell")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata.update({
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })
    ids: set[str] = set()
    for kind, attrs, body, number in cells:
        where = f"{name}:{number}"
        text = "\n".join(body).strip("\n")
        if kind == "markdown":
            lines = []
            for line in text.splitlines():
                if line.strip() == "#":
                    lines.append("")
                elif line.startswith("# "):
                    lines.append(line[2:])
                else:
                    raise NotebookSourceError(f"{where}: markdown lines must start with '# '")
            notebook.cells.append(nbformat.v4.new_markdown_cell("\n".join(lines)))
            continue
        if kind == "code":
            notebook.cells.append(nbformat.v4.new_code_cell(text))
            continue
        if kind not in ("solution", "tests"):
            raise NotebookSourceError(f"{where}: unknown cell kind [{kind}]")
        grade_id = attrs.get("id")
        if not grade_id or grade_id in ids:
            raise NotebookSourceError(f"{where}: every [{kind}] cell needs a unique id=")
        ids.add(grade_id)
        if kind == "solution" and "from" in attrs:
            if solutions is None:
                raise NotebookSourceError(f"{where}: from= needs the solutions module")
            pulled = function_sources(solutions, attrs["from"].split(","))
            text = f"{text}\n\n\n{pulled}".strip("\n") if text else pulled
        if kind == "tests" and "points" not in attrs:
            raise NotebookSourceError(f"{where}: a [tests] cell needs points=")
        cell = nbformat.v4.new_code_cell(text, metadata=_nbgrader(kind, grade_id, attrs.get("points")))
        notebook.cells.append(cell)
    _tag_cells_that_may_raise(notebook)
    # Stable ids keep the generated file identical from one build to the next.
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"{name}-{index:02d}"
    return notebook


def build(source_path: Path, root: Path) -> str:
    """The .ipynb text for one notebook source."""
    module = source_path.stem
    solutions = root / "solutions" / f"{module}.py"
    notebook = parse(source_path.read_text(), module, solutions if solutions.exists() else None)
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


def sources(root: Path) -> list[Path]:
    return sorted((root / "notebooks").glob("ex[0-9][0-9]_*.py"))


def drifted(root: Path) -> list[str]:
    problems = []
    for path in sources(root):
        target = path.with_suffix(".ipynb")
        if not target.exists():
            problems.append(f"{target.relative_to(root)} is missing")
        elif target.read_text() != build(path, root):
            problems.append(f"{target.relative_to(root)} differs from {path.name}")
    return problems


def write(root: Path) -> list[Path]:
    changed = []
    for path in sources(root):
        target = path.with_suffix(".ipynb")
        text = build(path, root)
        if not target.exists() or target.read_text() != text:
            target.write_text(text)
            changed.append(target)
    return changed
