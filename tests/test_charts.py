"""Figures carry exactly the data they are given: lines, target, national, colours with text."""

import polars as pl

from dashboard.render.charts import ranking_bar, status_bars, status_heatmap, trend_figure


def test_trend_has_a_line_per_region_plus_national_and_target() -> None:
    series = pl.DataFrame(
        {"region_name": ["张店区", "张店区", "高青县"], "year": [2020, 2021, 2020], "value": [5.1, 4.8, 6.2]}
    )
    national = pl.DataFrame({"year": [2020, 2021], "value": [5.4, 5.0]})
    fig = trend_figure(
        series, title="婴儿死亡率", unit="‰", target=5.0, national=national, base_year=2020, target_year=2030
    )
    names = [t.name for t in fig.data]
    assert names == ["张店区", "高青县", "全国"]
    assert list(fig.data[0].y) == [5.1, 4.8]
    hlines = [s for s in fig.layout.shapes if s.y0 == s.y1]
    assert [s.y0 for s in hlines] == [5.0]
    assert sorted(s.x0 for s in fig.layout.shapes if s.x0 == s.x1) == [2020, 2030]
    assert fig.layout.xaxis.range[1] == 2030.5


def test_trend_without_target_draws_no_target_line() -> None:
    series = pl.DataFrame({"region_name": ["张店区"], "year": [2020], "value": [1.0]})
    fig = trend_figure(series, title="x", unit="%")
    assert not [s for s in fig.layout.shapes if s.y0 == s.y1]


def test_heatmap_cells_carry_text_not_only_colour() -> None:
    cells = pl.DataFrame(
        {
            "region_name": ["张店区", "高青县"],
            "indicator_name": ["婴儿死亡率", "婴儿死亡率"],
            "label": ["达标", "未达标"],
            "text": ["✓ 达标", "✗ 未达标"],
        }
    )
    fig = status_heatmap(cells, colours={"达标": "#1a9850", "未达标": "#d73027"}, order=["达标", "未达标"], title="t")
    hm = fig.data[0]
    assert list(hm.x) == ["张店区", "高青县"] and list(hm.y) == ["婴儿死亡率"]
    assert [list(r) for r in hm.z] == [[0, 1]]
    assert [list(r) for r in hm.text] == [["✓ 达标", "✗ 未达标"]]


def test_ranking_and_status_bars() -> None:
    frame = pl.DataFrame({"region_name": ["A", "B"], "rate": [80.0, 60.0], "text": ["80%", "60%"]})
    bar = ranking_bar(frame, value="rate", label="达标率", title="t")
    assert list(bar.data[0].y) == ["B", "A"]  # plotly draws bottom-up: best ends on top
    counts = pl.DataFrame({"domain": ["健康", "健康", "教育"], "label": ["达标", "未达标", "达标"], "n": [3, 1, 2]})
    colours = {"达标": "#1a9850", "未达标": "#d73027"}
    fig = status_bars(counts, group="domain", colours=colours, order=["达标", "未达标"], title="t")
    assert [t.name for t in fig.data] == ["达标", "未达标"]
    assert list(fig.data[0].x) == [3, 2]
