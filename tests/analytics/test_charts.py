"""The charts' SVG: well-formed, one bar or point per number, text escaped."""
import re
from xml.etree import ElementTree

import pytest

from channels.desk.analytics import charts
from channels.desk.analytics.figures import Series

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script> & co"


def parsed(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg.encode())


def by_id(tree: ElementTree.Element, prefix: str) -> list:
    return [e for e in tree.iter() if (e.get("id") or "").startswith(prefix)]


def bar_heights(group: ElementTree.Element) -> list:
    """The drawn height of each bar (a closed path) of a collection, in the SVG's units."""
    heights = []
    for path in group.iter(f"{SVG}path"):
        ys = [float(y) for y in re.findall(r"[ML] [-\d.]+ ([-\d.]+)", path.get("d"))]
        heights.append(round(max(ys) - min(ys), 1))
    return heights


def test_each_channel_has_a_panel_of_its_own_so_a_small_one_still_shows():
    series = Series("c", ("day", "website", HOSTILE, "Telegram"),
                    [("2026-11-01", 1000, 2, 0), ("2026-11-02", 500, 1, 0), ("2026-11-03", 1000, 2, 1)])
    tree = parsed(charts.days_by_column(series))
    large, small, tiny = (by_id(tree, f"bars-{name}")[0] for name in ("website", HOSTILE, "Telegram"))
    assert [len(g.findall(f"{SVG}path")) for g in (large, small, tiny)] == [3, 3, 3]
    # 2 conversations a day are drawn as tall as 1,000: each channel has its own scale.
    assert bar_heights(small)[0] == bar_heights(large)[0] > 0
    assert bar_heights(small)[1] == bar_heights(large)[1] == pytest.approx(bar_heights(large)[0] / 2, abs=0.2)
    assert bar_heights(tiny)[2] > 0
    assert HOSTILE in "".join(tree.itertext())  # the panel's label, as text


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


def test_percentages_are_drawn_on_a_scale_to_100_even_when_all_are_low():
    tree = parsed(charts.bars(Series("s", ("program", "helpful %"), [("a", 0.0), ("b", 5.0)]), 100))
    assert len(by_id(tree, "bar-")) == 2
    assert "100" in "".join(tree.itertext())  # the axis runs to 100 %, not to the longest bar
