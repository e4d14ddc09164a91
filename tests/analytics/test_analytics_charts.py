"""Charts: deterministic SVG, readable by a screen reader, allowed by the console's CSP."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from transitguard.analytics.charts import Series, bar_chart, line_chart, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"


def bars() -> str:
    return bar_chart(
        "Passengers <per> month",
        ["2023-01", "2023-02", "2023-03"],
        [Series("to Kaliningrad", (10.0, 20.0, 30.0)), Series("from Kaliningrad", (5.0, 0.0, 12.5))],
    )


def test_the_same_numbers_give_the_same_markup() -> None:
    assert bars() == bars()


def test_a_chart_is_well_formed_and_titled_for_screen_readers() -> None:
    root = ET.fromstring(bars())
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None
    assert title.text == "Passengers <per> month"
    assert desc is not None
    assert "highest 30 at 2023-03" in (desc.text or "")
    assert set((root.get("aria-labelledby") or "").split()) == {title.get("id"), desc.get("id")}


def test_no_inline_style_and_no_script_so_the_csp_allows_it() -> None:
    for markup in (bars(), line_chart("x", ["a", "b"], [Series("s", (1.0, float("nan")))], marks=[0])):
        assert "style=" not in markup
        assert "<script" not in markup.lower()
        assert "<style" not in markup.lower()


def test_every_bar_carries_its_value_and_series_class() -> None:
    root = ET.fromstring(bars())
    groups = [g for g in root.iter(f"{SVG}g") if "series " in (g.get("class") or "")]
    assert [g.get("class") for g in groups] == ["series series-0", "series series-1"]
    labels = [r.findtext(f"{SVG}title") for g in groups for r in g.iter(f"{SVG}rect")]
    assert "2023-03, to Kaliningrad: 30" in labels
    assert "2023-03, from Kaliningrad: 12.50" in labels
    heights = {
        r.findtext(f"{SVG}title"): float(r.get("height") or 0) for g in groups for r in g.iter(f"{SVG}rect")
    }
    # The tallest bar fills the plot (top of the axis is 30), a zero has no height.
    assert heights["2023-02, from Kaliningrad: 0"] == 0
    assert heights["2023-03, to Kaliningrad: 30"] == max(heights.values())


def test_flagged_points_are_ringed_on_a_line_chart() -> None:
    markup = line_chart(
        "Missing per week", ["w1", "w2", "w3"], [Series("missing", (1.0, 2.0, 9.0))], marks=[2]
    )
    assert len(re.findall(r"<title>w3: flagged</title>", markup)) == 1
    assert "w1: flagged" not in markup


def test_a_series_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="series 'a' has 1 values for 2 labels"):
        bar_chart("x", ["p", "q"], [Series("a", (1.0,))])


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (7, 10), (11, 20), (240, 250), (14_000, 20_000), (0.3, 0.5)]
)
def test_the_axis_top_is_a_round_number_at_or_above_the_highest(value: float, top: float) -> None:
    assert math.isclose(nice_ceiling(value), top)
