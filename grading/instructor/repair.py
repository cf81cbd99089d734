"""Submissions edited outside JupyterLab: their cells matched back to the released notebook.

VS Code, Colab and older Jupyters drop or rewrite the cells' nbgrader metadata and
ids, and nbgrader then refuses the notebook or scores its answers 0. Before grading,
each submitted cell is matched to a cell of the released notebook

1. by its nbgrader ``grade_id``, where that is intact;
2. otherwise by its cell id;
3. otherwise by its position between the locked cells around it, which the student
   could not change (a sequence alignment of the cells' sources).

A matched cell gets the released cell's nbgrader metadata back (so its points are
the source's, whatever it claims). A cell that claims nbgrader metadata but matches
nothing (a graded cell the source never had) loses that metadata: it never earns
anything, and the honest answers keep theirs.
"""
from __future__ import annotations

import copy
import difflib



def _key(cell) -> tuple[str, str]:
    return cell.cell_type, "\n".join(line.rstrip() for line in cell.source.strip().splitlines())


def _meta(cell) -> dict | None:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) and meta else None


def repair(submitted, release) -> list[str]:
    """Restore the released metadata on ``submitted`` (in place); what was repaired, in words."""
    released = list(release.cells)
    by_grade_id = {m["grade_id"]: i for i, c in enumerate(released) if (m := _meta(c)) and m.get("grade_id")}
    by_cell_id = {c.get("id"): i for i, c in enumerate(released) if c.get("id")}
    match: dict[int, int] = {}  # submitted index -> released index
    way_of: dict[int, str] = {}  # submitted index -> how it was matched
    for j, cell in enumerate(submitted.cells):
        meta = _meta(cell)
        i = by_grade_id.get(meta.get("grade_id")) if meta else None
        if i is not None and released[i].cell_type == cell.cell_type and i not in match.values():
            match[j], way_of[j] = i, "grade_id"
            continue
        i = by_cell_id.get(cell.get("id"))
        if i is not None and released[i].cell_type == cell.cell_type and i not in match.values():
            match[j], way_of[j] = i, "cell id"
    # The rest by position: equal runs of cells anchor the alignment, and a changed
    # cell between two anchors is the released cell between the same anchors.
    free_j = [j for j in range(len(submitted.cells)) if j not in match]
    free_i = [i for i in range(len(released)) if i not in match.values()]
    matcher = difflib.SequenceMatcher(a=[_key(released[i]) for i in free_i],
                                      b=[_key(submitted.cells[j]) for j in free_j], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for a, b in zip(range(i1, i2), range(j1, j2)):
                if released[free_i[a]].cell_type == submitted.cells[free_j[b]].cell_type:
                    match[free_j[b]], way_of[free_j[b]] = free_i[a], "position"

    problems, restored = [], {"grade_id": 0, "cell id": 0, "position": 0}
    for j, cell in enumerate(submitted.cells):
        if j in match:
            source = released[match[j]]
            want, have = _meta(source), _meta(cell)
            if want and have and have.get("grade_id") == want.get("grade_id") \
                    and have.get("points") not in (None, want.get("points")):
                problems.append(f"cell {want['grade_id']} claimed {have.get('points')} points; "
                                f"graded for the source's {want.get('points')}")
            if want != have:
                restored[way_of[j]] += bool(want)
                if want:
                    cell.metadata["nbgrader"] = copy.deepcopy(want)
                else:
                    cell.metadata.pop("nbgrader", None)
            if source.get("id"):
                cell["id"] = source["id"]
        elif (claim := _meta(cell)) is not None:
            worth = f" worth {claim['points']} points" if claim.get("points") else ""
            problems.append(f"a cell claiming to be {claim.get('grade_id') or 'an nbgrader cell'}{worth} "
                            "matches no cell of the released notebook: it earns nothing")
            cell.metadata.pop("nbgrader", None)
    if sum(restored.values()):
        ways = ", ".join(f"{n} by {way}" for way, n in restored.items() if n)
        problems.insert(0, f"repaired: nbgrader metadata restored on {sum(restored.values())} cell(s) edited "
                           f"outside JupyterLab (matched {ways})")
    return problems
