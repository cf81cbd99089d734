"""Tables for the terminal and the grades report an instructor would rather look at.

``write_report`` draws, from the gradebook and the autograded notebooks:
the score distribution of each assignment, the pass rate of every check, and the
most frequent mistake messages, as PNG figures beside a short Markdown summary.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import nbformat
from nbgrader.utils import is_grade

from grading.console import table


def autograde_table(reports) -> str:
    rows = []
    for r in reports:
        notes = "; ".join(r.problems) or (f"{len(r.failed_tests)} test(s) failed" if r.failed_tests else "")
        rows.append([r.student, r.assignment, r.status, f"{r.score:g} / {r.max_score:g}", notes[:100]])
    return table(["student", "assignment", "status", "score", "notes"], rows)


def _checks(course) -> tuple[dict[str, list[float]], dict[tuple[str, str], list[bool]], Counter]:
    """Scores per assignment, pass/fail per (assignment, test), and failure messages."""
    scores: dict[str, list[float]] = defaultdict(list)
    passes: dict[tuple[str, str], list[bool]] = defaultdict(list)
    messages: Counter = Counter()
    for row in course.grades():
        if not row["verified"]:  # not final yet; listed apart in the report
            continue
        scores[row["assignment"]].append(row["score"] / row["max_score"] * 100 if row["max_score"] else 0.0)
        path = course.root / "autograded" / row["student"] / row["assignment"] / f"{row['assignment']}.ipynb"
        if not path.exists():
            continue
        failed = course.failed_tests(row["student"], row["assignment"])
        for cell in nbformat.read(path, as_version=4).cells:
            if is_grade(cell):
                grade_id = cell.metadata.nbgrader.grade_id
                passes[(row["assignment"], grade_id)].append(grade_id not in failed)
        for message in failed.values():
            messages[_first_clause(message)] += 1
    return scores, passes, messages


def _first_clause(message: str) -> str:
    """Group messages that differ only in the numbers they quote: by the named mistake if any."""
    text = message.removeprefix("AssertionError: ")
    function = text.split("(")[0].split(":")[0].split()[0] if text.strip() else "?"
    if "; " in text:
        return f"{function}: {text.rsplit('; ', 1)[1]}"[:90]
    return text.split(": expected")[0].split(" (")[0][:90]


def write_report(course, out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    out.mkdir(parents=True, exist_ok=True)
    scores, passes, messages = _checks(course)
    written = []

    names = sorted(scores)
    fig, axes = plt.subplots(len(names) or 1, 1, figsize=(7, 1.6 + 1.4 * max(len(names), 1)), squeeze=False)
    for ax, name in zip(axes[:, 0], names or ["(no grades yet)"]):
        ax.hist(scores.get(name, []), bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.001], color="#4c72b0",
                edgecolor="white")
        ax.set_title(f"{name}: {len(scores.get(name, []))} submission(s)", fontsize=10, loc="left")
        ax.set_xlim(0, 100)
        ax.set_ylabel("students")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes[-1, 0].set_xlabel("score (% of the assignment's points)")
    fig.suptitle("Score distribution per assignment")
    fig.tight_layout()
    written.append(_save(fig, out / "score_distribution.png"))

    checks = sorted(passes)
    fig, ax = plt.subplots(figsize=(10, 1.5 + 0.28 * max(len(checks), 1)))
    rates = [100 * sum(passes[c]) / len(passes[c]) for c in checks]
    ax.barh([f"{a}: {t.removeprefix('test_')}" for a, t in checks], rates,
            color=["#55a868" if r >= 70 else "#dd8452" if r >= 40 else "#c44e52" for r in rates])
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.set_xlabel("% of submissions passing")
    ax.set_title("Pass rate of every check")
    ax.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    written.append(_save(fig, out / "pass_rates.png"))

    top = messages.most_common(12)
    fig, ax = plt.subplots(figsize=(11, 1.5 + 0.35 * max(len(top), 1)))
    ax.barh([m for m, _ in top] or ["(no failures)"], [n for _, n in top] or [0], color="#c44e52")
    ax.invert_yaxis()
    ax.set_xlabel("failed test cells")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Most frequent mistake messages")
    ax.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    written.append(_save(fig, out / "frequent_mistakes.png"))

    summary = out / "report.md"
    lines = ["# Grades report", ""]
    unverified = course.unverified()
    if unverified:
        # First, because these scores are not final: the instructor must act on them.
        lines += ["## Unverified submissions", "",
                  "Their points that only the student's kernel vouched for are withheld, and they are left out",
                  "of the grades export until `course autograde` verifies them.", "",
                  "| student | assignment | why |", "|---|---|---|"]
        lines += [f"| {v.student} | {v.assignment} | {'; '.join(v.problems)} |" for v in unverified]
        lines.append("")
    lines += ["![](score_distribution.png)", "", "![](pass_rates.png)", "",
              "![](frequent_mistakes.png)", "", "| message | count |", "|---|---|"]
    lines += [f"| {m} | {n} |" for m, n in top]
    summary.write_text("\n".join(lines) + "\n")
    written.append(summary)
    return written


def _save(fig, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
