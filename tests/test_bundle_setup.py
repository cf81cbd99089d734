"""The student bundle sets itself up from its zip with one command. SLOW: about 3 minutes.

`course release` into a temporary folder, its zip unpacked into an empty folder, then, there:
`bash scripts/bootstrap.sh` (a venv, torch's CPU build first, the course's dependencies; the
optional system packages are left alone: BOOTSTRAP_NO_APT=1), and `course check` on a stub
module (fails, exit 1, one line per check) and on a solved one (passes, exit 0). Torch comes
from a local wheel when pip finds one (this machine's --find-links), else from the CPU index;
either way it must be the CPU build, with no CUDA packages.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TORCH = "2.13.0"

# One xdist worker runs this whole module (make test runs -n auto): its module fixtures are costly to build twice.
pytestmark = [
    pytest.mark.xdist_group("bundle_setup"),
    pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed (apt-get install graphviz)"),
    pytest.mark.timeout(1800),
]


def run(argv: list[str], cwd: Path, timeout: int = 900, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout, env={**clean, **env})


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory, student_release) -> Path:
    """The released zip (built once for the run: tests/conftest.py), unpacked into an empty
    folder, and set up there with its own script."""
    out = student_release
    empty = tmp_path_factory.mktemp("unzipped")
    assert list(empty.iterdir()) == []
    with zipfile.ZipFile(out.with_suffix(".zip")) as archive:
        archive.extractall(empty)
    bundle = empty / "student"
    assert not (bundle / "solutions").exists() and not (bundle / ".venv").exists()
    # A fresh shell's PATH: nothing of this repository's venv.
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    started = time.monotonic()
    # PIP_NO_COMPILE only saves time (no .pyc files written at install); what is installed is the same.
    setup = run(["bash", "scripts/bootstrap.sh"], bundle, BOOTSTRAP_NO_APT="1", PATH=path, PIP_NO_COMPILE="1")
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    print(f"bootstrap in the bundle: {time.monotonic() - started:.0f} s")
    bundle.joinpath(".setup-output").write_text(setup.stdout)
    return bundle


def test_the_bundle_readme_starts_with_the_two_commands(unpacked):
    readme = (unpacked / "README.md").read_text()
    setup = readme.index("## Set up")
    assert setup < readme.index("## Check your work") < readme.index("## The grading sandbox")
    first = readme[setup:readme.index("\n\n", readme.index("bash scripts/lab.sh"))]
    assert "bash scripts/bootstrap.sh" in first and "bash scripts/lab.sh" in first
    for needed in ("externally-managed-environment", "source .venv/bin/activate", "course check ex01_graphs",
                   "bubblewrap", "sudo apt-get install bubblewrap", f"torch {TORCH}",
                   "https://download.pytorch.org/whl/cpu"):
        assert needed in readme, needed


def test_bootstrap_installs_the_cpu_torch_and_the_bundles_own_course(unpacked):
    python = unpacked / ".venv" / "bin" / "python"
    probe = ("import json, torch, grading; from importlib import metadata\n"
             "print(json.dumps([torch.__version__, torch.version.cuda, grading.__file__,"
             " sorted(d.metadata['Name'] for d in metadata.distributions()"
             " if d.metadata['Name'].lower().startswith('nvidia'))]))")
    result = run([str(python), "-c", probe], unpacked)
    assert result.returncode == 0, result.stderr
    import json

    version, cuda, package, nvidia = json.loads(result.stdout)
    assert version.split("+")[0] == TORCH and cuda is None and nvidia == [], (version, cuda, nvidia)
    assert Path(package).resolve().is_relative_to(unpacked.resolve())
    output = (unpacked / ".setup-output").read_text()
    assert output.index("installing torch") < output.index("installing autograd-course"), output
    assert "next:" in output and "bash scripts/lab.sh" in output
    again = run(["bash", "scripts/bootstrap.sh"], unpacked, BOOTSTRAP_NO_APT="1")
    assert again.returncode == 0 and "up to date" in again.stdout, again.stdout + again.stderr
    lab = run(["bash", "scripts/lab.sh", "--version"], unpacked, timeout=120)
    assert lab.returncode == 0 and lab.stdout.strip().splitlines()[-1].startswith("4."), lab.stdout + lab.stderr


def check(bundle: Path, module: str) -> subprocess.CompletedProcess:
    return run([str(bundle / ".venv" / "bin" / "course"), "check", module], bundle, timeout=600)


def rows(output: str) -> dict[str, list[str]]:
    """The table's rows: check name -> [points, result, message]."""
    found = {}
    for line in output.splitlines():
        parts = line.split(None, 3)
        if len(parts) >= 3 and "/" in parts[1] and parts[2] in ("pass", "FAIL", "skip"):
            found[parts[0]] = parts[1:] + ([""] if len(parts) == 3 else [])
    return found


def test_course_check_on_a_stub_fails_with_one_line_per_check(unpacked):
    result = check(unpacked, "ex01_graphs")
    assert result.returncode == 1, result.stdout + result.stderr
    table = rows(result.stdout)
    assert len(table) == 7, result.stdout
    for name, (points, status, message) in table.items():
        assert status == "FAIL" and points.startswith("0/"), (name, points, status)
        assert message.endswith("is not implemented yet (it raises NotImplementedError)"), message
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "total: 0 / 18 points"


def test_course_check_on_a_solved_module_passes(unpacked):
    shutil.copyfile(ROOT / "solutions" / "ex01_graphs.py", unpacked / "exercises" / "ex01_graphs.py")
    result = check(unpacked, "ex01_graphs")
    assert result.returncode == 0, result.stdout + result.stderr
    assert {status for _, status, _ in rows(result.stdout).values()} == {"pass"}
    assert result.stdout.strip().splitlines()[-1] == "total: 18 / 18 points  -- all passed"
