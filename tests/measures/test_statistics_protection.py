"""Small-number protection: "<5", and the complementary cells that keep it from being subtracted."""

import random

from measures.statistics.protection import Line, Shown, protect


def _table(parts: dict[str, int]) -> tuple[dict, list[Line]]:
    values = {**parts, "total": sum(parts.values())}
    return values, [Line("total", tuple(parts))]


def test_counts_from_one_to_four_are_small_and_the_rest_visible():
    shown = protect({"a": 4, "b": 5, "c": 0, "d": 1}, [])
    assert shown == {"a": Shown.SMALL, "b": Shown.VISIBLE, "c": Shown.VISIBLE, "d": Shown.SMALL}


def test_one_small_cell_beside_a_total_takes_the_smallest_other_cell_with_it():
    values, lines = _table({"right": 12, "left": 7, "religious": 3, "other": 9})
    shown = protect(values, lines)
    assert shown["religious"] is Shown.SMALL
    # total − visible parts would give "religious" back; "left" (the smallest) is hidden too.
    assert shown["left"] is Shown.HIDDEN
    assert shown["right"] is shown["other"] is shown["total"] is Shown.VISIBLE


def test_two_small_cells_that_could_both_be_four_take_a_hidden_cell():
    # 20 − 12 = 8 = 4 + 4: two small cells alone would both be given away.
    values, lines = _table({"a": 12, "b": 4, "c": 4})
    shown = protect(values, lines)
    assert shown["a"] is Shown.HIDDEN


def test_small_cells_that_share_a_sum_protect_each_other():
    # 8 = 2 + 3 + 3, each of them 1 to 4: the total can stay, nothing is hidden.
    values, lines = _table({"a": 2, "b": 3, "c": 3, "none": 0})
    assert protect(values, lines)["total"] is Shown.VISIBLE
    assert Shown.HIDDEN not in protect(values, lines).values()


def test_a_hidden_five_beside_a_one_is_not_enough_and_a_zero_is_never_hidden():
    # With only "b" hidden, 26 − 20 = 6 = a + b, b ≥ 5, a ≥ 1: a would be 1.
    values, lines = _table({"a": 1, "b": 5, "c": 20, "none": 0})
    shown = protect(values, lines)
    assert shown["a"] is Shown.SMALL
    assert shown["b"] is shown["c"] is Shown.HIDDEN
    assert shown["none"] is Shown.VISIBLE and shown["total"] is Shown.VISIBLE


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
    """Small cells a reader can pin to one value from the visible cells and the bounds.

    Each small cell lies in [1, 4], each hidden cell in [5, total]. Every line
    with a visible total bounds each small part; the bounds of all lines
    through a cell are intersected, and a cell is given away when one value is left.
    """
    low, high = {}, {}
    for line in lines:
        if shown[line.total] is not Shown.VISIBLE:
            continue
        unknown = [cell for cell in line.parts if shown[cell] is not Shown.VISIBLE]
        rest = values[line.total] - sum(
            values[cell] for cell in line.parts if shown[cell] is Shown.VISIBLE
        )
        for cell in unknown:
            if shown[cell] is not Shown.SMALL:
                continue
            others = [other for other in unknown if other != cell]
            most = sum(4 if shown[o] is Shown.SMALL else values[line.total] for o in others)
            least = sum(1 if shown[o] is Shown.SMALL else 5 for o in others)
            low[cell] = max(low.get(cell, 1), rest - most)
            high[cell] = min(high.get(cell, 4), rest - least)
    return [cell for cell in low if low[cell] >= high[cell]]


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
        # A hidden cell is never a small one or a zero: it must be at least 5.
        assert all(values[cell] >= 5 for cell, state in shown.items() if state is Shown.HIDDEN)
        assert _given_away(values, shown, lines) == []
