"""Every clause of the contract is enforced by a test, and every contract name has a grader test named after it.

The table is tests/contract_coverage.py: each clause of ../shared/CURRICULUM.md, quoted, with the
tests that fail when a submission breaks it. These tests fail when a clause has no test, when a
listed test does not exist, when a contract name has no grader test ``test_<name>_...``, when a
grader test enforces no listed clause, and, where CURRICULUM.md can be read, when the table and
the contract disagree (a clause missing from the table, or one the contract no longer has).
"""
from __future__ import annotations

import ast
import os
import re
from collections import Counter
from pathlib import Path

import pytest

import contract_coverage as table

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
CURRICULUM = Path(os.environ.get("GRADING_CURRICULUM", ROOT.parent / "shared" / "CURRICULUM.md"))


# ------------------------------------------------------------------ reading the contract

def normalise(text: str) -> str:
    return " ".join(text.split())


def bullets(text: str) -> list[tuple[str, str]]:
    """(section, text) for every bullet of the contract: "general" before the first module heading,
    then the module (``## exNN_topic``); a bullet's continuation lines are joined to it."""
    section, found, current = "general", [], None
    for line in text.splitlines():
        heading = re.match(r"^## (ex\d\d_\w+)", line)
        if heading:
            section = heading.group(1)
        if line.startswith("- "):
            current = [section, line[2:]]
            found.append(current)
        elif current is not None and line.startswith("  ") and line.strip():
            current[1] += " " + line.strip()
        else:
            current = None
    return [(s, normalise(t)) for s, t in found]


def clauses(bullet: str) -> list[str]:
    """A bullet cut into clauses: after a "." that ends a sentence, and after every ";", outside backticks."""
    parts, start, ticked = [], 0, False
    for i, char in enumerate(bullet):
        if char == "`":
            ticked = not ticked
            continue
        if ticked or char not in ".;" or (i + 1 < len(bullet) and bullet[i + 1] != " "):
            continue
        following = bullet[i + 2: i + 3]
        if char == ";" or i + 1 == len(bullet) or following.isupper() or following in ("`", "(", '"'):
            parts.append(bullet[start: i + 1].strip())
            start = i + 1
    rest = bullet[start:].strip()
    return parts + ([rest] if rest else [])


def contract_clauses(text: str) -> set[tuple[str, str]]:
    return {(section, clause) for section, bullet in bullets(text) for clause in clauses(bullet)
            if section not in table.EXCLUDED}


def contract_names(text: str) -> dict[str, set[str]]:
    """The backticked name (``name(`` or ``NAME``) that opens each bullet of a module section."""
    names: dict[str, set[str]] = {}
    for section, bullet in bullets(text):
        opening = re.match(r"`([A-Za-z_][A-Za-z0-9_]*)(?:\(|`)", bullet)
        if section != "general" and section not in table.EXCLUDED and opening:
            names.setdefault(section, set()).add(opening.group(1))
    return names


def contract_text() -> str:
    if not CURRICULUM.is_file():
        pytest.skip(f"the contract is not at {CURRICULUM} (it lives in ../shared/ beside the repository): the table "
                    "is still checked against the tests, not against the contract")
    return CURRICULUM.read_text()


# ------------------------------------------------------------------ reading the tests

def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def grader(module: str) -> Path:
    return TESTS / "graders" / f"test_{module}.py"


LISTED = [(section, clause, test) for section, clause, tests in table.CLAUSES for test in tests]


# ------------------------------------------------------------------------ the tests

def test_every_clause_of_the_table_has_a_test():
    empty = [f"{section}: {clause}" for section, clause, tests in table.CLAUSES if not tests]
    assert not empty, f"clauses no test enforces: {empty}"


def test_no_clause_is_listed_twice():
    twice = [key for key, n in Counter((s, normalise(c)) for s, c, _ in table.CLAUSES).items() if n > 1]
    assert not twice, f"listed more than once: {twice}"


def test_every_listed_test_exists():
    missing = []
    for section, clause, test in LISTED:
        path, _, name = test.partition("::")
        file = TESTS / path
        if not file.is_file() or name not in defined_tests(file):
            missing.append(f"{test} (for {section}: {clause[:60]})")
    assert not missing, f"the table names tests that do not exist: {missing}"


def test_every_contract_name_has_a_grader_test_named_after_it():
    unnamed = [f"{module}.{name}" for module, names in table.NAMES.items() for name in names
               if not any(t.startswith(f"test_{name}_") for t in defined_tests(grader(module)))]
    assert not unnamed, f"no grader test is named test_<name>_... after {unnamed}"


def test_every_grader_test_enforces_a_listed_clause():
    listed = {test for _, _, test in LISTED}
    idle = [f"graders/{grader(m).name}::{t}" for m in table.NAMES for t in sorted(defined_tests(grader(m)))
            if f"graders/{grader(m).name}::{t}" not in listed]
    assert not idle, f"grader tests that the table does not list under any clause: {idle}"


def test_table_quotes_every_clause_of_the_contract():
    text = contract_text()
    in_contract = contract_clauses(text)
    in_table = {(section, normalise(clause)) for section, clause, _ in table.CLAUSES}
    missing = sorted(in_contract - in_table)
    stale = sorted(in_table - in_contract)
    assert not missing, f"clauses of {CURRICULUM.name} with no entry (and so no test) in the table: {missing}"
    assert not stale, f"the table quotes clauses {CURRICULUM.name} no longer has: {stale}"


def test_table_names_are_the_contracts_names():
    names = contract_names(contract_text())
    assert {m: set(n) for m, n in table.NAMES.items()} == names, \
        f"contract names differ from the table's: contract {names}, table {table.NAMES}"


def test_excluded_sections_are_in_the_contract_and_say_why():
    sections = {section for section, _ in bullets(contract_text())}
    for section, reason in table.EXCLUDED.items():
        assert section in sections and reason.strip(), section
