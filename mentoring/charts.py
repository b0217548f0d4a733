"""The life-mastery chart: every domain's rating (1–5) over time, drawn on the server as SVG."""

from dataclasses import dataclass

from django.utils import formats

# Seven distinguishable colours with enough contrast on white (WCAG 1.4.11).
COLOURS = ("#0b3a82", "#b3261e", "#1b6e20", "#7a3e9d", "#8a5a00", "#00696f", "#5c5c5c")
WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 28, WIDTH - 36, 14, 196


@dataclass(frozen=True)
class Line:
    label: str
    colour: str
    points: list[tuple[float, float, int]]  # x, y, rating

    @property
    def path(self) -> str:
        return " ".join(f"{x},{y}" for x, y, _rating in self.points)


@dataclass(frozen=True)
class ProgressChart:
    lines: list[Line]
    ticks: list[tuple[float, str]]
    levels: list[tuple[float, int]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = RIGHT
    bottom: int = BOTTOM


def _y(rating: int) -> float:
    return round(BOTTOM - (BOTTOM - TOP) * (rating - 1) / 4, 1)


def progress_chart(series) -> ProgressChart | None:
    """`series` as mentoring.selectors.progress gives it; None when nothing is rated yet."""
    dates = sorted({date for line in series for date, _rating in line.points})
    if not dates:
        return None
    step = (RIGHT - LEFT) / max(len(dates) - 1, 1)
    x_of = {date: round(LEFT + index * step, 1) for index, date in enumerate(dates)}
    lines = [
        Line(
            line.label,
            COLOURS[index % len(COLOURS)],
            [(x_of[date], _y(rating), rating) for date, rating in line.points],
        )
        for index, line in enumerate(series)
    ]
    ticks = [(x_of[date], formats.date_format(date, "SHORT_DATE_FORMAT")) for date in dates]
    return ProgressChart(lines, ticks, [(_y(level), level) for level in range(1, 6)])
