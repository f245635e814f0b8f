"""The charts' SVG: well-formed, one bar or point per number, text escaped."""
from xml.etree import ElementTree

from channels.desk.analytics import charts
from channels.desk.analytics.figures import Series

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script> & co"


def parsed(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg.encode())


def by_id(tree: ElementTree.Element, prefix: str) -> list:
    return [e for e in tree.iter() if (e.get("id") or "").startswith(prefix)]


def test_stacked_days_draw_a_bar_per_day_and_column():
    series = Series("c", ("day", "REST", HOSTILE), [("2026-11-01", 1, 2), ("2026-11-02", 0, 3), ("2026-11-03", 4, 0)])
    tree = parsed(charts.stacked_days(series))
    groups = by_id(tree, "bars-")
    assert [len(g.findall(f"{SVG}path")) for g in groups] == [3, 3]
    assert HOSTILE in "".join(tree.itertext())  # the legend, as text


def test_lines_have_a_point_per_day_with_a_value():
    series = Series("r", ("day", "conversations", "containment %", "handoff rate %"),
                    [("2026-11-01", 2, 50.0, 50.0), ("2026-11-02", 0, None, None), ("2026-11-03", 1, 100.0, 0.0)])
    tree = parsed(charts.lines_per_day(series, (2, 3), ("containment", "handoff-rate")))
    assert [len(g.findall(f".//{SVG}use")) for g in by_id(tree, "points-")] == [2, 2]


def test_bars_are_one_per_row_with_escaped_labels():
    svg = charts.bars(Series("t", ("topic", "answers"), [(HOSTILE, 3), ("fees", 1)]))
    tree = parsed(svg)
    assert len(by_id(tree, "bar-")) == 2
    assert "<script>" not in svg and HOSTILE in "".join(tree.itertext())
    empty = parsed(charts.bars(Series("t", ("topic", "answers"), [])))
    assert by_id(empty, "bar-") == [] and "Nothing in this period" in "".join(empty.itertext())
