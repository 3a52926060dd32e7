"""The progress engine: `run(db_path, plan, report_year)` → a frozen ProgressResult.

Callers use this package's face; the stages live in its modules (targets → progress →
aggregate, with publication and bounds rules beside them).
"""

from dashboard.engine.pipeline import (
    ITEM_COLUMNS,
    PLAN_ALIASES_HELP,
    EngineError,
    PlanInfo,
    PlanTargets,
    ProgressResult,
    compute,
    plan_info,
    plans,
    resolved_plan_targets,
    result_summary,
    run,
    tracking_start,
)

__all__ = [
    "ITEM_COLUMNS",
    "PLAN_ALIASES_HELP",
    "EngineError",
    "PlanInfo",
    "PlanTargets",
    "ProgressResult",
    "compute",
    "plan_info",
    "plans",
    "result_summary",
    "resolved_plan_targets",
    "run",
    "tracking_start",
]
