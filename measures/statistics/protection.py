"""Small-number protection for the statistics: "<5", and the cells hidden with them.

A small municipality's table can point at a person ("one girl, 15, Heimdal").
So every count from 1 to 4 is shown as "<5" (*small*). That alone is not
enough: a total and the other cells of its line give a small cell back by
subtraction. So in every line that adds up (the categories of a table and
their total, the quarters of a half-year, the halves of a year) where a
small cell sits beside a visible total, other cells of at least 5 are hidden
too (*hidden*, shown as "×") until the sum a reader can work out leaves
every small cell open between 1 and at least 2. Several small cells that
share their sum protect each other; a hidden cell is at least 5 but has no
upper bound.

A zero is shown as 0. It describes nobody, and hiding it would hide a real
figure beside it in nearly every table of a small municipality. A zero is
never used as a hidden cell, because a reader could tell it apart.

This is the usual heuristic of statistics offices, line by line. It decides
only from what is shown anyway (which cells are small, and the visible
values), so the pattern tells nothing more. docs/statistics.md explains the method and its limits.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from enum import Enum

THRESHOLD = 5


class Shown(Enum):
    VISIBLE = "visible"
    SMALL = "small"  # 1 to 4, shown as "<5"
    HIDDEN = "hidden"  # at least 5, hidden so that a small cell cannot be worked out: "×"


@dataclass(frozen=True)
class Line:
    """Cells that add up: `parts` sum to `total`."""

    total: Hashable
    parts: tuple[Hashable, ...]


def _is_safe(line: Line, shown: dict, values: dict) -> bool:
    """Whether every small part of the line keeps at least the values 1 and 2 open.

    Only a visible total gives anything away: the non-visible parts then sum
    to a known `rest`. A small part is 1 to 4, a hidden part 5 or more. So a
    small part is at most rest − 1 per other small part − 5 per hidden part,
    and at least rest − 4 per other small part when nothing is hidden. The
    line is safe when that range starts at 1 and reaches 2: then no line,
    alone or beside another, narrows a small cell to one value.
    """
    if shown[line.total] is not Shown.VISIBLE:
        return True
    small = sum(shown[part] is Shown.SMALL for part in line.parts)
    if not small:
        return True
    hidden = sum(shown[part] is Shown.HIDDEN for part in line.parts)
    rest = values[line.total] - sum(
        values[part] for part in line.parts if shown[part] is Shown.VISIBLE
    )
    highest = rest - (small - 1) - THRESHOLD * hidden
    lowest = 1 if hidden else rest - (THRESHOLD - 1) * (small - 1)
    return lowest <= 1 and highest >= 2


def protect(values: dict[Hashable, int], lines: Iterable[Line]) -> dict[Hashable, Shown]:
    """How each cell may be shown. A cell in no line is protected on its own ("<5")."""
    shown = {
        cell: Shown.SMALL if 0 < value < THRESHOLD else Shown.VISIBLE
        for cell, value in values.items()
    }
    lines = list(lines)
    changed = True
    while changed:
        changed = False
        for line in lines:
            if _is_safe(line, shown, values):
                continue
            candidates = [
                cell
                for cell in (*line.parts, line.total)
                if shown[cell] is Shown.VISIBLE and values[cell] >= THRESHOLD
            ]
            # The smallest part costs the reader least; the total only when no part is left.
            # The cell's key breaks ties so that the same data always gives the same page.
            pick = min(candidates, key=lambda cell: (cell == line.total, values[cell], repr(cell)))
            shown[pick] = Shown.HIDDEN
            changed = True
    return shown
