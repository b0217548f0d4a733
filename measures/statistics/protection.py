"""Small-number protection for the statistics: "<5", and the cells hidden with them.

A small municipality's table can point at a person ("one girl, 15, Heimdal").
So every count under 5 is shown as "<5" (*small*). That alone is not enough:
a total and the other cells of its line give the small cell back by
subtraction. So in every line that adds up (the categories of a table and
their total, the quarters of a half-year, the halves of a year) that holds a
small cell and any visible cell, one more cell is hidden (*hidden*, shown
as "×"), until each such line holds a hidden cell as well. A hidden cell is
at least 5 but has no upper bound, so the sum that can be worked out is
shared among unknowns and no small cell can be pinned down.

This is the usual heuristic of statistics offices (every line with a
suppressed cell holds at least two, one of them not small). It decides only
from what is shown anyway (which cells are small, the values of visible
cells), so the pattern itself tells nothing more. docs/statistics.md
explains the method and its limits.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from enum import Enum

THRESHOLD = 5


class Shown(Enum):
    VISIBLE = "visible"
    SMALL = "small"  # under THRESHOLD, shown as "<5"
    HIDDEN = "hidden"  # hidden so that a small cell cannot be worked out, shown as "×"


@dataclass(frozen=True)
class Line:
    """Cells that add up: `parts` sum to `total`."""

    total: Hashable
    parts: tuple[Hashable, ...]


def protect(values: dict[Hashable, int], lines: Iterable[Line]) -> dict[Hashable, Shown]:
    """How each cell may be shown. Cells in no line are protected on their own ("<5")."""
    shown = {
        cell: Shown.SMALL if value < THRESHOLD else Shown.VISIBLE for cell, value in values.items()
    }
    lines = list(lines)
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = (*line.parts, line.total)
            states = [shown[cell] for cell in cells]
            if Shown.SMALL not in states or Shown.HIDDEN in states:
                continue
            visible = [cell for cell in cells if shown[cell] is Shown.VISIBLE]
            if not visible:
                continue
            # The smallest part costs the reader least; a total only when no part is left.
            # The cell's key breaks ties so that the same data always gives the same page.
            pick = min(visible, key=lambda cell: (cell == line.total, values[cell], repr(cell)))
            shown[pick] = Shown.HIDDEN
            changed = True
    return shown
