"""Status labels: stable status codes → label, colour, order, symbol and shape, per label set.

Wording is configuration, not code: offices use different label
sets, so the engine only emits ASCII status codes and this module maps them through
`data/config/status_labels.toml`, which an office can edit. The file is checked strictly:
an unknown key or status code, a missing label or a malformed colour is an error with a
Chinese message, because a typo there would otherwise silently paint a district the wrong
colour. Every style carries a text symbol and a marker shape besides the colour, so the
status stays readable for colour-blind readers and on black-and-white printouts.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import polars as pl

from dashboard.engine.progress import GROWTH_CATEGORIES, GROWTH_DTYPE, STATUS_CODES, STATUS_DTYPE

LABELS_FILE = Path(__file__).resolve().parents[2] / "data" / "config" / "status_labels.toml"
DEFAULT_SET = "default"

_TOP_KEYS = {"default_set", "international", "sets"}
_SET_KEYS = {"name", "description", "statuses"}
_INTERNATIONAL_KEYS = {"title", "note", "categories"}
_STYLE_KEYS = {"label", "colour", "order", "symbol", "shape"}
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


class LabelConfigError(ValueError):
    """The label configuration is malformed; the message says where, in Chinese."""


@dataclass(frozen=True)
class Style:
    """How one status code (or growth category) is shown."""

    code: str
    label: str
    colour: str
    order: int
    symbol: str
    shape: str


@dataclass(frozen=True)
class LabelSet:
    key: str
    name: str
    description: str
    styles: Mapping[str, Style]

    def frame(self) -> pl.DataFrame:
        """One row per status code: status, status_label, status_colour, status_order,
        status_symbol, status_shape (in STATUS_CODES order)."""
        return _style_frame(self.styles, STATUS_CODES, "status", code_dtype=STATUS_DTYPE)


@dataclass(frozen=True)
class LabelConfig:
    default_set: str
    sets: Mapping[str, LabelSet]
    international_title: str
    international_note: str
    growth: Mapping[str, Style]

    def label_set(self, key: str | None = None) -> LabelSet:
        """The named label set (the configured default when None); unknown names are an error."""
        key = key or self.default_set
        if key not in self.sets:
            raise LabelConfigError(f"未知标签集：{key}（可用：{'、'.join(self.sets)}）")
        return self.sets[key]

    def growth_frame(self) -> pl.DataFrame:
        """growth_category, growth_label, growth_colour, growth_order, growth_symbol, growth_shape."""
        return _style_frame(
            self.growth, GROWTH_CATEGORIES, "growth", code_column="growth_category", code_dtype=GROWTH_DTYPE
        )


def _style_frame(
    styles: Mapping[str, Style],
    codes: tuple[str, ...],
    prefix: str,
    code_column: str | None = None,
    code_dtype: pl.DataType | type[pl.DataType] = pl.String,
) -> pl.DataFrame:
    rows = [styles[code] for code in codes]
    return pl.DataFrame(
        {
            code_column or prefix: [s.code for s in rows],
            f"{prefix}_label": [s.label for s in rows],
            f"{prefix}_colour": [s.colour for s in rows],
            f"{prefix}_order": [s.order for s in rows],
            f"{prefix}_symbol": [s.symbol for s in rows],
            f"{prefix}_shape": [s.shape for s in rows],
        },
        schema={
            code_column or prefix: code_dtype,
            f"{prefix}_label": pl.String,
            f"{prefix}_colour": pl.String,
            f"{prefix}_order": pl.Int32,
            f"{prefix}_symbol": pl.String,
            f"{prefix}_shape": pl.String,
        },
    )


def _check_keys(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise LabelConfigError(f"{where}中有不认识的键：{'、'.join(unknown)}（允许：{'、'.join(sorted(allowed))}）")


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise LabelConfigError(f"{where}应为一个表（[...] 小节）")
    return value


def _style(code: str, raw: Any, where: str) -> Style:
    table = _table(raw, where)
    _check_keys(table, _STYLE_KEYS, where)
    missing = sorted(_STYLE_KEYS - set(table))
    if missing:
        raise LabelConfigError(f"{where}缺少：{'、'.join(missing)}")
    for key in ("label", "symbol", "shape"):
        if not isinstance(table[key], str) or not table[key].strip():
            raise LabelConfigError(f"{where}的 {key} 应为非空文字")
    if not isinstance(table["colour"], str) or not _COLOUR.match(table["colour"]):
        raise LabelConfigError(f"{where}的颜色“{table['colour']}”格式不对，应为 #RRGGBB")
    if not isinstance(table["order"], int) or isinstance(table["order"], bool):
        raise LabelConfigError(f"{where}的 order 应为整数")
    return Style(
        code=code,
        label=table["label"].strip(),
        colour=table["colour"].upper(),
        order=table["order"],
        symbol=table["symbol"].strip(),
        shape=table["shape"].strip(),
    )


def _styles(raw: Any, codes: tuple[str, ...], where: str, what: str) -> Mapping[str, Style]:
    table = _table(raw, where)
    unknown = sorted(set(table) - set(codes))
    if unknown:
        raise LabelConfigError(f"{where}中有不认识的{what}：{'、'.join(unknown)}（可用：{'、'.join(codes)}）")
    missing = [code for code in codes if code not in table]
    if missing:
        raise LabelConfigError(f"{where}缺少{what}的标签：{'、'.join(missing)}")
    return MappingProxyType({code: _style(code, table[code], f"{where}.{code}") for code in codes})


def parse_labels(text: str, source: str = "标签配置") -> LabelConfig:
    """Parse and check the label configuration text (TOML)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LabelConfigError(f"{source}不是有效的 TOML：{exc}") from exc
    _check_keys(raw, _TOP_KEYS, source)
    sets_raw = _table(raw.get("sets"), f"{source}的 [sets]")
    if not sets_raw:
        raise LabelConfigError(f"{source}中没有任何标签集（[sets.名称]）")
    sets: dict[str, LabelSet] = {}
    for key, value in sets_raw.items():
        where = f"标签集 [sets.{key}]"
        table = _table(value, where)
        _check_keys(table, _SET_KEYS, where)
        if not isinstance(table.get("name"), str) or not table["name"].strip():
            raise LabelConfigError(f"{where}缺少名称 name")
        sets[key] = LabelSet(
            key=key,
            name=table["name"].strip(),
            description=str(table.get("description", "")).strip(),
            styles=_styles(table.get("statuses"), STATUS_CODES, f"[sets.{key}.statuses]", "状态代码"),
        )
    default_set = raw.get("default_set", DEFAULT_SET)
    if default_set not in sets:
        raise LabelConfigError(f"默认标签集“{default_set}”不存在（可用：{'、'.join(sets)}）")
    international = _table(raw.get("international"), f"{source}的 [international]")
    _check_keys(international, _INTERNATIONAL_KEYS, "[international]")
    return LabelConfig(
        default_set=default_set,
        sets=MappingProxyType(sets),
        international_title=str(international.get("title", "")).strip(),
        international_note=str(international.get("note", "")).strip(),
        growth=_styles(international.get("categories"), GROWTH_CATEGORIES, "[international.categories]", "分档代码"),
    )


def load_labels(path: Path | None = None) -> LabelConfig:
    """Read and check the label configuration (default: data/config/status_labels.toml)."""
    path = Path(path or LABELS_FILE)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise LabelConfigError(f"找不到标签配置文件：{path}") from exc
    return parse_labels(text, source=f"标签配置 {path.name}")
