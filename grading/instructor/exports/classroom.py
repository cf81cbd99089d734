"""``course export classroom``: a starter repository for GitHub Classroom.

The repository is the student bundle of ``course release`` (grading/instructor/bundle.py) with
autograding added. GitHub Classroom runs ``.github/workflows/classroom.yml`` on every push
(https://docs.github.com/en/education/manage-coursework-with-github-classroom/teach-with-github-classroom/use-autograding),
one step per module with its grader action:

- ``classroom-resources/autograding-command-grader@v1``
  (https://github.com/classroom-resources/autograding-command-grader, action.yml):
  inputs ``test-name``, ``setup-command``, ``command`` ("a zero exit code signifies a
  successful test"), ``timeout`` (minutes, for the set-up and the command each) and
  ``max-score`` (read with parseInt, so whole points); output ``result``. Both commands
  run with only PATH and HOME of the environment, and nothing carries over between them,
  so each step sets up with the bundle's own ``scripts/bootstrap.sh`` (idempotent: the
  first step installs, the others find it done) and names ``.venv/bin/course``;
- ``classroom-resources/autograding-grading-reporter@v1``
  (https://github.com/classroom-resources/autograding-grading-reporter): input
  ``runners``, the step ids, and for each an env ``<ID in capitals>_RESULTS`` holding
  that step's ``result``.

The command is ``course check MODULE``, which exits 0 only when no check of the module
fails (1 when one does, 2 when it cannot run), so the module's points, the sum of its
grader's ``@pytest.mark.points``, are earned all or nothing. A GPU test skipped on a
runner without a GPU does not fail it. The same tests are also written to
``.github/classroom/autograding.json``, the format the older ``education/autograding@v1``
action reads (https://github.com/education/autograding: name, setup, run, input,
output, comparison, timeout, points), for classrooms still on that workflow.
"""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path

from grading.instructor.exports import ExportError
from grading.instructor.exports.gradescope import TORCH_INDEX

SETUP = f"TORCH_INDEX_URL={TORCH_INDEX} bash scripts/bootstrap.sh"
TIMEOUT_MINUTES = 20  # the first step installs torch; later steps find it installed
WORKFLOW = ".github/workflows/classroom.yml"
LEGACY_CONFIG = ".github/classroom/autograding.json"

GITIGNORE = """.venv/
__pycache__/
*.egg-info/
.pytest_cache/
.ipynb_checkpoints/
grading-feedback/
"""

README_SECTION = """
## Autograding

Every push runs `.github/workflows/classroom.yml` on GitHub Actions: for each module it sets
up the environment (`scripts/bootstrap.sh`), then runs `course check MODULE` on
`exercises/MODULE.py`. A module earns its points when every one of its checks passes:

{table}

Run the same command before you push: `.venv/bin/course check ex01_graphs`. If you work in
the notebooks, copy your functions into `exercises/` too: autograding grades those files.
"""


@dataclass(frozen=True)
class Test:
    module: str
    points: int

    @property
    def command(self) -> str:
        return f".venv/bin/course check {self.module}"


def grader_points(grader: Path) -> float:
    """The sum of ``@pytest.mark.points(n)`` over the grader's test functions."""
    total = 0.0
    for node in ast.parse(grader.read_text()).body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "pytest.mark.points":
                    total += float(ast.literal_eval(decorator.args[0]))
    return total


def tests(bundle: Path) -> list[Test]:
    """One test per module that the bundle has both a grader and an exercise for."""
    found = []
    for grader in sorted((bundle / "tests" / "graders").glob("test_ex[0-9][0-9]_*.py")):
        module = grader.stem.removeprefix("test_")
        if not (bundle / "exercises" / f"{module}.py").exists():
            continue
        points = grader_points(grader)
        if points != int(points):
            raise ExportError(f"{module} is worth {points:g} points; the command grader takes whole points only")
        found.append(Test(module, int(points)))
    return found


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text)


def workflow(tests: list[Test]) -> str:
    lines = [
        "# GitHub Classroom autograding, written by `course export classroom`.",
        "# https://docs.github.com/en/education/manage-coursework-with-github-classroom/teach-with-github-classroom/use-autograding",
        "# Each module is one command-grader step (https://github.com/classroom-resources/autograding-command-grader):",
        "# its points are earned when `course check MODULE` exits 0, i.e. when none of its checks fails.",
        "name: Autograding Tests",
        "\"on\":",
        "  - push",
        "  - workflow_dispatch",
        "  - repository_dispatch",
        "permissions:",
        "  checks: write",
        "  actions: read",
        "  contents: read",
        "jobs:",
        "  run-autograding-tests:",
        "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'",
        "    steps:",
        "      - name: Checkout code",
        "        uses: actions/checkout@v4",
        "      - name: Set up Python",
        "        uses: actions/setup-python@v5",
        "        with:",
        "          python-version: \"3.11\"",
    ]
    for test in tests:
        lines += [
            f"      - name: {_q(test.module)}",
            f"        id: {test.module}",
            "        uses: classroom-resources/autograding-command-grader@v1",
            "        with:",
            f"          test-name: {_q(test.module)}",
            f"          setup-command: {_q(SETUP)}",
            f"          command: {_q(test.command)}",
            f"          timeout: {TIMEOUT_MINUTES}",
            f"          max-score: {test.points}",
        ]
    lines += [
        "      - name: Autograding Reporter",
        "        uses: classroom-resources/autograding-grading-reporter@v1",
        "        env:",
        *(f"          {t.module.upper()}_RESULTS: {_q('${{steps.' + t.module + '.outputs.result}}')}" for t in tests),
        "        with:",
        f"          runners: {','.join(t.module for t in tests)}",
    ]
    return "\n".join(lines) + "\n"


def legacy_config(tests: list[Test]) -> str:
    return json.dumps({"tests": [{"name": t.module, "setup": SETUP, "run": t.command, "input": "", "output": "",
                                  "comparison": "included", "timeout": TIMEOUT_MINUTES, "points": t.points}
                                 for t in tests]}, indent=2) + "\n"


def check_out(root: Path, out: Path) -> Path:
    """``course release`` recreates its folder, so only an empty folder or an earlier export may be named."""
    out = out.resolve()
    if out.exists() and not out.is_dir():
        raise ExportError(f"--out {out} is a file; give a folder for the starter repository")
    if out == root.resolve() or out in root.resolve().parents:
        raise ExportError(f"--out {out} holds the course itself; give a new folder")
    if out.is_dir() and any(out.iterdir()) and not (out / WORKFLOW).is_file():
        raise ExportError(f"--out {out} is a folder that is not empty and not an earlier export; "
                          "give a new or empty folder")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"--out {out}: cannot create its folder ({exc.strerror or type(exc).__name__})") from None
    return out


def export(root: Path, out: Path, *, progress: bool = False) -> tuple[Path, list[Test]]:
    """Write the starter repository into ``out`` (recreated)."""
    from grading.instructor import bundle
    from grading.instructor.pipeline import PipelineError

    out = check_out(root, out)
    try:
        folder, archive = bundle.release(root, out, progress=progress)
    except PipelineError as exc:
        raise ExportError(str(exc)) from None
    archive.unlink(missing_ok=True)  # a repository is a folder; the zip is release's own
    found = tests(folder)
    if not found:
        raise ExportError("the bundle has no module with both a grader and an exercise")
    (folder / WORKFLOW).parent.mkdir(parents=True, exist_ok=True)
    (folder / WORKFLOW).write_text(workflow(found))
    (folder / LEGACY_CONFIG).parent.mkdir(parents=True, exist_ok=True)
    (folder / LEGACY_CONFIG).write_text(legacy_config(found))
    (folder / ".gitignore").write_text(GITIGNORE)
    rows = "\n".join(f"| `{t.module}` | {t.points} |" for t in found)
    with (folder / "README.md").open("a") as readme:
        readme.write(README_SECTION.format(table="| module | points |\n|---|---|\n" + rows))
    problems = bundle.leaks(root, folder)
    if problems:
        raise ExportError(f"refusing to export: {problems[0]} (and {len(problems) - 1} more)")
    return folder, found
