"""The grading package's layout: subpackages by role, each importing only from the roles below it,
and no import circle between modules.

    settings, console      paths, limits, GRADING_* variables; text tables
    runtime                running untrusted code: sandbox, worker, wire, protocol, targets
    checking               checks, graphs, probes, strategies, references
    authoring              stubs, notebooks, the module a notebook makes, samples
    students               the pytest plugin, the notebook kernel's helpers, course check
    instructor             the nbgrader pipeline, verification, gradebook, exports, reports
    cli                    the `course` command
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "grading"
LAYERS = ["settings", "console", "runtime", "checking", "authoring", "students", "instructor", "cli"]
RANK = {"settings": 0, "console": 0, **{name: i for i, name in enumerate(LAYERS)}}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path) -> list[tuple[str, bool]]:
    """(a grading module it imports, whether at module level) for every import in the file."""
    tree = ast.parse(path.read_text())
    known = modules()
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.startswith("grading"):
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("grading")]
        for name in names:
            found.append((name, node in tree.body))
    return found


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "package"


def test_every_module_sits_in_a_layer():
    strays = [m for m in modules() if m != "grading" and layer(m) not in RANK]
    assert not strays, f"modules outside the layout (add them to a subpackage, or to LAYERS): {strays}"


@pytest.mark.parametrize("module", sorted(modules()))
def test_imports_only_from_its_own_role_or_those_below(module):
    if module == "grading":
        return
    upward = [(name, layer(name)) for name, _ in imports(modules()[module])
              if layer(name) in RANK and RANK[layer(name)] > RANK[layer(module)]]
    assert not upward, f"{module} ({layer(module)}) imports from a role above it: {upward}"


def test_no_import_circle_between_modules():
    """Module-level imports form no cycle (a function-level import inside one layer may point back)."""
    graph = {m: {n for n, top in imports(p) if top and n in modules() and n != m} for m, p in modules().items()}
    done, on_path = set(), []

    def visit(m):
        if m in on_path:
            cycle = on_path[on_path.index(m):] + [m]
            raise AssertionError("import circle: " + " -> ".join(cycle))
        if m in done:
            return
        on_path.append(m)
        for n in sorted(graph[m]):
            visit(n)
        on_path.pop()
        done.add(m)

    for m in sorted(graph):
        visit(m)


def test_the_layout_test_sees_an_upward_import(tmp_path, monkeypatch):
    """The check above can fail: a runtime module that imports the pipeline is reported."""
    fake = tmp_path / "grading"
    (fake / "runtime").mkdir(parents=True)
    (fake / "instructor").mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "runtime" / "__init__.py").write_text("")
    (fake / "instructor" / "__init__.py").write_text("")
    (fake / "instructor" / "pipeline.py").write_text("")
    (fake / "runtime" / "runner.py").write_text("def f():\n    from grading.instructor import pipeline\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    with pytest.raises(AssertionError, match="imports from a role above it"):
        test_imports_only_from_its_own_role_or_those_below("grading.runtime.runner")


def test_every_xdist_group_mark_is_one_unit_for_the_scheduler():
    """make test keeps each grouped module on one worker (tests/conftest.py reads the marks
    from the source): a mark it cannot read would spread the module's costly fixtures."""
    import conftest

    ROOT = PACKAGE.parent
    marked = [p for p in sorted((ROOT / "tests").glob("test_*.py")) if p.name != Path(__file__).name and "pytest.mark.xdist_group(" in p.read_text()]
    assert len(marked) >= 5, marked
    unread = [p.name for p in marked if conftest.module_group(str(p.relative_to(ROOT))) is None]
    assert not unread, f"xdist_group marks the scheduler does not see: {unread}"
    assert conftest.module_group("tests/test_layout.py") is None
