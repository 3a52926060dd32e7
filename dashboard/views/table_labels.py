"""Chinese names for the database's tables and columns, and words for the codes stored in them.

The 数据 page lets the office open every table; a table is shown (and downloaded) with Chinese
headers, member units by name and stored codes (approved, civil_affairs, at_least …) in words.
A column a table adds later without a label here is shown under its own name, and a test lists
it, so a new column gets its label.
"""

from __future__ import annotations

from collections.abc import Mapping

from dashboard.views.overview import DIRECTION_LABELS, LEVEL_LABELS, OUTLINE_LABELS, TARGET_KIND_LABELS
from dashboard.views.returns import ACTION_LABELS, RULE_LABELS
from etl.catalogue.rules import FYP_VERIFICATION, LOCAL_VERIFICATION, VERIFICATION_LABELS
from etl.targets.revisions import SCOPE_ZH
from etl.workflow.approval import STATE_LABELS

TABLE_LABELS: dict[str, str] = {
    "approval": "审核操作记录",
    "approval_current": "各报表审核状态",
    "audit_log": "审核记录（数值变更）",
    "build_info": "数据库生成信息",
    "child_friendly": "儿童友好社区/儿童之家（全部载入）",
    "child_friendly_current": "儿童友好社区/儿童之家（现行）",
    "community_count": "村（社区）数（全部载入）",
    "community_count_current": "村（社区）数（现行）",
    "courtyard": "美丽庭院（全部载入）",
    "courtyard_current": "美丽庭院（现行）",
    "duty_current": "成员单位分工（现行）",
    "duty_revision": "成员单位分工修改记录",
    "finding": "校验发现",
    "indicator": "指标",
    "indicator_alias": "指标别名",
    "indicator_catalogue": "指标目录",
    "indicator_unit": "指标与成员单位",
    "local_indicator_revision": "本地指标修改记录",
    "lock_event": "锁定与解锁记录",
    "member_unit": "成员单位",
    "observation": "数值（全部版本）",
    "observation_current": "数值（现行）",
    "plan": "规划",
    "publish_version": "发布版本",
    "raw_row": "原始数据行",
    "region": "地区",
    "rejected_row": "被拒绝的数据",
    "schema_version": "数据库结构版本",
    "submission": "载入记录",
    "submission_counted": "载入记录（有效）",
    "submission_withdrawal": "撤回记录",
    "target": "目标（随系统提供）",
    "target_current": "目标（现行）",
    "target_effective": "目标（生效）",
    "target_revision": "目标修改记录",
}

COLUMN_LABELS: dict[str, str] = {
    "acted_at": "操作时间",
    "action": "操作",
    "actor": "操作人",
    "alias": "别名",
    "aliases": "别名",
    "applied_at": "升级时间",
    "band_high": "区间上限",
    "band_low": "区间下限",
    "base_year": "基期年",
    "breakdown": "分组",
    "breakdowns": "可用分组",
    "cell": "单元格",
    "cells": "原始单元格",
    "changed_at": "修改时间",
    "code": "代码",
    "col": "列",
    "communities": "社区数",
    "community_name": "社区名称",
    "courtyard_households": "美丽庭院户数",
    "data_source": "数据来源",
    "deadline": "报送截止日（次年月-日）",
    "decimals": "小数位",
    "definition": "统计口径",
    "detail": "说明",
    "direction": "指标方向",
    "district_code": "区县代码",
    "districts": "填报区县",
    "domain": "领域",
    "file": "文件",
    "file_name": "文件",
    "full_name": "全称",
    "id": "编号",
    "indicator_code": "指标代码",
    "indicator_name": "指标名称",
    "is_sample": "示例数据",
    "key": "项目",
    "kind": "类别",
    "lat": "纬度",
    "lead_unit": "牵头单位",
    "lead_unit_code": "牵头单位",
    "level": "层级",
    "loaded_at": "载入时间",
    "lon": "经度",
    "message": "说明",
    "name": "名称",
    "new_value": "新值",
    "note": "备注",
    "notes": "备注",
    "observation_id": "数值编号",
    "old_value": "原值",
    "origin": "出处",
    "other_units": "责任单位",
    "outline": "纲要",
    "parent_code": "上级代码",
    "plan_code": "规划",
    "plan_name": "规划名称",
    "plausible_max": "合理范围上限",
    "plausible_min": "合理范围下限",
    "premium_households": "精品（示范）户数",
    "published_at": "发布时间",
    "raw_cells": "原始单元格",
    "reason": "原因",
    "region_code": "地区代码",
    "region_name": "地区",
    "revision": "版本",
    "role": "分工",
    "row_no": "行",
    "row_type": "指标类型",
    "rows_accepted": "载入数值",
    "rows_rejected": "拒绝数值",
    "rule": "规则",
    "rural_households": "农村户数",
    "scope": "范围",
    "severity": "严重程度",
    "sha256": "文件校验码",
    "shared_units": "责任单位",
    "sheet": "工作表",
    "short_name": "简称",
    "source": "来源",
    "source_url": "来源链接",
    "source_urls": "来源链接",
    "state": "状态",
    "status": "状态",
    "street": "街道（镇）",
    "submission_id": "提交编号",
    "submission_kind": "数据类别",
    "target_2030": "2030年目标",
    "target_kind": "目标类型",
    "target_label": "目标说明",
    "target_source": "目标来源",
    "target_text": "目标表述",
    "target_verified": "目标已核实",
    "target_year": "目标年份",
    "tolerance": "允许偏差",
    "unit": "计量单位",
    "unit_code": "成员单位",
    "value": "数值",
    "verification": "核实情况",
    "verified": "已核实",
    "version": "版本",
    "village_code": "村（社区）代码",
    "village_name": "村（社区）名称",
    "villages": "村数",
    "why": "说明",
    "withdrawn_at": "撤回时间",
    "withdrawn_by": "撤回人",
    "year": "年份",
    "year_named": "命名年份",
}

# where a column means something else in one table
TABLE_COLUMN_LABELS: dict[str, dict[str, str]] = {
    "build_info": {"value": "内容"},
    "member_unit": {"code": "单位代码", "name": "单位名称"},
    "plan": {"code": "规划代码", "name": "规划名称"},
    "region": {"code": "行政区划代码", "name": "名称", "level": "层级"},
    "indicator": {"code": "指标代码", "name": "指标名称", "source_urls": "来源链接"},
    "local_indicator_revision": {"name": "指标名称"},
    "target": {"kind": "目标类型", "value": "目标值"},
    "target_current": {"kind": "目标类型", "value": "目标值"},
    "target_effective": {"kind": "目标类型", "value": "目标值"},
    "target_revision": {"kind": "目标类型", "value": "目标值"},
    "child_friendly": {"kind": "类型", "level": "级别", "status": "命名状态"},
    "child_friendly_current": {"kind": "类型", "level": "级别", "status": "命名状态"},
    "schema_version": {"version": "结构版本"},
    "publish_version": {"version": "发布版本号"},
    "submission": {"status": "载入结果"},
    "submission_counted": {"status": "载入结果"},
}

SUBMISSION_KINDS: dict[str, str] = {
    "return": "成员单位报表",
    "reference": "国家参考数据",
    "courtyard": "美丽庭院",
    "child_friendly": "儿童友好社区/儿童之家",
    "community_count": "村（社区）数",
    "assessment": "定性目标评定",
}
LOAD_RESULTS: dict[str, str] = {"loaded": "已载入", "failed": "载入失败"}
ROW_TYPES: dict[str, str] = {
    "main_goal": "主要目标",
    "fyp_indicator": "十四五指标",
    "sub_indicator": "分项指标",
    "monitoring_indicator": "监测指标",
    "local": "地方特色指标",
}
ROLES: dict[str, str] = {"lead": "牵头单位", "shared": "责任单位"}
BUILD_KEYS: dict[str, str] = {"built_at": "生成时间", "region": "监测地区", "with_samples": "含示例数据"}
# target, duty and local indicator changes, besides the review actions
ACTIONS: dict[str, str] = {
    **ACTION_LABELS,
    "set": "设定",
    "remove": "删除",
    "shipped": "随系统提供",
    "add": "新增",
    "edit": "修改",
}
SEVERITIES: dict[str, str] = {"error": "错误（已拒绝）", "warning": "提醒（已载入）", "info": "说明"}
STATES: dict[str, str] = {k: v for k, v in STATE_LABELS.items() if k is not None}
_TARGET_TABLES = ("target", "target_current", "target_effective", "target_revision")
_SUBMISSION_TABLES = ("submission", "submission_counted")

# column → stored code → words, for every table that has the column …
VALUE_WORDS: dict[str, Mapping[str, str]] = {
    "action": ACTIONS,
    "state": STATES,
    "outline": OUTLINE_LABELS,
    "direction": DIRECTION_LABELS,
    "target_kind": TARGET_KIND_LABELS,
    "submission_kind": SUBMISSION_KINDS,
    "scope": SCOPE_ZH,
    "role": ROLES,
    "severity": SEVERITIES,
    "rule": RULE_LABELS,
    "row_type": ROW_TYPES,
    # the catalogue's own verification words, and the marks the generator and the office's
    # local indicators store
    "verification": {
        **VERIFICATION_LABELS,
        FYP_VERIFICATION: "十四五规划原文",
        LOCAL_VERIFICATION: "地方规划指标",
        "office_local": "工委办自设的本地指标",
    },
}
# … and where a column's codes depend on the table
TABLE_VALUE_WORDS: dict[str, dict[str, Mapping[str, str]]] = {
    "region": {"level": LEVEL_LABELS},
    "build_info": {"key": BUILD_KEYS},
    **{t: {"kind": TARGET_KIND_LABELS} for t in _TARGET_TABLES},
    **{t: {"kind": SUBMISSION_KINDS, "status": LOAD_RESULTS} for t in _SUBMISSION_TABLES},
}
# columns holding member unit codes: one code, or several separated by "|"
UNIT_COLUMNS: tuple[str, ...] = ("unit_code", "lead_unit_code")
TABLE_UNIT_COLUMNS: dict[str, tuple[str, ...]] = {
    "duty_current": ("lead_unit", "shared_units"),
    "duty_revision": ("lead_unit", "shared_units"),
}
# the table that defines the codes keeps them
CODE_TABLES: tuple[str, ...] = ("member_unit", "plan")
# columns a table repeats in words beside them (the catalogue's lead unit code and name)
HIDDEN_COLUMNS: dict[str, tuple[str, ...]] = {"indicator_catalogue": ("lead_unit_code",)}


def table_label(name: str) -> str:
    """The Chinese name of a table, with its own name when it has none yet."""
    return TABLE_LABELS.get(name, name)


def column_label(table: str, column: str) -> str:
    """The Chinese header of `column` in `table`, its own name when it has none yet."""
    return TABLE_COLUMN_LABELS.get(table, {}).get(column) or COLUMN_LABELS.get(column, column)


def value_words(table: str, column: str) -> Mapping[str, str] | None:
    """Code → words for the stored codes of `column` in `table`, or None (kept as stored)."""
    if table in CODE_TABLES and column == "code":
        return None
    return TABLE_VALUE_WORDS.get(table, {}).get(column) or VALUE_WORDS.get(column)


def unit_columns(table: str) -> tuple[str, ...]:
    """The columns of `table` that hold member unit codes."""
    return () if table in CODE_TABLES else UNIT_COLUMNS + TABLE_UNIT_COLUMNS.get(table, ())
