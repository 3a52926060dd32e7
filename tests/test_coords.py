"""WGS-84 → GCJ-02 against published reference pairs, and the outside-China rule."""

from __future__ import annotations

import pytest

from etl.regions.coords import out_of_china, wgs84_to_gcj02

# (WGS-84 lon, lat) → (GCJ-02 lon, lat): the test pairs published with the widely used
# eviltransform library (Shanghai, Shenzhen, Beijing), and a round-number point of another
# port's tests. Other implementations of the same formula reproduce them to ~1e-9°.
REFERENCE = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # Shanghai
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # Shenzhen
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # Beijing
    ((116.0, 40.0), (116.006141221789, 40.001213650174)),
]


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_forward_matches_published_pairs(wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    # 1e-7° is about a centimetre: the same formula, not an approximation
    assert wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-7)


def test_offset_near_zibo_is_hundreds_of_metres() -> None:
    """The shift at 淄博 (≈530 m, 0.006° east): GPS points drawn unconverted would be off."""
    assert wgs84_to_gcj02(118.05, 36.81) == pytest.approx((118.056071, 36.810512), abs=1e-6)


@pytest.mark.parametrize("point", [(2.35, 48.86), (-74.0, 40.7), (139.7, 35.7), (100.0, 0.5), (0.0, 0.0)])
def test_identity_outside_china(point: tuple[float, float]) -> None:
    assert out_of_china(*point)
    assert wgs84_to_gcj02(*point) == point


def test_inside_china_is_shifted() -> None:
    assert not out_of_china(118.05, 36.81)
    assert wgs84_to_gcj02(118.05, 36.81) != (118.05, 36.81)
