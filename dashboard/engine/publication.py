"""The publication rule: which values leader views count (anchor: DHIS2's "hide unapproved data").

A current value is 已审核 (reviewed) when the office approved its unit's return for that year
after the value was loaded, when it is a published reference value (全国数据), or when it is the
office's own judgement of a 定性 goal (etl.workflow.assessment); otherwise it is
待审核 (pending). A withdrawn value is never current, so it never counts.

Basis of a view:
- REVIEWED: only reviewed values count (leader views once review is in use);
- ALL: every current value counts, and pending ones are marked (含待审核).

The setting `publication_rule` chooses: `auto` (default) is REVIEWED when users are configured
and ALL without them (the read-only demo, where nobody can review); `reviewed` and `all` force one.
The engine, every page, the progress command and the report call `resolve_basis`; nothing else
decides it.
"""

from __future__ import annotations

import polars as pl

from etl.core import settings

REVIEWED = "reviewed"
ALL = "all"
BASES: dict[str, str] = {REVIEWED: "仅已审核数据", ALL: "含待审核数据"}
RULES = ("auto", REVIEWED, ALL)

STATE_REVIEWED = "reviewed"
STATE_PENDING = "pending"
STATE_WITHDRAWN = "withdrawn"  # a version from a withdrawn submission: never counts, on any basis
STATE_LABELS: dict[str, str] = {STATE_REVIEWED: "已审核", STATE_PENDING: "待审核", STATE_WITHDRAWN: "已撤回（不计入）"}
PENDING_MARK = "（待审核）"

# review_state of each current value: approved after it was loaded, or a reference value
REVIEW_STATE_SQL = """
CASE WHEN s.kind IN ('reference', 'assessment') THEN 'reviewed'
     WHEN EXISTS (SELECT 1 FROM approval_current a
                  WHERE a.unit_code = s.unit_code AND a.year = o.year AND a.state = 'approved'
                    AND a.acted_at >= s.loaded_at) THEN 'reviewed'
     ELSE 'pending' END
"""

# review state of any stored version (every revision, not only the current one): a withdrawn
# submission's value is withdrawn, the rest follow REVIEW_STATE_SQL; `o` needs `year`, `s` is its
# submission
VERSION_STATE_SQL = f"""
CASE WHEN EXISTS (SELECT 1 FROM submission_withdrawal w WHERE w.submission_id = s.id) THEN 'withdrawn'
     ELSE {REVIEW_STATE_SQL} END
"""


class PublicationError(ValueError):
    """An unknown rule or basis; the message is Chinese."""


def rule() -> str:
    """The configured rule (auto | reviewed | all)."""
    value = settings.get("publication_rule").strip().lower()
    if value not in RULES:
        raise PublicationError(f"设置 publication_rule 的值“{value}”无效（可用：{'、'.join(RULES)}）")
    return value


def default_basis(users_configured: bool) -> str:
    """The basis leader views use when nobody chose one."""
    chosen = rule()
    if chosen == "auto":
        return REVIEWED if users_configured else ALL
    return chosen


def users_configured() -> bool:
    """Whether review is in use: a users file with at least one user."""
    from etl.workflow.users import UsersFileError, load_users

    try:
        return load_users().configured
    except UsersFileError:
        return True  # a broken users file must not open unreviewed data to everyone


def resolve_basis(requested: str | None = None) -> str:
    """`requested` when given (validated), else the default under the rule."""
    if requested is None or requested == "":
        return default_basis(users_configured())
    if requested not in BASES:
        raise PublicationError(f"未知数据口径：{requested}（可用：{'、'.join(BASES)}）")
    return requested


def basis_caption(basis: str, pending: int) -> str:
    """What the numbers on a view rest on, for its caption."""
    if basis == REVIEWED:
        return "数据口径：仅已审核数据" + (f"（另有 {pending} 个待审核数值未计入）" if pending else "")
    return "数据口径：含待审核数据" + (f"，其中 {pending} 个数值待审核，已标注“待审核”" if pending else "")


def counted(frame: pl.DataFrame, basis: str) -> pl.DataFrame:
    """The rows of `frame` (one value or version a row, with a review_state column) that a view
    on `basis` shows: reviewed ones on REVIEWED, all but withdrawn ones on ALL."""
    kept = pl.col("review_state") == STATE_REVIEWED if basis == REVIEWED else pl.col("review_state") != STATE_WITHDRAWN
    return frame.filter(kept.fill_null(False))


def pending_count(frame: pl.DataFrame) -> int:
    """How many rows of `frame` (with a review_state column) await review."""
    return int((frame.get_column("review_state") == STATE_PENDING).sum())
