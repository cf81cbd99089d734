"""``course export gradescope``: a Gradescope autograder zip.

Gradescope's format (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
``setup.sh`` (run once, as root, on an Ubuntu image) and ``run_autograder`` (run for each
submission) at the root of the zip, which is extracted to /autograder/source.

The zip holds the grading package, the graders and the source notebooks with their
hidden tests (Gradescope never shows the zip to students), and never the text of
solutions/:

- each solution cell of a notebook is cleared, as nbgrader clears it for students;
- the ``@ground_truth`` references (a reference training loop *is* the solution of
  ``fit``) ship as replays, as in the student bundle (grading/instructor/bundle.py), except that
  what they replay is recorded from every test cell of the notebooks, hidden tests
  included, run on solutions/ exactly as ``run_autograder`` will run them. A test cell
  that fails there stops the export: the recording, and the autograder, would be wrong;
- every file is scanned for the solutions' lines (``bundle.secret_lines``) before the
  zip is written.

:mod:`grading.instructor.exports.autograder` is what ``run_autograder`` runs.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import stat
import sys
import tempfile
import zipfile
from pathlib import Path

from grading.authoring.stubs import BEGIN, StubError, make_stub
from grading.instructor.bundle import RECORDED, replayed_source, secret_lines
from grading.instructor.exports import ExportError, autograder

SPEC = "https://gradescope-autograders.readthedocs.io/en/latest/specs/"
TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
CLEARED = "# YOUR CODE HERE\nraise NotImplementedError()"  # nbgrader's code stub, as Course.config sets it


SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder's image
# ({spec}). It installs what run_autograder needs into a venv.
set -euo pipefail
SOURCE="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
VENV="${{AUTOGRADER_VENV:-/autograder/venv}}"

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# graphviz: the dot program draws the graphs the graph checks compare.
apt-get install -y -qq python3 python3-venv python3-pip graphviz
# bubblewrap sandboxes the student's code; grading still works (with a warning) without it.
apt-get install -y -qq bubblewrap || echo "warning: bubblewrap not installed: student code runs unsandboxed"

python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
# torch first, pinned, from the CPU index: resolving the rest then never pulls another build.
"$VENV/bin/python" -m pip install -q --index-url {torch_index} "torch=={torch}"
# The course package and its pinned dependencies; editable, so that it finds its graders here.
"$VENV/bin/python" -m pip install -q -e "$SOURCE"
"$VENV/bin/python" -c "import torch, grading.instructor.exports.autograder; print('torch', torch.__version__, 'ready')"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission ({spec}):
# the upload is in /autograder/submission, and /autograder/results/results.json must exist
# afterwards. For a local run, move any of the paths: AUTOGRADER_ROOT (default /autograder),
# or AUTOGRADER_SOURCE, AUTOGRADER_SUBMISSION, AUTOGRADER_RESULTS (a folder) one by one.
# Without setup.sh's venv, the python3 on PATH grades.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
SOURCE="${{AUTOGRADER_SOURCE:-$ROOT/source}}"
SUBMISSION="${{AUTOGRADER_SUBMISSION:-$ROOT/submission}}"
RESULTS="${{AUTOGRADER_RESULTS:-$ROOT/results}}"
VENV="${{AUTOGRADER_VENV:-$ROOT/venv}}"
if [ -x "$VENV/bin/python3" ]; then PATH="$VENV/bin:$PATH"; fi
# The references replay what they gave on a machine without a GPU, as Gradescope's are.
export CUDA_VISIBLE_DEVICES=""

mkdir -p "$RESULTS"
rm -f "$RESULTS/results.json"
( cd "$SOURCE" && PYTHONPATH="$SOURCE${{PYTHONPATH:+:$PYTHONPATH}}" python3 -m grading.instructor.exports.autograder \\
    --source "$SOURCE" --submission "$SUBMISSION" --results "$RESULTS/results.json" {assignments} )
status=$?
if [ ! -s "$RESULTS/results.json" ]; then
    # Grading did not even start (python or torch missing): Gradescope still gets a result.
    printf '{{"score": 0.0, "output": "The autograder could not run (exit status %s): ask your instructor.", "stdout_visibility": "hidden", "tests": []}}\\n' "$status" > "$RESULTS/results.json"
fi
exit 0
"""

README = """# Gradescope autograder for the autograd course

Made by `course export gradescope`. Upload this zip as the autograder of a Gradescope
programming assignment (Ubuntu base image). Students upload `exNN_topic.py` or
`exNN_topic.ipynb` for the assignments: {assignments}.

Try it locally, without setup.sh (the course's venv on PATH):

    mkdir -p /tmp/ag/submission && cp ex01_graphs.py /tmp/ag/submission/
    AUTOGRADER_ROOT=/tmp/ag AUTOGRADER_SOURCE=$PWD ./run_autograder && cat /tmp/ag/results/results.json
"""


def torch_pin(root: Path) -> str:
    match = re.search(r'"torch==([^";\s]+)"', (root / "pyproject.toml").read_text())
    if not match:
        raise ExportError("pyproject.toml has no exact \"torch==X.Y.Z\" pin")
    return match.group(1)


def assignments(root: Path, names: list[str] | None) -> list[str]:
    known = sorted(p.stem for p in (root / "notebooks").glob("ex[0-9][0-9]_*.ipynb"))
    chosen = list(names or known)
    unknown = [n for n in chosen if n not in known]
    if unknown:
        raise ExportError(f"unknown assignment {', '.join(unknown)} (known: {', '.join(known)})")
    missing = [n for n in chosen if not (root / "tests" / "graders" / f"test_{n}.py").exists()]
    if missing:
        raise ExportError(f"no grader for {', '.join(missing)} in tests/graders")
    return chosen


def cleared_notebook(path: Path) -> str:
    """The source notebook with every solution cell cleared; test cells, hidden tests included, kept."""
    import nbformat
    from nbgrader.utils import is_solution

    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if is_solution(cell):
            try:
                cell.source = make_stub(cell.source, f"{path.name} cell").rstrip("\n") if BEGIN in cell.source \
                    else CLEARED
            except StubError:
                cell.source = CLEARED
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nbformat.writes(notebook)


def record_references(root: Path, names: list[str], *, progress: bool = False) -> dict:
    """What every ``@ground_truth`` reference returns while the notebooks' test cells, hidden
    tests included, grade solutions/ (as run_autograder grades a submission)."""
    from grading.checking import record_replay

    import torch

    # Gradescope's machines have no GPU, and there a GPU test grades a simulated one (ex08): record
    # on a machine that looks the same, or the replays would not match. The worker inherits this too.
    saved = {name: os.environ.get(name) for name in ("GRADING_OUT_OF_PROCESS", "CUDA_VISIBLE_DEVICES")}
    os.environ["CUDA_VISIBLE_DEVICES"] = ""
    scratch = Path(tempfile.mkdtemp(prefix="gradescope-record-"))
    try:
        if torch.cuda.is_available() or torch.backends.mps.is_available():
            raise ExportError("a GPU is in use here, and Gradescope grades without one: export where torch sees "
                              "no GPU (CUDA_VISIBLE_DEVICES= hides CUDA GPUs; MPS cannot be hidden)")
        with record_replay.recording() as recorded:
            # All of solutions/, as a submission holds every module (ex08's imports ex07's fit).
            for path in sorted((root / "solutions").glob("ex[0-9][0-9]_*.py")):
                shutil.copyfile(path, scratch / path.name)
            for name in names:
                if progress:
                    print(f"recording the references: {name}", file=sys.stderr, flush=True)
                for cell in autograder.graded_cells(root / "notebooks" / f"{name}.ipynb"):
                    for part in autograder.run_cell(cell, scratch):
                        if part is not None and not part.passed:
                            raise ExportError(f"refusing to export: test cell {cell.grade_id} of {name} fails on "
                                              f"solutions/{name}.py: {part.message[:160]}")
            return dict(recorded)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(scratch, ignore_errors=True)


_REFERENCE_IMPORT = re.compile(r"grading\.checking\.references\.(ex\d\d_\w+)|from grading\.checking\.references import ([^\n]+)")


def reference_modules(root: Path, names: list[str]) -> list[str]:
    """The reference modules the assignments' graders and test cells import, with the ones
    those import in turn: only these ship (another module's may be half-written)."""
    texts = [(root / "tests" / "graders" / f"test_{n}.py").read_text() for n in names]
    texts += [c.public + c.hidden for n in names for c in autograder.graded_cells(root / "notebooks" / f"{n}.ipynb")]
    found: set[str] = set()
    while texts:
        for match in _REFERENCE_IMPORT.finditer(texts.pop()):
            imported = [match.group(1)] if match.group(1) else \
                [part.split(" as ")[0].strip(" ()") for part in match.group(2).split(",")]
            for module in imported:
                path = root / "grading" / "checking" / "references" / f"{module}.py"
                if module not in found and re.fullmatch(r"ex\d\d_\w+", module) and path.exists():
                    found.add(module)
                    texts.append(path.read_text())
    return sorted(found)


def replayed_references(root: Path, modules: list[str], recorded: dict) -> dict[str, bytes]:
    """The reference modules with each ``@ground_truth`` function replaced by its replay,
    and the recording they replay (grading/instructor/bundle.py does the same for the student bundle)."""
    import torch

    files, replaced = {}, set()
    for path in [root / "grading" / "checking" / "references" / f"{m}.py" for m in modules]:
        try:
            source, names = replayed_source(path.read_text())
        except ValueError as exc:
            raise ExportError(f"refusing to export: {path.name}: {exc}") from None
        files[path.relative_to(root).as_posix()] = source.encode()
        replaced |= {(f"grading.checking.references.{path.stem}", name) for name in names}
    unreplaced = sorted({(module, name) for module, name, _ in recorded} - replaced)
    if unreplaced:
        raise ExportError(f"refusing to export: recorded references the zip would still run as code: {unreplaced}")
    buffer = io.BytesIO()
    torch.save(recorded, buffer)
    files[RECORDED] = buffer.getvalue()
    return files


def contents(root: Path, names: list[str], recorded: dict) -> dict[str, bytes]:
    """zip path -> bytes of every file the autograder needs."""
    files = {"setup.sh": SETUP_SH.format(spec=SPEC, torch_index=TORCH_INDEX, torch=torch_pin(root)),
             "run_autograder": RUN_AUTOGRADER.format(spec=SPEC, assignments=" ".join(names)),
             "README.md": README.format(assignments=", ".join(names)),
             "pyproject.toml": (root / "pyproject.toml").read_text()}
    references = reference_modules(root, names)
    for path in sorted((root / "grading").rglob("*.py")):
        if "__pycache__" not in path.parts and not (path.parent.name == "references" and path.stem.startswith("ex")):
            files[path.relative_to(root).as_posix()] = path.read_text()
    for name in names:
        files[f"tests/graders/test_{name}.py"] = (root / "tests" / "graders" / f"test_{name}.py").read_text()
        files[f"notebooks/{name}.ipynb"] = cleared_notebook(root / "notebooks" / f"{name}.ipynb")
    encoded = {name: text.encode() for name, text in files.items()}
    encoded.update(replayed_references(root, references, recorded))
    return encoded


def solution_leaks(root: Path, files: dict[str, bytes]) -> list[str]:
    """Files that hold a line of solutions/ or a solution marker (hidden tests are allowed here)."""
    import nbformat

    secrets = {line: where for line, where in secret_lines(root).items() if where.startswith("solutions/")}
    problems = []
    for name, data in sorted(files.items()):
        text = data.decode(errors="replace")
        if name.endswith(".ipynb"):
            text = "\n".join(cell.source for cell in nbformat.reads(text, as_version=4).cells)
        if re.search(rf"^\s*{re.escape(BEGIN)}", text, re.M):
            problems.append(f"{name} contains the marker {BEGIN!r}")
        for line in sorted({l.strip() for l in text.splitlines()} & secrets.keys()):
            problems.append(f"{name} contains a line of {secrets[line]}: {line[:60]!r}")
    return problems


def check_out(out: Path) -> Path:
    if out.suffix != ".zip":
        raise ExportError(f"--out {out}: the autograder is a zip file; give a path ending in .zip")
    if out.is_dir():
        raise ExportError(f"--out {out} is a folder; give a path ending in .zip")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"--out {out}: cannot create its folder ({exc.strerror or type(exc).__name__})") from None
    return out


def build(root: Path, out: Path, names: list[str] | None = None, *,
          progress: bool = False) -> tuple[Path, list[str]]:
    """Write the autograder zip; return its path and the assignments it grades."""
    out = check_out(out)
    chosen = assignments(root, names)
    files = contents(root, chosen, record_references(root, chosen, progress=progress))
    problems = solution_leaks(root, files)
    if problems:
        raise ExportError(f"refusing to export: {problems[0]} (and {len(problems) - 1} more)")
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(files.items()):
            # Fixed dates make the zip reproducible; the two scripts are executable.
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            mode = 0o755 if name in ("setup.sh", "run_autograder") else 0o644
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    partial.replace(out)
    return out, chosen
