"""A student's notebook in a real browser: JupyterLab driven by headless Chromium.

The test releases the student bundle (`course release`), starts JupyterLab on it (127.0.0.1,
a free port, a token, the bundle's own grading package on the kernel's path, so that
``grade()`` runs the bundle's graders and replayed references) and drives Debian's
Chromium through playwright (never playwright's own browsers) on ``ex01_graphs.ipynb``:

1. build_graph filled in with the solution, the other functions left as stubs, Run All:
   one Run All reaches every cell (the cells that raise are tagged raises-exception), and
   the test cells show a pass line with points, or a one-line failure (no traceback);
2. build_graph filled in wrongly: the failed graph check shows its side-by-side picture;
3. every function filled in: every test cell passes, and nbgrader's Validate button
   reports success.

Throughout, the maths renders (JupyterLab's bundled MathJax) and the browser requests
nothing but the local server. Screenshots of each step are kept under a folder printed in
the test output. Slow (about two minutes); skipped only where Chromium is not installed
(Debian: `apt-get install chromium`; scripts/bootstrap.sh installs it on a full set-up).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from grading.authoring import notebooks

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
NOTEBOOK = "ex01_graphs"
FUNCTIONS = ["build_graph", "dy_dw_by_hand", "dy_dw_autograd", "backward_node_names", "count_paths"]
WRONG_BUILD_GRAPH = 'def build_graph(w, x):\n    a = w + x\n    b = w * 1\n    return a, b, a * b\n'
# What the bundle's ex01 grader gives each test (points), as the notebook's cells show them.
POINTS = {"test_build_graph_values": 2, "test_build_graph_rendering_matches_reference": 3,
          "test_dy_dw_by_hand_matches_autograd": 3, "test_dy_dw_autograd_matches_autograd": 2,
          "test_dy_dw_autograd_leaves_callers_grads_alone": 2, "test_backward_node_names_matches_graph": 3,
          "test_count_paths_counts_every_edge_path": 3}

pytestmark = [
    pytest.mark.skipif(not (os.access(CHROMIUM, os.X_OK) or shutil.which("chromium")),
                       reason=f"Chromium is not installed ({CHROMIUM}): apt-get install chromium "
                              "(scripts/bootstrap.sh does on a full set-up)"),
    pytest.mark.timeout(900),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, copy_of_release) -> Path:
    return copy_of_release(tmp_path_factory.mktemp("browser-release"))  # JupyterLab saves into it


@pytest.fixture(scope="module")
def lab(bundle, tmp_path_factory):
    """JupyterLab on the bundle: (base URL, token), until the module's tests are done."""
    home = tmp_path_factory.mktemp("jupyter")
    settings = home / "settings"
    for plugin, values in {"notebook-extension/tracker": {"windowingMode": "none"},
                           "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False}
                           }.items():
        path = settings / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "PYTHONPATH": str(bundle), "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython"),
           "GRADING_PICTURES": str(home / "pictures"), "MPLBACKEND": "Agg"}
    argv = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={bundle}", f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={home / 'workspaces'}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        argv.append("--allow-root")
    log = (home / "server.log").open("w")
    server = subprocess.Popen(argv, cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start: {(home / 'server.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory, request) -> Path:
    folder = tmp_path_factory.mktemp("browser-screenshots")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nbrowser screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with playwright_api.sync_playwright() as p:
        # A fresh profile: nothing from another run, no sign-in, no sync.
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 1000})
        try:
            yield context
        finally:
            context.close()


# ------------------------------------------------------------------ driving JupyterLab


class Notebook:
    """One notebook open in JupyterLab, its cells found by position (all attached: windowingMode none)."""

    def __init__(self, page, released: Path):
        self.page = page
        self.cells = nbformat.read(released, as_version=4).cells
        self.path = released

    def index(self, grade_id: str) -> int:
        return next(i for i, c in enumerate(self.cells) if c.get("metadata", {}).get("nbgrader", {})
                    .get("grade_id") == grade_id)

    def cell(self, grade_id: str):
        return self.page.locator(".jp-Notebook .jp-Cell").nth(self.index(grade_id))

    def set_source(self, grade_id: str, source: str) -> None:
        editor = self.cell(grade_id).locator(".cm-content")
        editor.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Delete")
        # One insertion, as a paste would be: no auto-indent or bracket closing per keystroke.
        self.page.keyboard.insert_text(source)

    def idle(self, timeout: float = 120) -> None:
        self.page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=timeout * 1000)

    def _counts(self) -> list[int | None]:
        """Each code cell's execution count (None: never run, or running)."""
        texts = self.page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").all_inner_texts()
        return [int(t.strip()[1:-2]) if t.strip()[1:-2].isdigit() else None for t in texts]

    def _settle(self) -> None:
        deadline = time.monotonic() + 300
        time.sleep(0.5)
        while any("[*]" in t for t in self.page.locator(".jp-Notebook .jp-InputPrompt").all_inner_texts()):
            assert time.monotonic() < deadline, "the kernel is still running"
            time.sleep(0.3)
        self.idle()

    def _command(self, menu: str, command: str) -> None:
        self.page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
        self.page.locator(f".lm-Menu-item[data-command='{command}']").click()

    def run_all(self) -> None:
        """Run > Run All Cells, once: every code cell must run.

        An unfinished function raises NotImplementedError and a failed test raises; the
        cells that can (solution and test cells, and those that use what they define) are
        tagged raises-exception, so JupyterLab's Run All goes on past them.
        """
        before = max([c for c in self._counts() if c is not None], default=0)
        self._command("Run", "runmenu:run-all")
        self._settle()
        counts = self._counts()
        never = [i for i, c in enumerate(counts) if c is None or c <= before]
        code = [c for c in self.cells if c.cell_type == "code"]
        assert not never, ("Run All stopped before these cells: "
                           + "; ".join(code[i].source.splitlines()[0][:60] for i in never[:3]))

    def output_text(self, grade_id: str) -> str:
        return self.cell(grade_id).locator(".jp-OutputArea").inner_text().strip()

    def save(self, artifacts: Path) -> dict[str, str]:
        """File > Save; the sources of the solution cells as written to disk."""
        self._command("File", "docmanager:save")
        try:
            self.page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-dirty')",
                                        timeout=60000)
        except Exception:
            self.page.screenshot(path=str(artifacts / "save-failed.png"))
            raise
        return {c.metadata.get("nbgrader", {}).get("grade_id"): c.source
                for c in nbformat.read(self.path, as_version=4).cells}


def solution(function: str) -> str:
    return notebooks.function_sources(ROOT / "solutions" / f"{NOTEBOOK}.py", [function])


def test_the_released_notebook_in_a_real_browser(bundle, lab, browser, artifacts):
    base, token = lab
    requests: list[str] = []
    page = browser.new_page()
    page.on("request", lambda r: requests.append(r.url))
    released = bundle / "notebooks" / f"{NOTEBOOK}.ipynb"
    page.goto(f"{base}/lab/tree/notebooks/{NOTEBOOK}.ipynb?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120000)
    nb = Notebook(page, released)
    nb.idle()

    # The maths of the first cell, typeset by the MathJax bundled with JupyterLab.
    page.wait_for_selector(".jp-MarkdownCell mjx-container", timeout=60000)
    assert page.locator(".jp-MarkdownCell").first.locator("mjx-container").count() >= 1

    # 1. build_graph solved, the rest left as the stubs.
    nb.set_source("build_graph", solution("build_graph"))
    nb.run_all()
    nb.cell("test_backward_node_names_matches_graph").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "1-build_graph-solved.png"))
    assert nb.output_text("test_build_graph_values") == "✓ test_build_graph_values passed (2 points)"
    assert nb.output_text("test_build_graph_rendering_matches_reference") == \
        "✓ test_build_graph_rendering_matches_reference passed (3 points)"
    failure = nb.output_text("test_backward_node_names_matches_graph")
    assert failure == ("✗ test_backward_node_names_matches_graph failed (0 of 3 points): backward_node_names is "
                       "not implemented yet (it raises NotImplementedError)")
    for test in POINTS:
        text = nb.output_text(test)
        assert len(text.splitlines()) == 1 and "Traceback" not in text and "kernel.py" not in text, text

    # 2. build_graph wrong: the graph check fails with its picture, expected beside yours.
    nb.set_source("build_graph", WRONG_BUILD_GRAPH)
    nb.run_all()
    rendering = nb.cell("test_build_graph_rendering_matches_reference")
    rendering.locator(".jp-OutputArea img").first.wait_for(timeout=30000)
    rendering.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "2-graph-check-failed.png"))
    text = nb.output_text("test_build_graph_rendering_matches_reference")
    assert text.startswith("✗ test_build_graph_rendering_matches_reference failed (0 of 3 points): build_graph: "
                           "graph differs from the reference"), text
    assert len(text.splitlines()) == 1 and "Traceback" not in text
    image = rendering.locator(".jp-OutputArea img").first
    assert image.evaluate("img => img.naturalWidth") > 100

    # 3. Everything solved: every test cell passes, and nbgrader's Validate agrees.
    for function in FUNCTIONS:
        nb.set_source(function, solution(function))
    saved = nb.save(artifacts)
    assert all(saved[f] == solution(f) for f in FUNCTIONS), "the browser did not write the solutions as given"
    nb.run_all()
    for test, points in POINTS.items():
        assert nb.output_text(test) == f"✓ {test} passed ({points} points)"
    nb.save(artifacts)
    page.locator(".validate-button").click()
    dialog = page.locator(".jp-Dialog")
    dialog.locator(".validation-success, .validation-failed").first.wait_for(timeout=300000)
    page.screenshot(path=str(artifacts / "3-validated.png"))
    assert "Success! Your notebook passes all the tests." in dialog.inner_text()

    external = [url for url in requests if not url.startswith((base, "data:", "blob:", "about:"))]
    assert external == [], f"the page fetched from outside the server: {external[:5]}"
