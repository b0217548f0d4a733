"""Chart geometry for server-rendered SVG: bars for distributions, a line for the trend.

Only what is shown anyway goes into a chart: a "<5" or hidden cell has no
bar and no point, and is labelled as in the table next to it.
"""

from dataclasses import dataclass
from typing import ClassVar

# Drawn at about the size of a card, so the text reads at its own size.
WIDTH = 480
LABEL_WIDTH = 180
BAR_START = LABEL_WIDTH + 6
BAR_SPACE = WIDTH - BAR_START - 40
ROW_HEIGHT = 22
LABEL_CHARACTERS = 27


@dataclass(frozen=True)
class Bar:
    label: str
    full_label: str
    text: str
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    kind: ClassVar[str] = "bars"
    bars: list[Bar]
    height: int
    label_x: int = LABEL_WIDTH
    bar_x: int = BAR_START
    width: int = WIDTH


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def bar_chart(rows: list[tuple[str, object]]) -> BarChart:
    """`rows` are (label, cell) pairs; a cell has `value`, `text` and `is_visible`."""
    largest = max((cell.value for _label, cell in rows if cell.is_visible), default=0) or 1
    bars = [
        Bar(
            label=_short(label),
            full_label=label,
            text=cell.text,
            y=index * ROW_HEIGHT,
            width=round(BAR_SPACE * cell.value / largest, 1) if cell.is_visible else 0,
        )
        for index, (label, cell) in enumerate(rows)
    ]
    return BarChart(bars=bars, height=len(bars) * ROW_HEIGHT + 4)


@dataclass(frozen=True)
class Point:
    label: str
    text: str
    x: float
    y: float | None


@dataclass(frozen=True)
class LineChart:
    kind: ClassVar[str] = "line"
    points: list[Point]
    segments: list[tuple[Point, Point]]
    largest: int
    top: int
    bottom: int
    left: int
    right: int
    width: int = WIDTH
    height: int = 230


def line_chart(rows: list[tuple[str, object]]) -> LineChart:
    left, right, top, bottom = 40, WIDTH - 26, 16, 180
    largest = max((cell.value for _label, cell in rows if cell.is_visible), default=0) or 1
    step = (right - left) / max(len(rows) - 1, 1)
    points = [
        Point(
            label=label,
            text=cell.text,
            x=round(left + index * step, 1),
            y=round(bottom - (bottom - top) * cell.value / largest, 1) if cell.is_visible else None,
        )
        for index, (label, cell) in enumerate(rows)
    ]
    # A hidden quarter breaks the line: no slope may hint at its value.
    segments = [
        (a, b)
        for a, b in zip(points, points[1:], strict=False)
        if a.y is not None and b.y is not None
    ]
    return LineChart(points, segments, largest, top, bottom, left, right)
