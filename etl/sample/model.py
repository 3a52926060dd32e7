"""What the sample generators share: the years they cover, the breakdown words, and the
indicator and district records passed from the value generator to the return and place writers."""

from __future__ import annotations

from dataclasses import dataclass

YEARS = tuple(range(2020, 2025))
URBAN, RURAL = "城镇", "农村"


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    name: str
    unit: str
    decimals: int
    domain: str
    direction: str | None  # up | down | None
    target_kind: str | None
    target: float | None  # numeric 2030 target of the national outline, if any
    breakdowns: tuple[str, ...]
    plausible_min: float | None
    plausible_max: float | None


@dataclass(frozen=True)
class District:
    code: str
    name: str
    short_name: str
