"""WGS-84 ⇄ GCJ-02 against published reference pairs, round trips and the outside-China rule."""

from __future__ import annotations

import random

import pytest

from etl.regions.coords import distance_m, gcj02_to_wgs84, out_of_china, wgs84_to_gcj02

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
    lon, lat = wgs84_to_gcj02(*wgs)
    assert distance_m(lon, lat, *gcj) < 0.01  # a centimetre: the same formula, not an approximation


def test_inverse_matches_a_published_inverse() -> None:
    # another library's GCJ-02 → WGS-84 test: (123, 45) → (122.99395597, 44.99804071), 5 decimals
    lon, lat = gcj02_to_wgs84(123.0, 45.0)
    assert lon == pytest.approx(122.99395597, abs=5e-6)
    assert lat == pytest.approx(44.99804071, abs=5e-6)


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_inverse_recovers_reference_inputs(wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    assert distance_m(*gcj02_to_wgs84(*gcj), *wgs) < 0.01


def test_round_trip_error_below_a_metre_across_china() -> None:
    rng = random.Random(20261123)
    worst = 0.0
    for _ in range(2000):
        lon, lat = rng.uniform(74.0, 134.0), rng.uniform(18.0, 53.0)
        back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
        worst = max(worst, distance_m(lon, lat, *back))
    assert worst < 1.0
    # and in fact far below: the inverse iterates to ~1e-10°
    assert worst < 0.001


def test_offset_near_zibo_is_hundreds_of_metres() -> None:
    """The shift measured at 淄博 (≈530 m): GPS points drawn unconverted would be off."""
    lon, lat = 118.05, 36.81
    shifted = distance_m(lon, lat, *wgs84_to_gcj02(lon, lat))
    assert 400 < shifted < 700


@pytest.mark.parametrize("point", [(2.35, 48.86), (-74.0, 40.7), (139.7, 35.7), (100.0, 0.5), (0.0, 0.0)])
def test_identity_outside_china(point: tuple[float, float]) -> None:
    assert out_of_china(*point)
    assert wgs84_to_gcj02(*point) == point
    assert gcj02_to_wgs84(*point) == point


def test_inside_china_is_shifted() -> None:
    assert not out_of_china(118.05, 36.81)
    assert wgs84_to_gcj02(118.05, 36.81) != (118.05, 36.81)
