"""Read a target as plan documents write it ("≥95%", "12/10万以下", "保持在90%以上", "逐步提高")
into the target kinds of the data model.

Pure functions, no database. Text that does not say clearly what it means raises
TargetTextError with a Chinese reason: the caller turns it into a finding, never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

KINDS = ("at_least", "at_most", "band", "increase", "decrease", "qualitative")
NUMERIC_KINDS = frozenset({"at_least", "at_most", "band"})

# What the 目标类型 column of a plan table may say, per kind (first = what an export writes).
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "at_least": ("不低于", "约束性下限", "下限", "≥", "以上", "at_least"),
    "at_most": ("不高于", "上限", "≤", "以下", "at_most"),
    "band": ("保持区间", "区间", "左右", "band"),
    "increase": ("提高", "逐步提高", "increase"),
    "decrease": ("降低", "逐步降低", "decrease"),
    "qualitative": ("定性", "是否", "qualitative"),
}
# Words that also appear in the column but say nothing about the kind (预期性/约束性 is a
# different classification of plan indicators).
NEUTRAL_KIND_WORDS = frozenset({"预期性", "约束性", ""})

EMPTY = frozenset({"", "-", "—", "——", "/", "无", "空"})

# unit as written → unit as the catalogue publishes it
_UNITS: tuple[tuple[str, str], ...] = (
    ("1/10万", "1/10万"),
    ("/10万", "1/10万"),
    ("个百分点", "百分点"),
    ("百分点", "百分点"),
    ("%", "%"),
    ("‰", "‰"),
    ("岁", "岁"),
    ("个", "个"),
    ("张", "张"),
    ("人", "人"),
    ("所", "所"),
    ("年", "年"),
)
PARSED_UNITS = frozenset(unit for _, unit in _UNITS)
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(" + "|".join(re.escape(w) for w, _ in _UNITS) + r")?")
# a range as offices write it: 40%—50%, 40-50%, 40%至50%, 40%～50% (low, unit?, high, unit?)
_RANGE = re.compile(
    r"(\d+(?:\.\d+)?)\s*("
    + "|".join(re.escape(w) for w, _ in _UNITS)
    + r")?\s*(?:—{1,2}|–|-|～|至|到)\s*(\d+(?:\.\d+)?)\s*("
    + "|".join(re.escape(w) for w, _ in _UNITS)
    + r")?"
)
_RANGE_WORDS = ("保持在", "保持", "控制在", "稳定在", "维持在", "介于", "之间", "范围内", "区间内", "区间")
_TOLERANCE = re.compile(r"[（(]?±\s*(\d+(?:\.\d+)?)\s*(?:个百分点|%|‰|/10万)?[）)]?")

_AT_LEAST_SUFFIX = ("以上", "及以上")
_AT_MOST_SUFFIX = ("以下", "以内", "及以下")
_BAND_SUFFIX = ("左右",)
_AT_LEAST_WORDS = ("≥", ">=", "不低于", "不少于", "达到", "提高到", "提升到", "增加到", "增至", "提高至", "提升至")
_AT_MOST_WORDS = ("≤", "<=", "不高于", "不超过", "控制在", "下降到", "降低到", "降到", "降至", "下降至", "减少到")
_INCREASE = (
    "逐步提高",
    "稳步提高",
    "稳步提升",
    "逐步提升",
    "不断提高",
    "持续提高",
    "持续提升",
    "有所提高",
    "逐步增加",
    "稳步增长",
    "持续增长",
    "逐年提高",
    "提高",
    "提升",
    "增加",
    "增长",
    "延长",
)
_DECREASE = (
    "逐步降低",
    "逐步下降",
    "稳步下降",
    "持续下降",
    "持续降低",
    "不断降低",
    "有所下降",
    "逐年下降",
    "逐步减少",
    "降低",
    "下降",
    "减少",
    "缩小",
)
_IMPROVE = ("明显改善", "显著改善", "持续改善", "逐步改善", "不断改善", "改善", "好转")
_FULL_COVERAGE = ("实现全覆盖", "全面覆盖", "全覆盖")
_YES = frozenset({"是", "实现", "已实现", "建成", "全部实现"})
_QUALITATIVE_PREFIX = re.compile(r"^定性[:：]?")
_SAMPLE_PREFIX = re.compile(r"^示例[:：]")


class TargetTextError(ValueError):
    """The wording does not say one target clearly; the message (Chinese) says why."""


@dataclass(frozen=True)
class ParsedTarget:
    kind: str
    value: float | None = None
    unit: str | None = None  # the unit written in the text, as the catalogue publishes it
    tolerance: float | None = None
    band_low: float | None = None
    band_high: float | None = None
    text: str = ""  # the original wording

    def as_tuple(self) -> tuple[str, float | None, str | None, float | None]:
        """(kind, value, unit, tolerance): what the golden tests compare."""
        return (self.kind, self.value, self.unit, self.tolerance)

    @property
    def is_range(self) -> bool:
        """A band given by its two edges (40%—50%) rather than a centre and a tolerance."""
        return self.kind == "band" and self.band_low is not None and self.band_high is not None


def normalise(text: str | None) -> str:
    """Full-width digits and signs made half-width, spaces gone (NFKC keeps ‰ and ≥)."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip()
    s = re.sub(r"\s+", "", s)
    return s.replace("~", "～")


def kind_from_words(text: str | None) -> str | None:
    """The kind named in a 目标类型 cell, None when it names none; raises when it is unknown."""
    s = normalise(text)
    for word in NEUTRAL_KIND_WORDS:
        s = s.replace(word, "") if word else s
    if not s:
        return None
    for kind, words in KIND_WORDS.items():
        if s in words:
            return kind
    known = "、".join(words[0] for words in KIND_WORDS.values())
    raise TargetTextError(f"目标类型“{text}”无法识别，可写：{known}")


def is_empty(text: str | None) -> bool:
    return normalise(text) in EMPTY


def _unit_of(written: str | None) -> str | None:
    if not written:
        return None
    for word, unit in _UNITS:
        if written == word:
            return unit
    return None


def _numbers(clause: str) -> list[tuple[float, str | None]]:
    return [(float(m.group(1)), _unit_of(m.group(2))) for m in _NUMBER.finditer(clause)]


def _numeric_kind(clause: str) -> str | None:
    """The kind a clause with a number states through its words, None when it states none."""
    # a trailing 以上/以下/左右 decides over a leading verb: 保持在90%以上, 控制在12‰以内
    if any(s in clause for s in _AT_LEAST_SUFFIX):
        return "at_least"
    if any(s in clause for s in _AT_MOST_SUFFIX):
        return "at_most"
    if any(s in clause for s in _BAND_SUFFIX):
        return "band"
    least = any(w in clause for w in _AT_LEAST_WORDS)
    most = any(w in clause for w in _AT_MOST_WORDS)
    if least and not most:
        return "at_least"
    if most and not least:
        return "at_most"
    return None


def parse_target_text(text: str | None, *, kind_hint: str | None = None, direction: str | None = None) -> ParsedTarget:
    """Parse one target cell.

    kind_hint: the kind the row's 目标类型 names (kind_from_words), if any; it supplies the kind
    for a bare number ("95%") and must agree with what the words say. direction: the
    indicator's better direction (up/down), which alone says what 明显改善 means.
    Raises TargetTextError for empty or unclear text.
    """
    original = str(text or "").strip()
    s = _SAMPLE_PREFIX.sub("", normalise(text))
    if s in EMPTY:
        raise TargetTextError("目标为空")
    if kind_hint == "qualitative" or _QUALITATIVE_PREFIX.match(s):
        body = _QUALITATIVE_PREFIX.sub("", s)
        return ParsedTarget("qualitative", 1.0 if body in _YES else None, None, None, text=original)
    if s in _YES:
        return ParsedTarget("qualitative", 1.0, text=original)
    if any(w in s for w in _FULL_COVERAGE) and not _numbers(s):
        return _agree(ParsedTarget("at_least", 100.0, "%", text=original), kind_hint)

    clauses = [c for c in re.split(r"[，,；;。]", s) if c]
    numbered = [c for c in clauses if _numbers(c)]
    if len(numbered) == 1 and _RANGE.search(numbered[0]):
        return _agree(_range(numbered[0], original), kind_hint)
    if len(numbered) > 1:
        raise TargetTextError(f"“{original}”写了不止一个数值目标，请每格只写一个")
    if numbered:
        return _one_number(numbered[0], original, kind_hint)
    return _agree(_direction(s, original, direction), kind_hint)


def _one_number(clause: str, original: str, kind_hint: str | None) -> ParsedTarget:
    """The target of the one clause that holds a number: ≥95%, 12/10万以下, 45%左右（±2）…"""
    tolerance = None
    tol = _TOLERANCE.search(clause)
    if tol:
        tolerance = float(tol.group(1))
        clause = clause[: tol.start()] + clause[tol.end() :]
    numbers = _numbers(clause)
    if len(numbers) != 1:
        raise TargetTextError(f"“{original}”写了不止一个数值，无法判断目标值")
    value, unit = numbers[0]
    said = _numeric_kind(clause)
    if tolerance is not None and said in (None, "band"):
        said = "band"
    kind = said or kind_hint
    if kind is None:
        raise TargetTextError(f"“{original}”只有数值，没有写明“以上”“以下”或“左右”，请补充或填写目标类型")
    if kind not in NUMERIC_KINDS:
        raise TargetTextError(f"“{original}”写了数值，但目标类型是“{KIND_WORDS[kind][0]}”，两者不一致")
    parsed = ParsedTarget(kind, value, unit, tolerance if kind == "band" else None, text=original)
    return _agree(parsed, kind_hint if said else None)


def _direction(s: str, original: str, direction: str | None) -> ParsedTarget:
    """A target in words only: 逐步提高, 有所下降, 明显改善 (which way is the indicator's)."""
    if any(w in s for w in _IMPROVE):
        if direction == "up":
            return ParsedTarget("increase", text=original)
        if direction == "down":
            return ParsedTarget("decrease", text=original)
        raise TargetTextError(f"“{original}”说的是改善，但该指标没有规定哪个方向为好，无法判断是提高还是降低")
    up = next((w for w in _INCREASE if w in s), None)
    down = next((w for w in _DECREASE if w in s), None)
    if up and not down:
        return ParsedTarget("increase", text=original)
    if down and not up:
        return ParsedTarget("decrease", text=original)
    raise TargetTextError(f"“{original}”无法识别为目标（可写：≥95%、12/10万以下、保持在45%左右（±2）、逐步提高、是）")


def _range(clause: str, original: str) -> ParsedTarget:
    """A band from its two edges; the rest of the clause may only say 保持在 … 之间."""
    match = _RANGE.search(clause)
    low, high = float(match.group(1)), float(match.group(3))
    units = {u for u in (_unit_of(match.group(2)), _unit_of(match.group(4))) if u}
    rest = clause[: match.start()] + clause[match.end() :]
    for word in _RANGE_WORDS:
        rest = rest.replace(word, "")
    if _numbers(rest):
        raise TargetTextError(f"“{original}”除区间外还写了其他数值，无法判断目标")
    if rest:
        raise TargetTextError(f"“{original}”写了区间，但“{rest}”无法识别（区间可写：40%—50%、保持在40%至50%）")
    if len(units) > 1:
        raise TargetTextError(f"“{original}”区间两端的单位不一致")
    if low >= high:
        raise TargetTextError(f"“{original}”区间的下限应小于上限")
    return ParsedTarget("band", None, units.pop() if units else None, band_low=low, band_high=high, text=original)


def _agree(parsed: ParsedTarget, kind_hint: str | None) -> ParsedTarget:
    if kind_hint is not None and kind_hint != parsed.kind:
        raise TargetTextError(
            f"“{parsed.text}”读作“{KIND_WORDS[parsed.kind][0]}”，与目标类型“{KIND_WORDS[kind_hint][0]}”不一致"
        )
    return parsed


def render(
    kind: str,
    value: float | None,
    unit: str | None = None,
    tolerance: float | None = None,
    text: str | None = None,
    *,
    band_low: float | None = None,
    band_high: float | None = None,
) -> str:
    """Canonical wording that parse_target_text reads back to the same kind, value, tolerance
    and range edges."""

    def num(x: float) -> str:
        text = repr(float(x))
        return text[:-2] if text.endswith(".0") else text

    # 12/10万, as plans write it; a unit the parser does not read (1/万, 万个) is left out
    u = "/10万" if unit == "1/10万" else (unit if unit in PARSED_UNITS else "")
    if kind == "at_least" and value is not None:
        return f"≥{num(value)}{u}"
    if kind == "at_most" and value is not None:
        return f"≤{num(value)}{u}"
    if kind == "band" and band_low is not None and band_high is not None:
        return f"{num(band_low)}{u}—{num(band_high)}{u}"
    if kind == "band" and value is not None:
        return f"保持在{num(value)}{u}左右" + (f"（±{num(tolerance)}）" if tolerance is not None else "")
    if kind == "increase":
        return "逐步提高"
    if kind == "decrease":
        return "逐步降低"
    if kind == "qualitative":
        return "是" if value == 1 else f"定性：{text or '定性目标'}"
    return ""
