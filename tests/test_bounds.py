"""Value bounds: the unit's unless the indicator sets its own (etl.core.bounds)."""

import polars as pl

from etl.core import bounds


def test_unit_bounds_worked_examples() -> None:
    assert bounds.value_bounds("%") == (0.0, 100.0)
    assert bounds.value_bounds("‰") == (0.0, 1000.0)
    assert bounds.value_bounds("1/10万") == (0.0, 100000.0)
    assert bounds.value_bounds("岁") == (0.0, 120.0)
    assert bounds.value_bounds("个") == (0.0, 1e9)
    assert bounds.value_bounds("百分点") == (-100.0, 100.0)
    assert bounds.value_bounds(None) == (0.0, 1.0)


def test_own_bounds_win_side_by_side() -> None:
    assert bounds.value_bounds("%", 0.0, 150.0) == (0.0, 150.0)
    assert bounds.value_bounds("岁", 60.0, None) == (60.0, 120.0)
    # an absurd own bound is still held at the magnitude limit
    assert bounds.value_bounds("个", None, 1e300) == (0.0, 1e9)


def test_with_bounds_fills_a_frame() -> None:
    frame = pl.DataFrame(
        {"unit": ["%", "岁", None], "plausible_min": [None, None, None], "plausible_max": [150.0, None, None]},
        schema_overrides={"plausible_min": pl.Float64},
    )
    out = bounds.with_bounds(frame)
    assert out.get_column("plausible_min").to_list() == [0.0, 0.0, 0.0]
    assert out.get_column("plausible_max").to_list() == [150.0, 120.0, 1.0]


def test_no_projection_leaves_its_bounds(built_db) -> None:
    from dashboard import engine
    from dashboard.queries import db

    own = db.query(built_db, "SELECT code, unit, plausible_min, plausible_max FROM indicator")
    limits = {code: bounds.value_bounds(unit, lo, hi) for code, unit, lo, hi in own.iter_rows()}
    capped = 0
    for plan in ("两纲", "两规", "十四五"):
        items = engine.run(built_db, plan, 2024, "370300", basis="all").items
        projected = items.filter(pl.col("trend_projection").is_not_null())
        assert projected.height > 0
        for code, value in projected.select(pl.col("indicator_code").cast(pl.String), "trend_projection").rows():
            low, high = limits[code]
            assert low <= value <= high, (plan, code, value)
        capped += projected.filter(pl.col("trend_capped")).height
    assert capped > 0  # the sample has lines that run past 100 %: they are held at the edge, and say so
