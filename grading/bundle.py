"""``course release``: the student bundle, as a folder and a zip.

It holds the exercise stubs, the student notebooks (nbgrader's release versions:
solutions and hidden tests removed), the public graders with the grading core they
run on, the environment files and a student README. It never holds solutions/,
hidden tests, mutants or the notebook sources; ``leaks`` checks every file for
any line of those, and tests/test_release.py proves it.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from grading.stubs import BEGIN, END

HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
# Short or generic lines (`else:`, `return y`, imports) are everywhere; a leak is a
# line that says something.
MIN_LEAK_LENGTH = 16

STUDENT_README = """# The autograd course: student bundle

Work through the notebooks in `notebooks/`, or fill in the functions of the modules in
`exercises/` in your editor. Either way the graders give you immediate, specific feedback.

## Set up

With conda:

    conda env create -f environment.yml
    conda activate autograd-course

Or with pip (Python 3.10+): install `torch==2.13.0` first, then `pip install -e .`.
Graphviz's `dot` program draws the graphs: `sudo apt-get install graphviz`,
`brew install graphviz`, or `conda install -c conda-forge graphviz`.

## Check your work

    course check ex01_graphs                           # a table of points, pass/fail and hints
    course check notebooks/ex01_graphs.ipynb           # the same, for your notebook's solution cells
    pytest tests/graders -k ex01                       # the same graders, through pytest

The notebook's test cells run the same checks. Your instructor grades with more
(hidden) tests on other inputs, so make your functions right, not just green.
A failed graph check writes a picture, expected against yours, under `grading-feedback/`.
"""


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


def release(root: Path, out: Path, *, progress: bool = True) -> tuple[Path, Path]:
    """Write the bundle folder ``out`` (recreated) and ``out``.zip."""
    from grading.pipeline import Course, PipelineError

    out = out.resolve()
    if out.exists():
        shutil.rmtree(out)
    for path in sorted((root / "exercises").glob("ex[0-9][0-9]_*.py")):
        _copy(path, out / "exercises" / path.name)
    with tempfile.TemporaryDirectory(prefix="course-release-") as scratch:
        course = Course(Path(scratch), notebooks=root / "notebooks")
        for notebook in course.release():
            _copy(notebook, out / "notebooks" / notebook.name)
    for path in sorted((root / "tests" / "graders").glob("*.py")):
        _copy(path, out / "tests" / "graders" / path.name)
    for path in sorted((root / "grading").rglob("*.py")):
        _copy(path, out / path.relative_to(root))
    for name in ("environment.yml", "pyproject.toml", "scripts/bootstrap.sh"):
        _copy(root / name, out / name)
    (out / "README.md").write_text(STUDENT_README)
    problems = leaks(root, out)
    if problems:
        shutil.rmtree(out)
        raise PipelineError(f"refusing to release: {problems[0]} (and {len(problems) - 1} more)")
    archive = out.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(out.rglob("*")):
            if path.is_file():
                z.write(path, Path(out.name) / path.relative_to(out))
    return out, archive


def _block_lines(text: str, begin: str, end: str) -> set[str]:
    lines, inside = set(), False
    for line in text.splitlines():
        stripped = line.strip()
        if begin in stripped:
            inside = True
        elif end in stripped:
            inside = False
        elif inside and len(stripped) >= MIN_LEAK_LENGTH and not stripped.startswith(("#", "import ", "from ")):
            lines.add(stripped)
    return lines


def secret_lines(root: Path) -> dict[str, str]:
    """Every distinctive solution line and hidden-test line, with where it comes from.

    A solution line is distinctive unless it is an idiom that two modules' solutions
    share (``optimizer.step()``). A hidden-test line is secret unless the public
    graders hold the same line: what makes a hidden test hidden is what differs.
    """
    by_line: dict[str, set[str]] = {}
    for path in sorted((root / "solutions").glob("*.py")):
        for line in _block_lines(path.read_text(), BEGIN, END):
            by_line.setdefault(line, set()).add(path.name)
    secrets = {line: f"solutions/{min(names)}" for line, names in by_line.items() if len(names) == 1}
    public = set()
    for path in sorted((root / "tests" / "graders").glob("*.py")):
        public |= {l.strip() for l in path.read_text().splitlines()}
    for path in sorted((root / "notebooks").glob("ex*.py")):
        for line in _block_lines(path.read_text(), HIDDEN_BEGIN, HIDDEN_END) - public:
            secrets[line] = f"hidden tests of notebooks/{path.name}"
    return secrets


def leaks(root: Path, bundle: Path) -> list[str]:
    """Files of the bundle that hold a secret line or a solution/hidden-test marker."""
    secrets = secret_lines(root)
    problems = []
    for path in sorted(bundle.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        if path.suffix == ".ipynb":
            # JSON escapes quotes and newlines; compare the cells' own text.
            import nbformat

            text = "\n".join(cell.source for cell in nbformat.reads(text, as_version=4).cells)
        relative = path.relative_to(bundle)
        for marker in (BEGIN, HIDDEN_BEGIN):
            if marker in text and path.suffix != ".py" or re.search(rf"^\s*{re.escape(marker)}", text, re.M):
                problems.append(f"{relative} contains the marker {marker!r}")
        for line in {l.strip() for l in text.splitlines()} & secrets.keys():
            problems.append(f"{relative} contains a line of {secrets[line]}: {line[:60]!r}")
    return problems
