"""Text for terminals and logs, shared by students' and instructors' commands: aligned tables."""
from __future__ import annotations

import io
from typing import Sequence

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

# Plain ASCII: a header, a row of dashes, no borders, so that logs and CI show it as is.
_PLAIN = box.Box("    \n    \n -  \n    \n    \n    \n    \n    \n", ascii=True)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """An aligned text table (rich's Table, without colour, markup or wrapping)."""
    grid = Table(box=_PLAIN, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    for name in header:
        grid.add_column(str(name), no_wrap=True, overflow="ignore")
    for row in rows:
        grid.add_row(*(Text(str(cell)) for cell in row))
    console = Console(file=io.StringIO(), width=100_000, color_system=None, highlight=False)
    console.print(grid, crop=False)
    return "\n".join(line.rstrip() for line in console.file.getvalue().splitlines())
