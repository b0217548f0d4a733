"""Small-number protection: "<5", and the complementary cells that keep it from being subtracted."""

import random

from measures.statistics.protection import Line, Shown, protect


def _table(parts: dict[str, int]) -> tuple[dict, list[Line]]:
    values = {**parts, "total": sum(parts.values())}
    return values, [Line("total", tuple(parts))]


def test_counts_under_five_are_small_and_the_rest_visible():
    shown = protect({"a": 4, "b": 5, "c": 0}, [])
    assert shown == {"a": Shown.SMALL, "b": Shown.VISIBLE, "c": Shown.SMALL}


def test_one_small_cell_beside_a_total_takes_the_smallest_other_cell_with_it():
    values, lines = _table({"right": 12, "left": 7, "religious": 3, "other": 9})
    shown = protect(values, lines)
    assert shown["religious"] is Shown.SMALL
    # total − visible parts would give "religious" back; "left" (the smallest) is hidden too.
    assert shown["left"] is Shown.HIDDEN
    assert shown["right"] is shown["other"] is shown["total"] is Shown.VISIBLE


def test_two_small_cells_that_could_both_be_four_still_take_a_hidden_cell():
    # 20 − 12 = 8 = 4 + 4: two small cells alone would both be given away.
    values, lines = _table({"a": 12, "b": 4, "c": 4})
    shown = protect(values, lines)
    assert shown["a"] is Shown.HIDDEN
    # Whether the small cells were 4 + 4 or 1 + 0 cannot be read from the pattern:
    # the same "<5" cells beside the same visible cells give the same decision.
    other_values, _lines = _table({"a": 12, "b": 1, "c": 0})
    assert protect(other_values, lines) == shown


def test_a_table_whose_total_is_small_hides_nothing_more():
    values, lines = _table({"a": 2, "b": 1})
    assert protect(values, lines) == {"a": Shown.SMALL, "b": Shown.SMALL, "total": Shown.SMALL}


def test_the_quarters_and_the_year_protect_each_other():
    values = {"q1": 3, "q2": 9, "h1": 12, "q3": 8, "q4": 6, "h2": 14, "year": 26}
    lines = [
        Line("h1", ("q1", "q2")),
        Line("h2", ("q3", "q4")),
        Line("year", ("h1", "h2")),
    ]
    shown = protect(values, lines)
    # Without a second hidden cell, h1 − q2 would give q1.
    assert shown["q1"] is Shown.SMALL and shown["q2"] is Shown.HIDDEN
    assert shown["year"] is Shown.VISIBLE


def _given_away(values, shown, lines) -> list:
    """Small, non-zero cells a reader can pin to one value from the visible cells and bounds.

    Each small cell lies in [0, 4], each hidden cell in [5, total]. For every
    line, the hidden part of the sum is known; a small cell is given away
    when its bounds on that line close to one value.
    """
    pinned = []
    for line in lines:
        cells = (*line.parts, line.total)
        if shown[line.total] is not Shown.VISIBLE:
            continue
        unknown = [cell for cell in line.parts if shown[cell] is not Shown.VISIBLE]
        known_sum = values[line.total] - sum(
            values[cell] for cell in line.parts if shown[cell] is Shown.VISIBLE
        )
        for cell in unknown:
            others = [other for other in unknown if other != cell]
            most_of_others = sum(
                4 if shown[o] is Shown.SMALL else values[line.total] for o in others
            )
            least_of_others = sum(0 if shown[o] is Shown.SMALL else 5 for o in others)
            low, high = known_sum - most_of_others, known_sum - least_of_others
            low, high = max(low, 0), min(high, 4 if shown[cell] is Shown.SMALL else high)
            if shown[cell] is Shown.SMALL and low == high and values[cell] > 0:
                pinned.append((cell, cells))
    return pinned


def test_no_small_cell_can_be_worked_out_in_many_random_tables():
    generator = random.Random(2026)
    for _round in range(400):
        rows = [f"r{n}" for n in range(generator.randint(2, 6))]
        quarters = {
            row: [generator.choice([0, 1, 2, 3, 4, 5, 6, 8, 12, 20]) for _q in range(4)]
            for row in rows
        }
        values, lines = {}, []
        for row in [*rows, "total"]:
            q = (
                quarters[row]
                if row != "total"
                else [sum(quarters[r][i] for r in rows) for i in range(4)]
            )
            cells = dict(zip(("q1", "q2", "q3", "q4"), q, strict=True))
            cells["h1"], cells["h2"] = q[0] + q[1], q[2] + q[3]
            cells["year"] = sum(q)
            values.update({(row, column): value for column, value in cells.items()})
            lines += [
                Line((row, "h1"), ((row, "q1"), (row, "q2"))),
                Line((row, "h2"), ((row, "q3"), (row, "q4"))),
                Line((row, "year"), ((row, "h1"), (row, "h2"))),
            ]
        for column in ("q1", "q2", "q3", "q4", "h1", "h2", "year"):
            lines.append(Line(("total", column), tuple((row, column) for row in rows)))
        shown = protect(values, lines)
        assert all(values[cell] >= 5 for cell, state in shown.items() if state is Shown.HIDDEN)
        assert _given_away(values, shown, lines) == []
        for line in lines:
            states = [shown[cell] for cell in (*line.parts, line.total)]
            if Shown.SMALL in states and Shown.VISIBLE in states:
                assert Shown.HIDDEN in states
