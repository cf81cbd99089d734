"""The sandbox holds: hostile and broken submissions earn nothing and harm nothing.

Every fixture in tests/hostile/ is a complete ex01_graphs module written to break or
cheat the grader (see tests/hostile/README.md). Each is graded by the real graders
and called directly through the Runner, and must earn no points, end in bounded
time with a message that names the limit it hit, and leave no file outside the
sandbox's scratch folder. A correct submission still earns every point, also right
after a hostile one in the same worker. Without bubblewrap, grading still works and
says once what protection is missing. Notebook kernels run in the same sandbox.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import tempfile
import threading
import time
import warnings
from pathlib import Path

import pytest
import torch

from grading.checking import checks
from grading.runtime import sandbox
from grading.runtime.runner import Limits, Runner
from grading.runtime.targets import GradingFailure, Submission

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = sorted((ROOT / "tests" / "hostile").glob("*.py"))
GRADER = ROOT / "tests" / "graders" / "test_ex01_graphs.py"
SOLUTION = ROOT / "solutions" / "ex01_graphs.py"
MODULE = "ex01_graphs"
MARK = "HOSTILE_WAS_HERE"
LIMITS = Limits(wall_s=5, cpu_s=5, memory_mb=1024, output_bytes=1 << 20, processes=64)

NO_SANDBOX = sandbox.unavailable_reason()
needs_sandbox = pytest.mark.skipif(NO_SANDBOX is not None, reason=f"no sandbox here: {NO_SANDBOX}")


# ------------------------------------------------------------------ helpers


def header(path: Path) -> dict:
    """The fixture's `# KEY: value` header (read as text: some fixtures don't compile)."""
    meta = {"expect": None, "expect_direct": None, "limits": {}, "graders": None, "marker": False,
            "unsandboxed": None}
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].strip().partition(":")
        value = value.strip()
        if key == "EXPECT":
            meta["expect"] = value
        elif key == "EXPECT-DIRECT":
            meta["expect_direct"] = value
        elif key == "LIMITS":
            meta["limits"] = {k: float(v) if "." in v or k.endswith("_s") else int(v)
                              for k, v in (item.split("=") for item in value.split())}
        elif key == "GRADERS":
            meta["graders"] = value.split()
        elif key == "MARKER":
            meta["marker"] = True
        elif key == "UNSANDBOXED":
            meta["unsandboxed"] = value
    return meta


def load_grader():
    spec = importlib.util.spec_from_file_location("_sandbox_grader_ex01", GRADER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def points(fn) -> float:
    return sum(float(m.args[0]) for m in getattr(fn, "pytestmark", []) if m.name == "points")


def grade(folder: Path, runner: Runner, only: list[str] | None = None) -> tuple[dict, float, float]:
    """Run the ex01 grader tests on ``folder``: {test: failure message or None}, earned, total."""
    grader = load_grader()
    tests = {n: f for n, f in vars(grader).items() if n.startswith("test_") and callable(f)}
    if only:
        tests = {n: tests[n] for n in only}
    student = Submission(MODULE, folder, runner=runner)
    results, earned, total = {}, 0.0, 0.0
    for name, test in tests.items():
        total += points(test)
        try:
            test(student)
        except GradingFailure as failure:
            results[name] = str(failure)
        else:
            results[name] = None
            earned += points(test)
    return results, earned, total


def submission(tmp_path: Path, fixture: Path, port: int = 0) -> Path:
    """The fixture as ex01_graphs.py in submitted/mallory/, next to alice's correct one."""
    mallory = tmp_path / "submitted" / "mallory"
    alice = tmp_path / "submitted" / "alice"
    mallory.mkdir(parents=True)
    alice.mkdir(parents=True)
    shutil.copyfile(SOLUTION, alice / f"{MODULE}.py")
    source = fixture.read_text().replace("PORT = 0  # set by the test", f"PORT = {port}")
    (mallory / f"{MODULE}.py").write_text(source)
    return mallory


def direct_verdict(outcome, expected: torch.Tensor) -> str | None:
    """The grader's verdict on a direct call: None if correct, else the failure message."""
    try:
        checks.check_close(checks.expect_ok(outcome), expected, name="dy_dw_by_hand")
    except GradingFailure as failure:
        return str(failure)
    return None


def marks(tmp_path: Path) -> list[str]:
    """Files the hostile code managed to leave outside the sandbox."""
    places = [ROOT, ROOT / "grading", ROOT / "solutions", ROOT / "tests", Path("/tmp"), Path.home(),
              Path(tempfile.gettempdir())]
    found = [str(p / MARK) for p in places if (p / MARK).exists()]
    found += [str(p) for p in tmp_path.rglob(MARK)]
    checks = (ROOT / "grading" / "checking" / "checks.py").read_text()
    if "def check_close(*a, **k):\n    return None" in checks:
        found.append("grading/checking/checks.py was rewritten")
    return found


class Listener:
    """A TCP server on 127.0.0.1 that counts who connects (and offers 'answers')."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.sendall(b"answers")

    def close(self):
        self._stop = True
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def runners():
    """Sandboxed runners, one per set of limits, shared by the module's tests."""
    made: dict = {}

    def get(limits: Limits = LIMITS, sandboxed: bool = True) -> Runner:
        key = (limits, sandboxed)
        if key not in made:
            made[key] = Runner(limits=limits, sandbox=sandboxed)
        return made[key]

    yield get
    for runner in made.values():
        runner.close()


def limits_for(meta: dict) -> Limits:
    return Limits(**{**vars(LIMITS), **meta["limits"]})


def sandbox_processes(uid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    pids.append(int(entry))
            except OSError:
                pass
    return pids


# ------------------------------------------------------------------ hostile submissions


@needs_sandbox
@pytest.mark.parametrize("fixture", HOSTILE, ids=lambda p: p.stem)
def test_hostile_submission_earns_nothing_and_is_held(fixture, tmp_path, runners, listener):
    meta = header(fixture)
    limits = limits_for(meta)
    runner = runners(limits)
    assert runner.sandboxed
    folder = submission(tmp_path, fixture, listener.port)
    alice = (tmp_path / "submitted" / "alice" / f"{MODULE}.py").read_bytes()

    started = time.monotonic()
    results, earned, total = grade(folder, runner, meta["graders"])
    w, x = torch.tensor([1.0, 2.0]), torch.tensor([3.0, -1.0])
    direct = runner.call(MODULE, "dy_dw_by_hand", target=str(folder), args=(w, x))
    elapsed = time.monotonic() - started

    assert earned == 0, f"{fixture.stem} earned {earned} of {total}: {results}"
    assert all(message for message in results.values()), results
    assert all("\n" not in message for message in results.values()), "failure messages are one line"
    verdict = direct_verdict(direct, 2 * w + x + 1)
    assert verdict is not None, "the direct call came back correct"
    if meta["expect"]:
        for name, message in results.items():
            assert meta["expect"] in message, f"{name}: {message!r} does not say {meta['expect']!r}"
    if meta["expect"] or meta["expect_direct"]:
        assert (meta["expect"] or meta["expect_direct"]) in verdict, verdict
    calls = len(results) + 1
    assert elapsed < calls * (2 * limits.wall_s + 8) + 10, f"took {elapsed:.1f} s"
    assert not marks(tmp_path), marks(tmp_path)
    assert (tmp_path / "submitted" / "alice" / f"{MODULE}.py").read_bytes() == alice
    assert listener.connections == 0, "the submission reached the network"
    # The run goes on: the same worker still grades (a fresh one if it was killed); under the
    # suite's default limits, not the fixture's tight ones (a 1 s wall limit is no margin on a
    # loaded machine for a call that must succeed).
    after = runner.call(MODULE, "dy_dw_by_hand", target=str(ROOT / "solutions"), args=(w, x), limits=LIMITS)
    assert after.ok, after.message
    if os.geteuid() == 0:  # nothing the submission started outlives its call (the worker stays)
        deadline = time.monotonic() + 3
        while len(sandbox_processes(runner.worker_uid)) > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(sandbox_processes(runner.worker_uid)) == 1


@pytest.mark.parametrize("fixture", [p for p in HOSTILE if header(p)["unsandboxed"] == "held"],
                         ids=lambda p: p.stem)
def test_without_sandbox_limits_and_checks_still_hold(fixture, tmp_path, runners):
    """Limits and grader-side verdicts don't depend on the sandbox."""
    meta = header(fixture)
    runner = runners(limits_for(meta), sandboxed=False)
    results, earned, total = grade(submission(tmp_path, fixture), runner, meta["graders"])
    assert earned == 0, results
    if meta["expect"]:
        assert all(meta["expect"] in m for m in results.values()), results


@needs_sandbox
@pytest.mark.parametrize("fixture", [p for p in HOSTILE if header(p)["unsandboxed"] == "cheats"],
                         ids=lambda p: p.stem)
def test_the_sandbox_is_what_stops_the_cheats(fixture, tmp_path, runners, listener):
    """Outside the sandbox these fixtures do reach the answers (or the network)."""
    # Yama's ptrace_scope 1 and 2 stop a non-root attach to a parent; 3 stops root's too.
    if fixture.stem == "ptraces_the_worker" and (_yama_scope() >= 3 or os.geteuid() != 0 and _yama_scope() > 0):
        pytest.skip("Yama's ptrace_scope forbids attaching to a parent here even without the sandbox")
    folder = submission(tmp_path, fixture, listener.port)
    results, earned, total = grade(folder, runners(LIMITS, sandboxed=False))
    assert earned > 0 or listener.connections > 0
    connections = listener.connections
    results, earned, total = grade(folder, runners(LIMITS))
    assert earned == 0 and listener.connections == connections


def _yama_scope() -> int:
    try:
        return int(Path("/proc/sys/kernel/yama/ptrace_scope").read_text())
    except (OSError, ValueError):
        return 0


def test_catalogue_covers_the_attacks():
    names = {p.stem for p in HOSTILE}
    assert {"syntax_error", "raises_at_import", "sys_exit_at_import", "os_exit_at_import",
            "endless_loop_ignores_signals", "huge_allocation", "output_flood", "patched_comparisons",
            "equal_to_everything", "tensor_subclass", "reads_solutions", "writes_outside_scratch",
            "fork_bomb", "network", "ptraces_the_worker"} <= names
    for path in HOSTILE:
        assert header(path)["unsandboxed"] in (None, "held", "cheats"), path


# ------------------------------------------------------------------ correct submissions


@needs_sandbox
def test_correct_submission_earns_every_point_in_the_sandbox(tmp_path, runners):
    runner = runners()
    # Right after a submission that patched torch, numpy and the builtins in the same worker.
    grade(submission(tmp_path, ROOT / "tests" / "hostile" / "patched_comparisons.py"), runner)
    folder = tmp_path / "submitted" / "alice"
    results, earned, total = grade(folder, runner)
    assert runner.sandboxed
    assert earned == total > 0, {k: v for k, v in results.items() if v}


@needs_sandbox
def test_links_in_a_submission_are_not_followed(tmp_path, runners):
    """A link to solutions/ (file or folder) does not carry the solutions into the sandbox."""
    folder = tmp_path / "linked"
    folder.mkdir()
    (folder / f"{MODULE}.py").symlink_to(SOLUTION)
    results, earned, _ = grade(folder, runners())
    assert earned == 0
    assert all("no module ex01_graphs" in m for m in results.values()), results
    (folder / f"{MODULE}.py").unlink()
    (folder / "answers").symlink_to(ROOT / "solutions", target_is_directory=True)
    (folder / f"{MODULE}.py").write_text("from answers.ex01_graphs import *\n")
    results, earned, _ = grade(folder, runners())
    assert earned == 0, results


@needs_sandbox
def test_submissions_graded_in_turn_do_not_see_each_other(tmp_path, runners):
    runner = runners()
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "spy.py").write_text(
        "import os\n"
        "def plant():\n"
        "    for folder in (os.environ['GRADING_SCRATCH'], os.path.dirname(__file__), os.getcwd(), '/tmp'):\n"
        "        try:\n"
        "            open(os.path.join(folder, 'planted.py'), 'w').write('STOLEN = 1')\n"
        "        except OSError:\n"
        "            pass\n"
        "    return sorted(os.listdir(os.environ['GRADING_SCRATCH']))\n")
    (first / "secret.txt").write_text("first's answer")
    (second / "spy.py").write_text(
        "import glob, os\n"
        "def look():\n"
        "    scratch = os.environ['GRADING_SCRATCH']\n"
        "    return sorted(glob.glob(scratch + '/**/planted.py', recursive=True)"
        " + glob.glob(scratch + '/**/secret.txt', recursive=True) + glob.glob('/tmp/planted.py'))\n")
    assert runner.call("spy", "plant", target=str(first)).ok
    seen = runner.call("spy", "look", target=str(second))
    assert seen.ok and seen.value == [], seen


@needs_sandbox
def test_process_limit_holds_and_is_named(tmp_path):
    source = ("import os, time\n"
              "def spawn():\n"
              "    while True:\n"
              "        if os.fork() == 0:\n"
              "            time.sleep(60)\n"
              "            os._exit(0)\n"
              "def threads():\n"
              "    import threading\n"
              "    for _ in range(10000):\n"
              "        threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n")
    runner = Runner(limits=Limits(wall_s=10, processes=24), sandbox=True)
    try:
        for function in ("spawn", "threads"):
            started = time.monotonic()
            outcome = runner.call("m", function, source=source)
            assert outcome.status == "limit", outcome
            assert "process limit" in outcome.message and "24" in outcome.message, outcome.message
            assert time.monotonic() - started < 5
    finally:
        runner.close()


@needs_sandbox
def test_what_the_sandbox_sees(runners):
    source = ("import os, sys\n"
              "def look():\n"
              "    return {'root': sorted(os.listdir('/')), 'course': sorted(os.listdir(os.environ['PYTHONPATH'])),\n"
              "            'env': sorted(os.environ), 'uid': os.getuid()}\n")
    outcome = runners().call("m", "look", source=source)
    assert outcome.ok, outcome
    seen = outcome.value
    assert set(seen["course"]) <= {"grading", ".venv", "venv", ".env"}, seen["course"]
    assert "home" not in seen["root"] and "var" not in seen["root"]
    assert not any(k.endswith(("TOKEN", "SECRET", "PASSWORD")) for k in seen["env"])
    assert seen["uid"] != 0


# ------------------------------------------------------------------ without bubblewrap


def test_without_bwrap_grading_works_and_warns_once(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap to be found
    monkeypatch.delenv(sandbox.ENV, raising=False)
    monkeypatch.setattr(sandbox, "_warned", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        runner = Runner(limits=LIMITS)
        try:
            assert not runner.sandboxed
            results, earned, total = grade(ROOT / "solutions", runner)
        finally:
            runner.close()
        assert not Runner().sandboxed
    assert earned == total > 0, results
    said = [str(w.message) for w in caught if issubclass(w.category, sandbox.SandboxWarning)]
    assert len(said) == 1, said
    assert "\n" not in said[0]
    assert "bubblewrap" in said[0] and "network" in said[0] and "solutions" in said[0]


def test_grading_sandbox_off_disables_it_with_a_warning(monkeypatch):
    monkeypatch.setenv(sandbox.ENV, "off")
    monkeypatch.setattr(sandbox, "_warned", False)
    with pytest.warns(sandbox.SandboxWarning, match="GRADING_SANDBOX=off"):
        assert not Runner().sandboxed


def test_grading_sandbox_required_fails_loudly_without_bwrap(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv(sandbox.ENV, "bwrap")
    with pytest.raises(sandbox.SandboxUnavailable, match="bubblewrap"):
        Runner().sandboxed


def test_autograde_requires_the_sandbox_unless_it_is_switched_off_by_name(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sandbox, "_warned", False)
    for mode in ("auto", "bwrap"):
        monkeypatch.setenv(sandbox.ENV, mode)
        with pytest.raises(sandbox.SandboxUnavailable, match="set GRADING_SANDBOX=off"):
            with sandbox.required_for_autograde():
                pass
    monkeypatch.setenv(sandbox.ENV, "off")
    with pytest.warns(sandbox.SandboxWarning, match="GRADING_SANDBOX=off"):
        with sandbox.required_for_autograde():
            assert os.environ[sandbox.ENV] == "off"


@needs_sandbox
def test_while_autograde_runs_every_process_it_starts_requires_the_sandbox(monkeypatch):
    """A kernel launcher or verification process whose sandbox fails part-way must not fall
    back to running the submission without it, as `auto` would."""
    monkeypatch.delenv(sandbox.ENV, raising=False)
    with sandbox.required_for_autograde():
        assert os.environ[sandbox.ENV] == "bwrap"
    assert sandbox.ENV not in os.environ
    monkeypatch.setenv(sandbox.ENV, "auto")
    with sandbox.required_for_autograde():
        assert os.environ[sandbox.ENV] == "bwrap"
    assert os.environ[sandbox.ENV] == "auto"


# ------------------------------------------------------------------ notebook kernels


def _kernel(tmp_path, monkeypatch, transport: str, limits: Limits, files: dict | None = None,
            preload=("torch",)):
    from jupyter_client import KernelManager

    notebook = tmp_path / "notebook"
    notebook.mkdir(exist_ok=True)
    for name, text in (files or {}).items():
        (notebook / name).write_text(text)
    prefix = tmp_path / "jupyter"
    name = sandbox.install_kernelspec(prefix, readable=[notebook, ROOT / "tests" / "graders"], writable=[],
                                      limits=limits, preload=preload)
    assert json.loads((prefix / "kernels" / name / "kernel.json").read_text())["argv"][-1] == "{connection_file}"
    monkeypatch.setenv("JUPYTER_PATH", str(prefix))
    runtime = tempfile.mkdtemp(prefix="k")  # IPC socket paths must stay short
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", runtime)
    ip = os.path.join(runtime, "kernel") if transport == "ipc" else "127.0.0.1"
    manager = KernelManager(kernel_name=name, transport=transport, ip=ip)
    manager.start_kernel(cwd=str(notebook))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=90)
    except RuntimeError:
        manager.shutdown_kernel(now=True)
        raise

    def run(code: str) -> tuple[str, str]:
        texts = []

        def hook(msg):
            content = msg["content"]
            if msg["msg_type"] == "stream":
                texts.append(content["text"])
            elif msg["msg_type"] == "error":
                texts.append(f"{content['ename']}: {content['evalue']}")
            elif msg["msg_type"] in ("execute_result", "display_data"):
                texts.append(content["data"].get("text/plain", ""))

        reply = client.execute_interactive(code, output_hook=hook, timeout=60)
        return reply["content"]["status"], "".join(texts)

    def stop():
        launcher = manager.provisioner.process.pid
        client.stop_channels()
        manager.shutdown_kernel()  # graceful, as nbclient does: the launcher cleans up
        shutil.rmtree(runtime, ignore_errors=True)
        assert not list(Path(tempfile.gettempdir()).glob(f"grading-kernel-{launcher}-*"))

    return run, stop, notebook, manager


@needs_sandbox
def test_kernel_runs_in_the_sandbox(tmp_path, monkeypatch, listener):
    limits = Limits(memory_mb=1024, cpu_s=120, output_bytes=1 << 20, processes=64)
    run, stop, notebook, manager = _kernel(tmp_path, monkeypatch, "ipc", limits)
    try:
        status, text = run("import os; print(os.getuid() != 0, sorted(os.listdir(os.environ['PYTHONPATH'])))")
        assert status == "ok" and text.startswith("True"), text
        status, text = run(f"open({str(SOLUTION)!r}).read()")
        assert status == "error" and "FileNotFoundError" in text, text
        status, text = run(f"open({str(notebook / MARK)!r}, 'w').write('x')")
        assert status == "error" and "Read-only file system" in text, text
        status, text = run(f"open('/tmp/{MARK}', 'w').write('x')")
        assert status == "error", text
        status, text = run(f"import socket; socket.create_connection(('127.0.0.1', {listener.port}), timeout=2)")
        assert status == "error" and listener.connections == 0, text
        # grade() in the kernel still works: the public graders are readable.
        status, text = run(SOLUTION.read_text() + "\nfrom grading.students.kernel import grade\n"
                           "grade('ex01_graphs', 'test_dy_dw_by_hand_matches_autograd')\nprint('graded')")
        assert status == "ok" and "graded" in text, text
        status, text = run("hog = bytearray(8 * 1024 ** 3)")
        assert (status == "error" and "MemoryError" in text) or not manager.is_alive(), text
    finally:
        stop()
    assert not marks(tmp_path)


def test_modules_in_the_notebooks_folder_do_not_stand_in_for_the_preloaded_ones(tmp_path, monkeypatch):
    """The kernel imports its preloads before it drops privileges and sets its limits, in the
    student's folder: a torch.py there must not be what it imports."""
    trap = "import os\nos._exit(7)\n"
    run, stop, notebook, _ = _kernel(tmp_path, monkeypatch, "ipc", Limits(memory_mb=1024),
                                     files={"torch.py": trap, "torchviz.py": trap},
                                     preload=["torch", "torchviz", "grading.students.kernel"])
    try:
        status, text = run("import torch, torchviz, sys\n"
                           "print(torch.__file__.startswith(sys.prefix) or 'site-packages' in torch.__file__, "
                           "'grading.students.kernel' in sys.modules)")
        assert status == "ok" and text.strip() == "True True", text
    finally:
        stop()


@needs_sandbox
def test_tcp_kernel_shares_only_the_network(tmp_path, monkeypatch):
    run, stop, notebook, _ = _kernel(tmp_path, monkeypatch, "tcp", Limits(memory_mb=1024))
    try:
        status, text = run(f"print(1 + 1); open({str(SOLUTION)!r})")
        assert status == "error" and text.startswith("2") and "FileNotFoundError" in text, text
    finally:
        stop()
