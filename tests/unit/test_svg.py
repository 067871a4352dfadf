"""The inline SVG renderer: marks where the data put them, text escaped, hidden values hidden,
nothing fetched from anywhere."""

from __future__ import annotations

import re

import pytest

from heyrick_dagster.reports import svg

CIRCLE = re.compile(r'<circle cx="([\d.]+)" cy="([\d.]+)"')


def _assert_self_contained(chart: str) -> None:
    assert chart.startswith("<svg") and chart.endswith("</svg>")
    for forbidden in ("<script", "href=", "src=", "<image", "<foreignObject", "url("):
        assert forbidden not in chart


def _circles(chart: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in CIRCLE.findall(chart)]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (30.0, "30"),
        (0.33012, "0.330"),
        (-0.0506, "-0.0506"),
        (47.83, "47.8"),
        (1234.5, "1,234"),
        (None, "–"),
    ],
)
def test_fmt_gives_whole_numbers_as_such_and_others_three_significant_figures(value, text):
    assert svg.fmt(value) == text


def test_nice_ticks_are_round_and_cover_the_range():
    ticks = svg.nice_ticks(0.0, 47.8)

    assert ticks == [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]


def test_scatter_puts_a_larger_y_higher_and_a_larger_x_further_right():
    chart = svg.scatter([svg.Point(1.0, 10.0, "low"), svg.Point(2.0, 30.0, "high")], "t", "x", "y")

    (x_low, y_low), (x_high, y_high) = _circles(chart)
    assert x_high > x_low
    assert y_high < y_low  # SVG's y grows downwards
    _assert_self_contained(chart)


def test_scatter_escapes_text_from_data():
    chart = svg.scatter([svg.Point(1.0, 1.0, '<script>alert("x")</script>')], "A & B <i>", "x", "y")

    assert "<script>" not in chart and "&lt;script&gt;" in chart
    assert "A &amp; B &lt;i&gt;" in chart


def test_hidden_points_are_rings_under_the_axis_with_no_value():
    chart = svg.scatter([svg.Point(1.0, 5.0, "shown")], "t", "x", "y", hidden_x=[3.0])

    shown, hidden = _circles(chart)
    assert hidden[1] > shown[1]  # below the plot
    assert 'fill="#ffffff"' in chart and "suppressed" in chart


def test_interval_plot_shows_the_suppressed_mark_and_no_point_for_a_hidden_category():
    chart = svg.interval_plot(
        [
            svg.Interval("1", 10.0, 5.0, 15.0, "decile 1"),
            svg.Interval("2", None, None, None, "decile 2: suppressed"),
        ],
        "t",
        "decile",
        "rate",
    )

    assert len(_circles(chart)) == 1
    assert svg.HIDDEN_MARK in chart and "decile 2: suppressed" in chart


def test_interval_plot_cuts_an_interval_far_above_the_rates_with_an_arrow():
    chart = svg.interval_plot(
        [
            svg.Interval("1", 10.0, 5.0, 15.0, "a"),
            svg.Interval("2", 0.0, 0.0, 5000.0, "b"),
        ],
        "t",
        "decile",
        "rate",
    )

    tick_labels = re.findall(r'text-anchor="end" fill="#7b8794">([\d,.]+)<', chart)
    assert max(float(t.replace(",", "")) for t in tick_labels) <= 3 * 10.0
    assert "interval continues to 5,000<" in chart


def test_funnel_plot_highlights_areas_outside_the_limits_and_draws_both_limits():
    chart = svg.funnel_plot(
        [
            svg.FunnelPoint(100, 10.0, "inside", outside=False),
            svg.FunnelPoint(200, 90.0, "outside", outside=True),
        ],
        limits=[(100, 0.0, 40.0), (200, 5.0, 30.0)],
        overall=15.0,
        title="t",
        x_label="businesses",
        y_label="rate",
    )

    assert chart.count(f'fill="{svg.ACCENT}"') == 1
    assert chart.count("<polyline") == 2
    assert "overall rate: 15" in chart
    _assert_self_contained(chart)


def test_bar_chart_draws_no_bar_for_a_hidden_value():
    chart = svg.bar_chart(
        [
            svg.Bar("2024", "penalties", 12, "12"),
            svg.Bar("2024", "namings", None, "suppressed"),
        ],
        "t",
        "events",
    )

    assert chart.count('class="bar"') == 1
    assert svg.HIDDEN_MARK in chart


def test_quantile_bins_give_zero_its_own_class_and_order_the_colours():
    bins = svg.quantile_bins([0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])

    assert bins.zero_class
    assert bins.index(0) == 0
    assert bins.index(1) == 1
    assert bins.index(10) == bins.count - 1
    assert [label for _, label in bins.entries()][0] == "0"


def test_quantile_bins_merge_breaks_that_coincide():
    bins = svg.quantile_bins([5.0] * 50 + [float(v) for v in range(6, 16)])

    assert list(bins.edges) == sorted(set(bins.edges))
    assert bins.index(5.0) == 0
    assert bins.index(15.0) == bins.count - 1


def test_quantile_bins_give_each_value_a_class_when_there_are_few_distinct_values():
    bins = svg.quantile_bins([5.0] * 20 + [6.0])

    assert bins.index(5.0) != bins.index(6.0)
    assert [label for _, label in bins.entries()] == ["5", "6"]


def test_point_map_keeps_the_aspect_and_stays_inside_its_box():
    # At 60.5 degrees north a degree of longitude is cos(60.5) ~ 0.49 of a degree of latitude.
    points = [
        svg.MapPoint(0.0, 60.0, 1.0, "south-west"),
        svg.MapPoint(2.0, 61.0, 2.0, "north-east"),
    ]
    chart = svg.point_map(points, svg.quantile_bins([1.0, 2.0]), "t", width=300, height=300)

    (x0, y0), (x1, y1) = _circles(chart)
    assert x1 - x0 == pytest.approx(y0 - y1, rel=0.05)  # 2 deg x cos(60.5) ~ 1 deg of latitude
    assert all(0 <= v <= 300 for v in (x0, y0, x1, y1))
    _assert_self_contained(chart)


def test_point_map_draws_hidden_areas_hollow_and_unknown_ones_grey():
    points = [
        svg.MapPoint(0.0, 51.0, None, "hidden", state="hidden"),
        svg.MapPoint(0.1, 51.1, None, "none", state="none"),
    ]
    chart = svg.point_map(points, svg.quantile_bins([1.0]), "t")

    assert f'fill="{svg.HIDDEN_FILL}" stroke' in chart
    assert f'fill="{svg.NO_DATA_FILL}"' in chart


def test_legend_lists_every_class_and_the_special_marks():
    bins = svg.quantile_bins([0, 1, 2, 3, 4, 5])

    key = svg.legend(bins, "Events", "suppressed", "no businesses", subtitle="per 1,000")

    for _, label in bins.entries():
        assert label in key
    assert "suppressed" in key and "no businesses" in key and "per 1,000" in key
