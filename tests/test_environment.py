"""The set-up files agree with each other.

* environment.yml (conda-forge) pins the same versions as pyproject.toml (pip),
  after mapping pip names to conda names;
* torch is pinned exactly, in both;
* `.ci/run` runs the test command README.md gives, and `make test` bootstraps
  a fresh clone before running pytest.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

try:
    import yaml
except ModuleNotFoundError:  # PyYAML is not a declared dependency
    yaml = None

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
ENV_YML = ROOT / "environment.yml"
README = ROOT / "README.md"
CI_RUN = ROOT / ".ci" / "run"
MAKEFILE = ROOT / "Makefile"
BOOTSTRAP = ROOT / "scripts" / "bootstrap.sh"

TORCH_VERSION = "2.13.0"

# pip (PyPI) name -> conda-forge name, where they differ.
PIP_TO_CONDA = {
    "torch": "pytorch",
    "graphviz": "python-graphviz",  # the Python bindings
    "matplotlib": "matplotlib-base",  # pip's matplotlib has no Qt either
}
CONDA_TO_PIP = {conda: pip for pip, conda in PIP_TO_CONDA.items()}
# conda packages that are not Python dependencies of the project.
CONDA_ONLY = {
    "python",
    "pip",
    "graphviz",  # on conda-forge this is the dot program itself
}


def norm(name: str) -> str:
    """PEP 503 name normalisation."""
    return re.sub(r"[-_.]+", "-", name).lower()


# --------------------------------------------------------------------- parsing
def parse_simple_yaml(text: str) -> dict:
    """Parse the subset of YAML environment.yml uses.

    Top-level ``key: scalar`` and ``key:`` followed by a block list of scalars
    or of one-key mappings (``- pip:``) whose value is itself a block list.
    Comments and blank lines are ignored. Enough for environment.yml without
    adding PyYAML as a dependency; compared with PyYAML below when available.
    """
    lines = []
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if line.strip():
            lines.append((len(line) - len(line.lstrip(" ")), line.strip()))

    def scalar(s: str):
        s = s.strip()
        if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
            return s[1:-1]
        return s

    def block(i: int, indent: int):
        """Parse a block list or mapping starting at lines[i], all at `indent`."""
        is_list = lines[i][1].startswith("- ") or lines[i][1] == "-"
        out: list | dict = [] if is_list else {}
        while i < len(lines) and lines[i][0] >= indent:
            ind, s = lines[i]
            if ind != indent:
                raise ValueError(f"unexpected indentation: {s!r}")
            if is_list:
                if not s.startswith("-"):
                    raise ValueError(f"expected a list item: {s!r}")
                item = s[1:].strip()
                m = re.fullmatch(r"([^:\s][^:]*):(\s+.*)?", item)
                if m and not m.group(2):  # "- pip:" then a nested block
                    if i + 1 < len(lines) and lines[i + 1][0] > indent:
                        value, i = block(i + 1, lines[i + 1][0])
                    else:
                        value, i = None, i + 1
                    out.append({m.group(1).strip(): value})
                    continue
                out.append(scalar(item))
                i += 1
            else:
                key, sep, rest = s.partition(":")
                if not sep:
                    raise ValueError(f"expected 'key: value': {s!r}")
                if rest.strip():
                    out[key.strip()] = scalar(rest)
                    i += 1
                elif i + 1 < len(lines) and lines[i + 1][0] >= indent and (
                    lines[i + 1][0] > indent or lines[i + 1][1].startswith("-")
                ):
                    # YAML allows a list at the same indent as its key
                    out[key.strip()], i = block(i + 1, lines[i + 1][0])
                else:
                    out[key.strip()] = None
                    i += 1
        return out, i

    if not lines:
        return {}
    result, end = block(0, lines[0][0])
    if end != len(lines):
        raise ValueError(f"could not parse: {lines[end][1]!r}")
    return result


def load_yaml(text: str) -> dict:
    return yaml.safe_load(text) if yaml is not None else parse_simple_yaml(text)


def pyproject_pins(pyproject: dict) -> dict[str, str | None]:
    """{normalised pip name: exact version or None} from [project].dependencies."""
    pins = {}
    for req in pyproject["project"]["dependencies"]:
        # An extra (psycopg[binary]) selects optional parts, not another package.
        m = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:==\s*([^\s;,]+))?\s*(;.*)?", req)
        pins[norm(m.group(1)) if m else req] = m.group(2) if m else None
    return pins


def env_yml_pins(env: dict) -> tuple[dict[str, str | None], list[str]]:
    """({normalised pip name: version or None}, problems) from environment.yml.

    Conda entries are mapped back to pip names; entries of the `pip:` section
    are pip names already. `-e .` and the CONDA_ONLY packages are skipped.
    """
    pins: dict[str, str | None] = {}
    problems: list[str] = []

    def add(name: str, version: str | None, where: str) -> None:
        if name in pins:
            problems.append(f"{name}: listed twice in environment.yml ({where})")
        pins[name] = version

    for dep in env.get("dependencies") or []:
        if isinstance(dep, dict):
            for key, items in dep.items():
                if key != "pip":
                    problems.append(f"environment.yml: unexpected section {key!r}")
                    continue
                for item in items or []:
                    item = str(item).strip()
                    if item.startswith("-e ") or item.startswith("--editable"):
                        continue
                    m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:==\s*(\S+))?", item)
                    if not m:
                        problems.append(f"environment.yml pip: cannot read {item!r} (pin with ==)")
                        continue
                    add(norm(m.group(1)), m.group(2), "pip section")
            continue
        dep = str(dep).strip()
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:(==?)\s*([^\s=]+))?(?:=\S+)?", dep)
        if not m:
            problems.append(f"environment.yml: cannot read {dep!r}")
            continue
        conda_name = norm(m.group(1))
        if conda_name in CONDA_ONLY:
            continue
        add(CONDA_TO_PIP.get(conda_name, conda_name), m.group(3), "conda")
    return pins, problems


def drift(pyproject: dict, env: dict) -> list[str]:
    """Every way environment.yml disagrees with pyproject.toml (empty: in sync)."""
    want = pyproject_pins(pyproject)
    have, problems = env_yml_pins(env)

    def conda(name: str) -> str:
        c = PIP_TO_CONDA.get(name)
        return f"{name} (conda: {c})" if c else name

    for name, version in sorted(want.items()):
        if version is None:
            problems.append(f"{name}: not pinned with == in pyproject.toml")
        if name not in have:
            problems.append(f"{conda(name)}: in pyproject.toml, missing from environment.yml")
        elif have[name] is None:
            problems.append(f"{conda(name)}: not pinned in environment.yml (want {version})")
        elif have[name] != version:
            problems.append(
                f"{conda(name)}: pyproject.toml has {version}, environment.yml has {have[name]}"
            )
    for name in sorted(set(have) - set(want)):
        problems.append(f"{conda(name)}: in environment.yml, missing from pyproject.toml")
    return problems


# ------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads(PYPROJECT.read_text())


@pytest.fixture(scope="module")
def env_text() -> str:
    assert ENV_YML.is_file(), "environment.yml is missing"
    return ENV_YML.read_text()


@pytest.fixture(scope="module")
def env(env_text) -> dict:
    return load_yaml(env_text)


# ---------------------------------------------------------------------- tests
def test_environment_yml_matches_pyproject(pyproject, env):
    problems = drift(pyproject, env)
    assert not problems, (
        "environment.yml has drifted from pyproject.toml:\n  "
        + "\n  ".join(problems)
        + "\nUpdate environment.yml (conda names: "
        + ", ".join(f"{p} -> {c}" for p, c in PIP_TO_CONDA.items())
        + ")."
    )


def test_environment_yml_uses_conda_forge_only(env):
    assert env.get("channels") == ["conda-forge", "nodefaults"]


def test_environment_yml_installs_this_package_and_dot(env):
    deps = env["dependencies"]
    pip_sections = [d["pip"] for d in deps if isinstance(d, dict) and "pip" in d]
    assert len(pip_sections) == 1, "environment.yml needs exactly one pip: section"
    assert "-e ." in pip_sections[0], "the pip: section must install this package (-e .)"
    assert "pip" in deps, "list pip itself when using a pip: section"
    names = {re.split(r"[=<>\s]", d)[0] for d in deps if isinstance(d, str)}
    assert "graphviz" in names, "environment.yml must install the graphviz (dot) binaries"


def test_environment_yml_python_satisfies_requires_python(pyproject, env):
    pythons = [d for d in env["dependencies"] if isinstance(d, str) and re.match(r"python\s*=", d)]
    assert pythons, "environment.yml must pin python"
    version = tuple(int(x) for x in re.findall(r"\d+", pythons[0])[:2])
    minimum = re.search(r">=\s*(\d+)\.(\d+)", pyproject["project"]["requires-python"])
    assert version >= (int(minimum[1]), int(minimum[2]))


def test_torch_pinned_exactly_in_both(pyproject, env):
    assert f"torch=={TORCH_VERSION}" in pyproject["project"]["dependencies"]
    conda = [d for d in env["dependencies"] if isinstance(d, str) and norm(re.split(r"[=\s]", d)[0]) == "pytorch"]
    assert conda, "environment.yml must list pytorch"
    assert re.fullmatch(rf"pytorch\s*==?\s*{re.escape(TORCH_VERSION)}", conda[0]), conda[0]


def test_bootstrap_reads_torch_version_from_pyproject():
    # One source of truth: the script must not hard-code the version.
    assert TORCH_VERSION not in BOOTSTRAP.read_text()
    assert "pyproject.toml" in BOOTSTRAP.read_text()


def test_bootstrap_script_is_valid_bash():
    subprocess.run(["bash", "-n", str(BOOTSTRAP)], check=True)


# --- the comparison itself catches drift -------------------------------------
# Each case edits a copy of the real environment.yml (as parsed), so the cases
# keep working when versions are bumped in both files.
def _conda_deps(env: dict) -> list:
    return env["dependencies"]


def _pip_deps(env: dict) -> list:
    return next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)


def _index(deps: list, name: str) -> int:
    for i, d in enumerate(deps):
        if isinstance(d, str) and re.split(r"[=\s]", d)[0] == name:
            return i
    raise AssertionError(f"{name} not in {deps}: update this test")


def _set(deps: list, name: str, new) -> None:
    i = _index(deps, name)
    if new is None:
        del deps[i]
    else:
        deps[i] = new


DRIFT_CASES = {
    # id: (edit(env, pins), expected message prefix(pins))
    "version": (lambda e, v: _set(_conda_deps(e), "numpy", "numpy=0.0.1"),
                lambda v: f"numpy: pyproject.toml has {v['numpy']}, environment.yml has 0.0.1"),
    "missing": (lambda e, v: _set(_conda_deps(e), "tqdm", None),
                lambda v: "tqdm: in pyproject.toml, missing from environment.yml"),
    "unpinned": (lambda e, v: _set(_conda_deps(e), "pytorch", "pytorch"),
                 lambda v: "torch (conda: pytorch): not pinned in environment.yml"),
    "torch-version": (lambda e, v: _set(_conda_deps(e), "pytorch", "pytorch=2.0.1"),
                      lambda v: f"torch (conda: pytorch): pyproject.toml has {v['torch']}, "
                                "environment.yml has 2.0.1"),
    "pip-section": (lambda e, v: _set(_pip_deps(e), "torchviz", "torchviz==0.0.1"),
                    lambda v: f"torchviz: pyproject.toml has {v['torchviz']}, environment.yml has 0.0.1"),
    "pip-name-in-conda": (lambda e, v: _set(_conda_deps(e), "python-graphviz",
                                            f"graphviz-python={v['graphviz']}"),
                          lambda v: "graphviz (conda: python-graphviz): in pyproject.toml, "
                                    "missing from environment.yml"),
    "extra": (lambda e, v: _conda_deps(e).insert(1, "scipy=1.16.0"),
              lambda v: "scipy: in environment.yml, missing from pyproject.toml"),
    "twice": (lambda e, v: _pip_deps(e).append(f"tqdm=={v['tqdm']}"),
              lambda v: "tqdm: listed twice in environment.yml"),
}


@pytest.mark.parametrize("case", DRIFT_CASES, ids=list(DRIFT_CASES))
def test_drift_is_reported(pyproject, env_text, case):
    edit, expected = DRIFT_CASES[case]
    pins = pyproject_pins(pyproject)
    env = load_yaml(env_text)  # a fresh copy
    if drift(pyproject, env):
        pytest.skip("environment.yml already drifted: see test_environment_yml_matches_pyproject")
    edit(env, pins)
    problems = drift(pyproject, env)
    assert any(p.startswith(expected(pins)) for p in problems), problems


def test_drift_is_reported_from_yml_text(pyproject, env_text):
    # the same through the text parser, on a textual copy of the file
    drifted = re.sub(r"(?m)^(\s*- numpy\s*=).*$", r"\g<1>0.0.1", env_text)
    assert drifted != env_text
    problems = drift(pyproject, parse_simple_yaml(drifted))
    assert [p for p in problems if p.startswith("numpy:")] == [
        f"numpy: pyproject.toml has {pyproject_pins(pyproject)['numpy']}, environment.yml has 0.0.1"
    ]


def test_drift_in_pyproject_is_reported(pyproject, env):
    changed = {"project": dict(pyproject["project"])}
    deps = [d for d in pyproject["project"]["dependencies"] if not d.startswith("tqdm")]
    changed["project"]["dependencies"] = deps + ["requests==2.32.0", "tqdm"]
    problems = drift(changed, env)
    assert "requests: in pyproject.toml, missing from environment.yml" in problems
    assert "tqdm: not pinned with == in pyproject.toml" in problems


def test_simple_parser_reads_environment_yml(env_text):
    parsed = parse_simple_yaml(env_text)
    assert parsed["channels"] == ["conda-forge", "nodefaults"]
    pip = [d["pip"] for d in parsed["dependencies"] if isinstance(d, dict)]
    assert len(pip) == 1 and "-e ." in pip[0], parsed
    if yaml is not None:
        assert parsed == yaml.safe_load(env_text)


# --- README, CI and Makefile agree --------------------------------------------
def readme_commands() -> list[str]:
    text = README.read_text()
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.S | re.M)
    return [ln.strip().removeprefix("$ ").strip() for b in blocks for ln in b.splitlines() if ln.strip()]


def script_commands(path: Path) -> list[str]:
    out = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        words = shlex.split(line)
        while words and words[0] in {"exec", "time", "command"}:
            words = words[1:]
        # drop redirections such as </dev/null
        words = [w for w in words if not re.match(r"^\d*[<>]", w)]
        out.append(" ".join(words))
    return out


def test_ci_runs_the_readme_test_command():
    tests = [c for c in readme_commands() if re.fullmatch(r"make\s+test\b.*", c)]
    assert tests, "README.md must give the test command (`make test`) in a code block"
    assert tests[0] in script_commands(CI_RUN), (
        f".ci/run must run {tests[0]!r}, the test command from README.md; "
        f"it runs {script_commands(CI_RUN)}"
    )


def test_ci_run_is_executable():
    assert os.access(CI_RUN, os.X_OK), "chmod +x .ci/run"
    assert CI_RUN.read_text().startswith("#!"), ".ci/run needs a shebang"


def make_rule(target: str) -> tuple[list[str], list[str]]:
    """(prerequisites, recipe lines) of `target` in the Makefile."""
    lines = MAKEFILE.read_text().splitlines()
    for i, line in enumerate(lines):
        m = re.match(rf"^{re.escape(target)}\s*:(?!=)(.*)$", line)
        if m:
            prereqs = m.group(1).split(";")[0].split()
            recipe = []
            for rl in lines[i + 1:]:
                if not rl.startswith("\t"):
                    break
                recipe.append(rl.strip())
            return prereqs, recipe
    pytest.fail(f"Makefile has no {target!r} target")


def test_make_test_bootstraps_first():
    prereqs, recipe = make_rule("test")
    assert "bootstrap" in prereqs, "a fresh clone must set itself up: `test: bootstrap`"
    assert any("-m pytest" in r and "$(PYTEST_ARGS)" in r for r in recipe), recipe
    _, boot = make_rule("bootstrap")
    assert any("scripts/bootstrap.sh" in r for r in boot), boot


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_make_dry_run_order():
    out = subprocess.run(
        ["make", "-n", "test", "PYTEST_ARGS=--marker-xyz"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    assert "scripts/bootstrap.sh" in out and "--marker-xyz" in out, out
    assert out.index("scripts/bootstrap.sh") < out.index("-m pytest"), out
