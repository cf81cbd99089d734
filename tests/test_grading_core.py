"""Bad submissions fail cleanly: one line per failing test, never an internal error or a crash.

Each case is a small ex01_graphs module; the graders run on it through the real runner
(student code in a forked child) and every failure must be a GradingFailure whose
message names the problem.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import torch

from grading.checking import checks
from grading.runtime import wire
from grading.runtime.runner import Limits, Runner
from grading.runtime.targets import GradingFailure, Submission, load_file

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = (ROOT / "solutions" / "ex01_graphs.py").read_text()

CASES = {
    "syntax_error": ("def build_graph(w, x):\n    return (\n", "does not compile: SyntaxError"),
    "exception_at_import": ("1 / 0\n", "importing ex01_graphs raised ZeroDivisionError"),
    "sys_exit_at_import": ("import sys\nsys.exit(0)\n", "called sys.exit(0) while being imported"),
    "missing_function": (SOLUTION.replace("def dy_dw_by_hand(", "def dy_dw_by_hands("), "has no dy_dw_by_hand"),
    "wrong_shape": (SOLUTION + "\ndef dy_dw_by_hand(w, x):\n    return (2 * w + x + 1).reshape(-1, 1)\n", "has shape"),
    "wrong_dtype": (SOLUTION + "\ndef dy_dw_by_hand(w, x):\n    return (2 * w + x + 1).half()\n", "has dtype torch.float16"),
    "wrong_device": (SOLUTION + "\ndef dy_dw_by_hand(w, x):\n    return (2 * w + x + 1).to('meta')\n", "is on meta"),
    "nan": (SOLUTION + "\ndef dy_dw_by_hand(w, x):\n    return (2 * w + x + 1) * float('nan')\n", "contains NaN"),
    "not_a_tensor": (SOLUTION + "\ndef dy_dw_by_hand(w, x):\n    return (2 * w + x + 1).tolist()\n", "must be a torch.Tensor"),
    "hang": (SOLUTION + "\ndef dy_dw_by_hand(w, x):\n    while True:\n        pass\n", "did not finish within"),
}


def grader_test(name: str):
    return getattr(load_file(ROOT / "tests" / "graders" / "test_ex01_graphs.py", "_core_ex01"), name)


@pytest.fixture(scope="module")
def runner():
    r = Runner(limits=Limits(wall_s=3))
    yield r
    r.close()


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_submission_fails_with_one_line(case, tmp_path, runner):
    source, expected = CASES[case]
    (tmp_path / "ex01_graphs.py").write_text(source)
    student = Submission("ex01_graphs", tmp_path, runner=runner)
    with pytest.raises(GradingFailure) as failure:
        grader_test("test_dy_dw_by_hand_matches_autograd")(student)
    message = str(failure.value)
    assert expected in message
    assert "\n" not in message and len(message) < 400


def test_not_implemented_is_named(runner):
    student = Submission("ex01_graphs", ROOT / "exercises", runner=runner)
    with pytest.raises(GradingFailure, match="dy_dw_by_hand is not implemented yet"):
        grader_test("test_dy_dw_by_hand_matches_autograd")(student)


def test_runner_survives_a_crash_and_keeps_answering(tmp_path, runner):
    (tmp_path / "ex01_graphs.py").write_text(SOLUTION + "\nimport os\ndef count_paths(root, leaf):\n    os._exit(0)\n")
    crashed = runner.call("ex01_graphs", "count_paths", target=str(tmp_path), args=(torch.ones(1), torch.ones(1)))
    assert crashed.status == "crash" and "exited with status 0 before returning" in crashed.message
    fine = runner.call("ex01_graphs", "dy_dw_by_hand", target=str(tmp_path), args=(torch.ones(2), torch.ones(2)))
    assert fine.ok and torch.equal(fine.value.value, torch.full((2,), 4.0))


def test_verdict_does_not_trust_a_patched_torch(tmp_path, runner):
    """A submission that makes every comparison succeed in its own process still fails."""
    patch = textwrap.dedent("""
        import torch, math
        torch.allclose = lambda *a, **k: True
        torch.equal = lambda *a, **k: True
        torch.Tensor.__eq__ = lambda *a, **k: True
        math.isclose = lambda *a, **k: True
        def dy_dw_by_hand(w, x):
            return torch.zeros_like(w)
    """)
    (tmp_path / "ex01_graphs.py").write_text(SOLUTION + patch)
    with pytest.raises(GradingFailure, match="expected"):
        grader_test("test_dy_dw_by_hand_matches_autograd")(Submission("ex01_graphs", tmp_path, runner=runner))


def test_tensor_subclass_that_claims_to_be_plain_is_rejected(tmp_path, runner):
    evil = textwrap.dedent("""
        import torch
        class Tensor(torch.Tensor):
            __module__ = "torch"
            def __eq__(self, other):
                return True
        def dy_dw_by_hand(w, x):
            return (2 * w + x + 1).as_subclass(Tensor)
    """)
    (tmp_path / "ex01_graphs.py").write_text(SOLUTION + evil)
    with pytest.raises(GradingFailure, match="plain torch.Tensor"):
        grader_test("test_dy_dw_by_hand_matches_autograd")(Submission("ex01_graphs", tmp_path, runner=runner))


def test_wire_rejects_malformed_descriptions():
    with pytest.raises(wire.WireError):
        wire.decode({"__tensor__": {"dtype": "torch.float32", "wire_dtype": "torch.float32", "shape": [3],
                                    "data": "AAAA", "type": "torch.Tensor", "device": "cpu",
                                    "requires_grad": False, "is_leaf": True, "grad_fn": None}})
    with pytest.raises(wire.WireError):
        wire.decode({"__pickle__": "cos\nsystem\n"})


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16])
def test_diagnosis_names_twice_the_gradient(dtype):
    expected = torch.tensor([1.0, -2.0, 3.0], dtype=dtype)
    got = wire.decode(wire.loads(wire.dumps(wire.encode(2 * expected))))
    with pytest.raises(GradingFailure, match="twice the expected value"):
        checks.check_close(got, expected, name="grad")


def test_graders_work_with_pytest_options(tmp_path):
    report = tmp_path / "report.xml"
    result = subprocess.run([sys.executable, "-m", "pytest", "tests/graders", "-k", "ex01", "--target=solutions",
                             f"--junitxml={report}", "-q", "-p", "no:cacheprovider"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:]
    cases = ET.parse(report).getroot().iter("testcase")
    points = {c.get("name"): float(p.get("value")) for c in cases for p in c.iter("property") if p.get("name") == "points"}
    assert points and all(name.startswith("test_") for name in points)
    assert sum(points.values()) == 18
    assert "ex01_graphs" in result.stdout and "18 / 18" in result.stdout


def collected(*args: str) -> tuple[list[str], str]:
    result = subprocess.run([sys.executable, "-m", "pytest", "tests/graders", "--collect-only", "-q",
                             "-p", "no:cacheprovider", "--target=solutions", *args],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:]
    return [line for line in result.stdout.splitlines() if "::" in line], result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("keyword", ["ex01_graphs", "ex07_curve_fitting", "EX03_DETACH"])
def test_k_with_one_module_imports_fewer_graders_and_selects_the_same_tests(keyword):
    """`-k MODULE` leaves out the grader files that cannot match it (the plugin's
    pytest_ignore_collect); any other expression collects them all. The tests picked agree."""
    fast, fast_summary = collected("-k", keyword)
    usual, usual_summary = collected("-k", f"{keyword} and not no_test_is_named_this")
    assert fast and fast == usual
    def imported(summary: str) -> int:  # "7 tests collected" or "6/19 tests collected (13 deselected)"
        selected, total = re.match(r"(\d+)(?:/(\d+))? tests? collected", summary).group(1, 2)
        return int(total or selected)

    assert imported(fast_summary) < imported(usual_summary), (fast_summary, usual_summary)
    files = {nodeid.split("::")[0] for nodeid in fast}
    assert len(files) == 1 and keyword.lower() in files.pop().lower()


def test_unknown_target_is_a_usage_error():
    result = subprocess.run([sys.executable, "-m", "pytest", "tests/graders", "-k", "ex01", "--target=/nowhere",
                             "-q", "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode != 0 and "no such folder" in (result.stdout + result.stderr)


def child_pid(folder: Path) -> int:
    from grading.runtime.runner import WORKER_FOLDER

    return int(folder.name.removeprefix(WORKER_FOLDER).split("-")[0])


def test_a_worker_killed_leaves_no_folder_behind_for_long():
    """A grader stopped with SIGKILL or os._exit (the verification process is) cannot remove
    its worker's scratch folder; the next worker started removes it, and only folders of
    processes that are gone."""
    import tempfile

    from grading.runtime.runner import WORKER_FOLDER

    child = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import os
        from grading.runtime.runner import Runner
        r = Runner(sandbox=False)
        r.start_soon()
        assert os.path.isdir(r._scratch)
        print(r._scratch, flush=True)
        r._proc.kill(); r._proc.wait()
        os._exit(0)
    """)], capture_output=True, text=True, cwd=ROOT, check=True)
    # (Another xdist worker's runner may sweep it as soon as the child is gone: so it is
    # checked in the child, and only its absence is checked here.)
    left = Path(child.stdout.strip())
    assert left.name.startswith(f"{WORKER_FOLDER}{child_pid(left)}-")
    alive = Path(tempfile.mkdtemp(prefix=f"{WORKER_FOLDER}{os.getppid()}-"))  # a live process's
    r = Runner(sandbox=False)
    try:
        r.start_soon()
        assert not left.exists(), "the folder of a worker whose process is gone was kept"
        assert alive.is_dir(), "the folder of a running process was removed"
        assert Path(r._scratch).is_dir()
    finally:
        r.close()
        shutil.rmtree(alive, ignore_errors=True)
