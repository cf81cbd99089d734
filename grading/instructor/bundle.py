"""``course release``: the student bundle, as a folder and a zip.

It holds the exercise stubs, the student notebooks (nbgrader's release versions:
solutions and hidden tests removed), the public graders with the grading core they
run on, the environment files and a student README. It never holds solutions/,
hidden tests, mutants or the notebook sources; ``leaks`` checks every file for
any line of those, and tests/test_cli.py proves it.

The references (grading/checking/references/) are the graders' ground truth and run in the
grader's process; those marked ``@ground_truth`` would give a solution away (ex07's
reference training loop *is* ``fit``). The bundle ships them as replays: ``release``
runs every public grader on solutions/ with the recorder on, saves what each marked
reference returned to ``grading/checking/references/recorded.pt``, and rewrites the bundle's
copy of each reference module so that a marked function returns the recorded value
for the same arguments (the record-and-replay engine: grading/checking/record_replay.py).
"""
from __future__ import annotations

import ast
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from grading.authoring.stubs import BEGIN, END

HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
# Short or generic lines (`else:`, `return y`, imports) are everywhere; a leak is a
# line that says something.
MIN_LEAK_LENGTH = 16
# Solution lines that are an idiom or the contract's own words rather than a solution, and
# that the grading core or the public graders hold for their own ends: not secret.
GENERIC_LINES = {
    # the idiom of every update without history: grading/runtime/zygote.py, the ex03 probe that edits in place
    "with torch.no_grad():",
    # CURRICULUM.md: train's b starts as zeros(1); the public ex06 grader builds such a b for its graph
    "b = torch.zeros(1, requires_grad=True)",
}
RECORDED = "grading/checking/references/recorded.pt"

STUDENT_README = """# The autograd course: student bundle

Work through the notebooks in `notebooks/`, or fill in the functions of the modules in
`exercises/` in your editor. Either way the graders give you immediate, specific feedback.

## Set up: two commands

    bash scripts/bootstrap.sh      # once: everything the course needs, in .venv
    bash scripts/lab.sh            # JupyterLab on the notebooks (sets up first if needed)

`scripts/bootstrap.sh` creates a virtual environment in `.venv`, installs torch {torch} (the
CPU build, first: a local wheel when pip finds one, else from
https://download.pytorch.org/whl/cpu; `TORCH_INDEX_URL=...` picks another index), then this
course and its dependencies, and Graphviz's `dot` program, which draws the graphs (with
apt-get when you are root or have passwordless sudo; otherwise it stops and says how:
`sudo apt-get install graphviz`, `brew install graphviz` or
`conda install -c conda-forge graphviz`). Run it again at any time: when nothing changed it
returns at once.

Why a virtual environment: Debian's and Ubuntu's Python refuse `pip install` outside one
(`error: externally-managed-environment`), and the course pins exact versions (torch's
`grad_fn` names are graded against the installed torch) that should not mix with your
system's packages. To have `course`, `jupyter` and `pytest` on your PATH, activate it:

    source .venv/bin/activate      # `deactivate` leaves it

(or call them as `.venv/bin/course`, `.venv/bin/jupyter lab`).

## Check your work

    course check ex01_graphs                           # a table of points, pass/fail and hints
    course check notebooks/ex01_graphs.ipynb           # the same, for your notebook's solution cells
    pytest tests/graders -k ex01                       # the same graders, through pytest

`course check` runs the public graders (`tests/graders`) on your module in `exercises/` (or
on the solution cells of a notebook) and prints, for each check, its points, pass or FAIL,
and one line saying what was expected, what came back and on which inputs (for a notebook,
which cell and line, counting cells as JupyterLab's status bar does). It exits with 0 when every check passes, 1 when one fails, 2 when it
cannot run. The notebook's test cells run the same checks: a passing cell prints
`✓ test_... passed (N points)`, a failing one the same one-line message. Your instructor
grades with more (hidden) tests on other inputs, so make your functions right, not just
green. A failed graph check shows (in the notebook) or writes (under `grading-feedback/`) a
picture, expected against yours. ex08 imports your ex07 `fit`; where yours is unfinished or
wrong, ex08 is graded with the course's, so each module earns its points on its own.

## The grading sandbox: bubblewrap

The graders run your code inside a [bubblewrap](https://github.com/containers/bubblewrap)
sandbox (Linux): no network, none of your files but a copy of the module folder, and limits
on time and memory, so that a mistake such as an endless loop or a stray file deletion
stays harmless. Install it with `sudo apt-get install bubblewrap` (Debian, Ubuntu;
`scripts/bootstrap.sh` does it when it can) or `sudo dnf install bubblewrap` (Fedora).
Without it (macOS, some containers) grading still works, and says once that it runs
without a sandbox.

## With conda instead

    conda env create -f environment.yml
    conda activate autograd-course
"""


def torch_pin(root: Path) -> str:
    """The exact torch version pyproject.toml pins (what scripts/bootstrap.sh installs)."""
    found = re.search(r'"torch==([^";\s]+)"', (root / "pyproject.toml").read_text())
    return found.group(1) if found else "(the version pyproject.toml pins)"


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


def release(root: Path, out: Path, *, progress: bool = True) -> tuple[Path, Path]:
    """Write the bundle folder ``out`` (recreated) and ``out``.zip."""
    from grading.instructor.pipeline import Course, PipelineError

    out = out.resolve()
    recorded = record_references(root)
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
    try:
        ship_replayed_references(out, recorded)
    except ValueError as exc:
        shutil.rmtree(out)
        raise PipelineError(f"refusing to release: {exc}") from None
    for name in ("environment.yml", "pyproject.toml", "scripts/bootstrap.sh", "scripts/lab.sh"):
        _copy(root / name, out / name)
    (out / "README.md").write_text(STUDENT_README.replace("{torch}", torch_pin(root)))
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


# ----------------------------------------------------------- recorded references


def _load_grader(path: Path):
    from grading.runtime.targets import load_file

    return load_file(path, f"_release_{path.stem}")


def record_references(root: Path) -> dict:
    """What every ``@ground_truth`` reference returns in the public graders, run on solutions/.

    Each test of tests/graders/test_exNN_*.py is called as the mutant proofs call it; a
    skipped test (a GPU test on a machine without one) records what it got to. Any failure
    stops the release: the recording would be incomplete.
    """
    import pytest

    from grading.checking import record_replay
    from grading.instructor.pipeline import PipelineError
    from grading.runtime.targets import Submission

    with record_replay.recording() as recorded:
        for path in sorted((root / "tests" / "graders").glob("test_ex[0-9][0-9]_*.py")):
            grader = _load_grader(path)
            student = Submission(grader.MODULE, root / "solutions")
            for name, test in vars(grader).items():
                if not (name.startswith("test_") and callable(test)):
                    continue
                try:
                    test(student=student)
                except pytest.skip.Exception:
                    pass
                except Exception as exc:  # noqa: BLE001 - any failure leaves the recording incomplete
                    raise PipelineError(f"refusing to release: {path.name}::{name} fails on solutions/ while "
                                        f"recording the references: {exc}") from None
        return dict(recorded)


def ship_replayed_references(out: Path, recorded: dict) -> None:
    """Rewrite the bundle's reference modules as replays and save what they replay."""
    import torch

    replaced = set()
    for path in sorted((out / "grading" / "checking" / "references").glob("ex[0-9][0-9]_*.py")):
        source, names = replayed_source(path.read_text())
        path.write_text(source)
        replaced |= {(f"grading.checking.references.{path.stem}", name) for name in names}
    unreplaced = sorted({(module, name) for module, name, _ in recorded} - replaced)
    if unreplaced:
        raise ValueError(f"recorded references that the bundle would still run as code: {unreplaced}")
    torch.save(recorded, out / RECORDED)


def _is_ground_truth(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(target, ast.Name) and target.id == "ground_truth"
            or isinstance(target, ast.Attribute) and target.attr == "ground_truth")


def replayed_source(source: str) -> tuple[str, list[str]]:
    """A reference module's source with each ``@ground_truth`` function replaced by a replay.

    The function keeps its name and docstring; its decorators, signature and body become
    ``(*args, **kwargs)`` returning the recorded result. Returns the source and the names.
    """
    tree = ast.parse(source)
    marked = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
              and any(_is_ground_truth(d) for d in node.decorator_list)]
    top = {id(node) for node in marked}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and id(node) not in top \
                and any(_is_ground_truth(d) for d in node.decorator_list):
            raise ValueError(f"@ground_truth on {node.name} (line {node.lineno}): only module-level functions "
                             "can be replayed")
    if not marked:
        return source, []
    # The references import the engine's names from their package, which re-exports grading.checking.record_replay.
    imports = [node for node in tree.body if isinstance(node, ast.ImportFrom)
               and node.module in ("grading.checking.references", "grading.checking.record_replay")
               and any(alias.name == "ground_truth" for alias in node.names)]
    if not imports:
        raise ValueError("@ground_truth is used without `from grading.checking.references import ground_truth`")
    lines = source.splitlines(keepends=True)
    edits = [(imports[0].end_lineno, imports[0].end_lineno, "from grading.checking.references import replay as _replay\n")]
    for node in marked:
        start = min(d.lineno for d in node.decorator_list)
        stub = f"def {node.name}(*args, **kwargs):\n"
        body = node.body[0]
        if isinstance(body, ast.Expr) and isinstance(body.value, ast.Constant) and isinstance(body.value.value, str):
            stub += f"    {ast.get_source_segment(source, body)}\n"
        stub += f"    return _replay(__name__, {node.name!r}, args, kwargs)\n"
        edits.append((start - 1, node.end_lineno, stub))
    # Lines [begin, end) are replaced by text; the import is an insertion after its line.
    for begin, end, text in sorted(edits, reverse=True):
        lines[begin:end] = [text]
    result = "".join(lines)
    compile(result, "<replayed reference>", "exec")
    return result, [node.name for node in marked]


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
    share (``optimizer.step()``) or one of GENERIC_LINES. A hidden-test line is secret unless the public
    graders hold the same line: what makes a hidden test hidden is what differs.
    """
    by_line: dict[str, set[str]] = {}
    for path in sorted((root / "solutions").glob("*.py")):
        for line in _block_lines(path.read_text(), BEGIN, END):
            by_line.setdefault(line, set()).add(path.name)
    secrets = {line: f"solutions/{min(names)}" for line, names in by_line.items()
               if len(names) == 1 and line not in GENERIC_LINES}
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
