"""Plain records passed between the ETL stages (read → normalise → validate → store).

Readers turn a file into `RawValue`s without interpreting codes or numbers; normalisation
and validation turn those into `Observation`s or `Finding`s. Keeping the stages apart lets
each one be tested on its own fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SEVERITY_ERROR = "error"  # the row is rejected
SEVERITY_WARNING = "warning"  # the row is accepted, the finding is shown
SEVERITY_INFO = "info"  # recognised and skipped (e.g. a footer row), shown on request

TOTAL = "合计"  # default breakdown
# 全国: the region the national reference values and the national-total targets belong to.
COUNTRY_CODE = "100000"
# The 妇儿工委办 as a member unit: it judges the 定性 goals (indicators without a unit), whoever leads them.
OFFICE_UNIT = "women_children_office"


@dataclass(frozen=True)
class RawValue:
    """One value cell as found in a return, with enough context to locate it."""

    file: str
    sheet: str
    row: int  # 1-based row number as Excel or a text editor shows it
    column: str  # Excel column letter of the value cell ("D")
    indicator: str  # indicator code or name as written
    value: str  # cell text as written ("95.2%", "—", "1,234")
    region: str | None = None  # region code or name as written
    year: str | None = None  # "2024", "2024年", "２０２４"
    breakdown: str | None = None  # "城镇", "农村", "女", "男"; None means 合计
    unit: str | None = None  # a 计量单位 column next to the indicator, if any
    note: str | None = None  # 备注
    # The name written beside a code (指标名称 next to 指标代码, 地区名称 next to 地区代码), so
    # validation can refuse a row whose code and name disagree instead of trusting the code.
    indicator_name: str | None = field(default=None, compare=False)
    region_name: str | None = field(default=None, compare=False)
    raw_cells: tuple[str, ...] = field(default=(), compare=False)  # the whole source row
    # the letter of the column the region came from, when a row names it (not a column header)
    region_column: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Finding:
    """One problem or remark about a file, row or cell, in Chinese, as data."""

    file: str
    sheet: str
    row: int | None  # None: about the whole file or sheet
    column: str | None
    rule: str  # stable code, e.g. "unknown_indicator"
    severity: str  # SEVERITY_*
    message: str  # Chinese, names the cell and what is wrong

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass(frozen=True)
class Observation:
    """A normalised, validated value ready to load."""

    indicator_code: str
    region_code: str
    year: int
    breakdown: str
    value: float
    sheet: str
    row: int
    column: str
    note: str | None = None


@dataclass
class ReadResult:
    """What a reader got out of one file: values plus findings about the file itself."""

    values: list[RawValue] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    sheets_read: int = 0


class UnreadableFile(Exception):
    """The file cannot be read as a table at all (corrupt, empty, wrong type).

    The message is Chinese and names the file; the load is marked failed. `row` is the line
    that could not be read, when one line is to blame.
    """

    def __init__(self, message: str, *, row: int | None = None) -> None:
        super().__init__(message)
        self.row = row
