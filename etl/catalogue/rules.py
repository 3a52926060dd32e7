"""Manual judgements behind the indicator catalogue, as small commented tables.

`etl.catalogue.generate` reads the reference CSVs (data/reference/) and applies these tables;
re-running it reproduces the committed files in data/ exactly. Change a judgement here, rebuild,
and review the diff of data/ — never edit the generated CSVs by hand and then rebuild.

Codes and comments are English; every string a user sees is Simplified Chinese.
"""

from __future__ import annotations

from etl.core.records import COUNTRY_CODE

# --- plans ---------------------------------------------------------------------------------

# code, name, full_name, scope, base_year, target_year (docs/data-files.md order)
PLANS: tuple[tuple[str, str, str, str, int, int], ...] = (
    (
        "liangang",
        "两纲",
        "《中国妇女发展纲要（2021—2030年）》《中国儿童发展纲要（2021—2030年）》",
        "national",
        2020,
        2030,
    ),
    (
        "lianggui",
        "两规",
        "本地妇女发展规划和儿童发展规划（2021—2030年）",
        "local",
        2020,
        2030,
    ),
    ("fyp14", "十四五", "国家“十四五”时期相关规划目标（2021—2025年）", "national", 2020, 2025),
)

OUTLINE_TITLES: dict[str, str] = {
    "women": "《中国妇女发展纲要（2021—2030年）》",
    "children": "《中国儿童发展纲要（2021—2030年）》",
}

# --- member units (成员单位) ----------------------------------------------------------------
# Local names carry no 市/县 prefix, so nothing assumes a particular city. Aliases include the
# national ministry names used in the reference (卫生健康委, 教育部, 人社部 …), so the reference's
# `likely_lead_unit` maps onto local units. An alias must be unique across all units.

UNITS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("agriculture", "农业农村局", ("农业农村部", "农业农村", "乡村振兴局", "国家乡村振兴局")),
    # 国家乡村振兴局 merged into 农业农村部 in 2023; local 乡村振兴局 mostly did the same.
    ("civil_affairs", "民政局", ("民政部", "民政")),
    ("court", "法院", ("人民法院", "中级人民法院", "最高法", "最高人民法院")),
    ("cppcc", "政协", ("全国政协",)),
    # 广电 is part of 文化（广电）和旅游局 in most cities and counties; a city with its own
    # 广播电视局 can add a unit and move the alias.
    (
        "culture_tourism",
        "文化和旅游局",
        (
            "文化和旅游部",
            "文化和旅游",
            "文旅局",
            "文化广电和旅游局",
            "文化广电旅游局",
            "广电局",
            "广电总局",
            "国家广播电视总局",
        ),
    ),
    ("cyberspace", "网信办", ("网信", "国家网信办", "互联网信息办公室")),
    (
        "development_reform",
        "发展改革委",
        ("发改委", "发展和改革委员会", "发展改革局", "发改局", "国家发展改革委"),
    ),
    ("disabled", "残联", ("中国残联", "残疾人联合会")),
    ("ecology", "生态环境局", ("生态环境部", "生态环境", "环保局")),
    ("education", "教育局", ("教育部", "教育", "教育委员会", "教委")),
    ("emergency", "应急管理局", ("应急管理部", "应急管理", "应急局")),
    ("finance", "财政局", ("财政部",)),
    (
        "health",
        "卫生健康委",
        ("卫健委", "卫生健康委员会", "卫生健康局", "卫健局", "国家卫生健康委"),
    ),
    (
        "housing",
        "住房城乡建设局",
        ("住建局", "住建部", "住建", "住房和城乡建设局", "住房和城乡建设部"),
    ),
    (
        "hrss",
        "人力资源社会保障局",
        ("人社局", "人社部", "人社", "人力资源和社会保障局", "人力资源和社会保障部"),
    ),
    ("justice", "司法局", ("司法部",)),
    ("market_regulation", "市场监管局", ("市场监督管理局", "市场监管总局", "市场监管")),
    ("medical_insurance", "医保局", ("医疗保障局", "国家医保局", "医保")),
    ("natural_resources", "自然资源局", ("自然资源部", "自然资源和规划局")),
    ("organization", "组织部", ("中组部", "中央组织部")),
    ("people_congress", "人大常委会", ("全国人大常委会", "全国人大", "人大")),
    ("political_legal", "政法委", ("中央政法委", "政法委员会")),
    ("procuratorate", "检察院", ("人民检察院", "最高检", "最高人民检察院")),
    # 文明办 (精神文明建设办公室) sits inside the party 宣传部 at city and county level.
    ("propaganda", "宣传部", ("中宣部", "中央宣传部", "文明办", "精神文明建设办公室")),
    ("public_security", "公安局", ("公安部", "公安", "公安分局")),
    ("sasac", "国资委", ("国务院国资委", "国有资产监督管理委员会")),
    ("science", "科协", ("中国科协", "科学技术协会")),
    ("sports", "体育局", ("体育总局", "国家体育总局", "体育")),
    ("statistics", "统计局", ("国家统计局", "统计")),
    ("trade_union", "总工会", ("全国总工会", "工会")),
    ("transport", "交通运输局", ("交通运输部", "交通局")),
    ("water", "水利局", ("水利部", "水利", "水务局")),
    (
        "women_children_office",
        "妇儿工委办",
        ("妇女儿童工作委员会办公室", "妇儿工委办公室", "国务院妇儿工委办"),
    ),
    ("women_federation", "妇联", ("妇女联合会", "全国妇联")),
    ("youth_league", "团委", ("共青团", "共青团委员会")),
)

# A parenthetical that starts with this adds the units it lists ("发展改革委（会同妇儿工委办、住建）");
# any other parenthetical ("卫生健康委（疾控）", "公安（交管）") is a qualifier and is dropped (the
# original wording is kept in the indicator's notes).
JOINT_UNITS_PREFIX = "会同"

NO_LEAD_NOTE = "牵头单位：参考资料未给出，请按本地分工填写"

# --- indicator attributes -------------------------------------------------------------------

ALLOWED_OUTLINES = ("women", "children", "local")
ALLOWED_ROW_TYPES = (
    "main_goal",
    "sub_indicator",
    "monitoring_indicator",
    "fyp_indicator",
    "local",
)
ALLOWED_KINDS = ("at_least", "at_most", "band", "increase", "decrease", "qualitative")
ALLOWED_DIRECTIONS = ("up", "down")

# Children's file has no row_type column: 'monitoring only' → monitoring_indicator; a code with
# a letter suffix (C-HEALTH-01a) → sub_indicator; anything else → main_goal.
MONITORING_VERIFICATION = "monitoring only"

# decimals: the unit's default, raised to the most decimals the published values carry
# (national values and target values), e.g. % → 1 but 普惠性幼儿园覆盖率 84.74 → 2.
UNIT_DECIMALS: dict[str, int] = {
    "%": 1,
    "‰": 1,
    "1/10万": 1,
    "1/10万活产": 1,
    "1/万": 1,
    "岁": 2,
    "百分点": 1,
    "年": 1,
    # counts and per-thousand ratios (每千名儿童拥有 … 人/张, 每千人口 … 个) default to whole
    # numbers; the published values lift the ratios to 2 decimals.
    "个": 0,
    "张": 0,
    "人": 0,
    "家": 0,
    "万个": 1,
    "万条": 1,
    # a city's insured women are a few ten-thousandths of 亿人: 2 decimals would show 0.00
    "亿人": 4,
}
DEFAULT_DECIMALS = 0  # no unit: a goal without a measure, or qualitative (1 = 是)

# Gross ratios can pass 100% in a city or county that takes in pupils from elsewhere, so a %
# indicator whose name contains one of these sets its own upper bound instead of the unit's 100;
# other bounds come from the unit (etl.core.bounds), written out so the catalogue states them.
GROSS_RATIO_NAME_PARTS: tuple[str, ...] = ("毛入园率", "毛入学率")
GROSS_RATIO_MAX = 150.0

DIRECTION_BY_KIND: dict[str, str] = {
    "at_least": "up",
    "increase": "up",
    "at_most": "down",
    "decrease": "down",
}
# For a measured indicator (it has a unit) whose target kind gives no direction (none,
# qualitative or band), the measure itself decides where it is unambiguous.
DIRECTION_BY_NAME_PART: tuple[tuple[str, str], ...] = (
    ("死亡率", "down"),
    ("发病率", "down"),
    ("患病率", "down"),
    ("近视率", "down"),
    ("发生率", "down"),
    ("传播率", "down"),
    ("迟缓率", "down"),
    ("文盲率", "down"),
    ("覆盖率", "up"),
    ("管理率", "up"),
    ("筛查率", "up"),
    ("检查率", "up"),
    ("访视率", "up"),
    ("分娩率", "up"),
    ("合格率", "up"),
    ("接种率", "up"),
    ("治疗率", "up"),
    ("检测率", "up"),
    ("参保率", "up"),
    ("喂养率", "up"),
    ("建校率", "up"),
    ("创建率", "up"),
    ("素养水平", "up"),
    ("受教育年限", "up"),
)
# Codes whose direction the name patterns cannot see but the goal makes unambiguous. Shares of
# women students and of women in employment (W-EDU-04a … W-ECON-02a, W-SOC-03a) stay empty:
# parity, not "more", is the aim there.
DIRECTION_OVERRIDES: dict[str, str] = {
    "W-HEALTH-10": "up",  # 经常参加体育锻炼的妇女比例
    "W-ECON-03": "up",  # 高级专业技术人员中的女性比例 (goal: raise women's share)
    "W-ECON-07a": "up",  # 执行《女职工劳动保护特别规定》的企业比重
    "W-DEC-01": "up",  # women in decision-making: the outline aims to raise every share
    "W-DEC-02": "up",
    "W-DEC-03": "up",
    "W-DEC-05": "up",
    "W-DEC-05a": "up",
    "W-DEC-06": "up",
    "W-DEC-06a": "up",
    "W-DEC-07": "up",
    "W-SOC-02": "up",  # women insured (亿人): coverage counts
    "W-SOC-03": "up",
    "W-SOC-05": "up",
}

# Breakdowns besides 合计. 城镇|农村 where NBS reports the rate by urban/rural; 女|男 where the
# goal is about girls within an all-pupil rate. Kept modest on purpose.
BREAKDOWNS: dict[str, str] = {
    "W-HEALTH-02": "城镇|农村",  # also listed as W-HEALTH-02a/02b
    "C-HEALTH-03": "城镇|农村",
    "C-HEALTH-04": "城镇|农村",
    "C-HEALTH-05": "城镇|农村",
    "W-EDU-04": "女|男",  # 女童平等接受义务教育; the published value is all pupils
    "W-EDU-05": "女|男",  # 女性平等接受高中阶段教育; the published value is all pupils
}

# 统计口径, only where the reference or the product's own data model states it.
DEFINITIONS: dict[str, str] = {
    "C-EDU-02a": "普惠性幼儿园在园幼儿数占在园幼儿总数的比例（教育部口径）；不是普惠性幼儿园占幼儿园总数的比例",
    "C-HEALTH-06a": "神经管缺陷等10种致死和严重致残出生缺陷发生率（卫生健康委口径）",
    "C-WELFARE-08": "建有儿童之家的城乡社区（村）数占城乡社区（村）总数的比例",
    "C-ENV-05a": "累计纳入国家儿童友好城市建设名单的城市数（全国口径）",
    "W-HEALTH-01-F1": "全人群人均预期寿命，不分性别",
    "W-HEALTH-01-F2": "全人群人均健康预期寿命，不分性别",
    "W-EDU-10-F1": "劳动年龄人口平均受教育年限，不分性别",
    "W-SOC-03-F1": "全人群基本医疗保险参保率，不分性别、年龄",
    "W-SOC-04-F1": "全人群基本养老保险参保率，不分性别",
    "L-COURTYARD-01": "美丽庭院户数占农村户数的比例",
    "L-CHILD-01": "儿童友好社区数占社区总数的比例；命名层级（国家/省/市级）以本地规划为准",
}

# Chinese wording for the reference's `verification` values (shown in target notes).
VERIFICATION_LABELS: dict[str, str] = {
    "national_text": "纲要原文（转载页）核对",
    "national_dept_plan": "经部门实施方案、行动计划核对，纲要原文页不可读",
    "local_copy": "据地方规划转述，全国原文未核对",
    "press_conference_summary": "据国新办发布会摘要，原文表述未核对",
    "unverified": "未核实",
    "target verified": "目标经报道核对",
    "text verified": "表述经报道核对",
    "monitoring only": "监测指标，纲要未设数值",
    "NBS monitoring report": "国家统计局监测报告",
}
# Verifications under which the goal's wording itself was read: a direction-only or qualitative
# liangang target from such a row counts as verified even though it has no number.
WORDING_VERIFIED: frozenset[str] = frozenset(
    {"national_text", "national_dept_plan", "target verified", "text verified"}
)
NUMBER_PENDING_NOTE = "纲要数值未核实，目标待设定"

# --- 十四五 rows (national_14th_fyp_targets_*.csv) -------------------------------------------
# Each reference row, keyed by (file, indicator_name_zh), gets one decision:
#   ("same", code)  the row measures the same thing as that indicator → fyp14 target for it
#   ("new", code)   a different measure → a new fyp_indicator; the code is <linked code>-F<n>,
#                   or W-/C-FYP-<n> when the row links nothing (listed in FYP_NEW_INDICATORS)
#   ("note", code)  not a 2025 target (2035 outlook, 2023 interim): mentioned in that
#                   indicator's notes only, never a target row
# Two rows giving the same indicator the same target become one target listing both sources;
# two rows giving it different targets stop the build.
FYP_DECISIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("women", "孕产妇死亡率"): ("same", "W-HEALTH-02"),
    # all-population life expectancy, not women's (W-HEALTH-01)
    ("women", "人均预期寿命"): ("new", "W-HEALTH-01-F1"),
    # the same measure as the row above, stated as "+1 岁左右 on 2020" with a different implied
    # level (77.93 + 1 ≠ 78.3); one indicator cannot hold two 2025 targets, and the product has
    # no "relative to base" target kind, so it stays a note on W-HEALTH-01-F1
    ("women", "人均预期寿命（较2020年提高）"): ("note", "W-HEALTH-01-F1"),
    ("women", "人均健康预期寿命"): ("new", "W-HEALTH-01-F2"),
    ("women", "适龄妇女宫颈癌筛查率"): ("same", "W-HEALTH-03"),
    ("women", "宫颈癌及癌前病变患者治疗率"): ("new", "W-HEALTH-03-F1"),
    ("women", "艾滋病母婴传播率"): ("same", "W-HEALTH-06"),
    # 先天梅毒（报告）发病率 is published per 10万活产: the same measure as W-HEALTH-06a
    ("women", "先天梅毒发病率"): ("same", "W-HEALTH-06a"),
    ("women", "乙肝母婴传播率"): ("new", "W-HEALTH-06-F1"),
    ("women", "孕产妇艾滋病、梅毒、乙肝检测率"): ("new", "W-HEALTH-06-F2"),
    ("women", "九年义务教育巩固率"): ("same", "W-EDU-04"),
    ("women", "高中阶段教育毛入学率"): ("same", "W-EDU-05"),
    ("women", "劳动年龄人口平均受教育年限"): ("new", "W-EDU-10-F1"),
    ("women", "基本医疗保险参保率"): ("new", "W-SOC-03-F1"),
    ("women", "基本养老保险参保率"): ("new", "W-SOC-04-F1"),
    # linked to W-FAM-04 by the reference's own mapping, but it is exactly C-WELFARE-05's
    # measure; a second indicator with the same name would make returns ambiguous
    ("women", "每千人口拥有3岁以下婴幼儿托位数"): ("same", "C-WELFARE-05"),
    ("children", "每千人口拥有3岁以下婴幼儿托位数"): ("same", "C-WELFARE-05"),
    ("children", "学前教育毛入园率"): ("same", "C-EDU-02"),  # two rows, same target
    ("children", "普惠性幼儿园覆盖率"): ("same", "C-EDU-02a"),
    ("children", "公办园在园幼儿占比"): ("new", "C-EDU-02a-F1"),
    ("children", "九年义务教育巩固率"): ("same", "C-EDU-03"),
    ("children", "高中阶段教育毛入学率"): ("same", "C-EDU-05"),
    # narrower than C-WELFARE-06 (orphans and de-facto unsupported children only, 应保尽保)
    ("children", "孤儿和事实无人抚养儿童保障"): ("new", "C-WELFARE-06-F1"),
    # the same all-population measure as the women's 基本医疗保险参保率 row
    ("children", "基本医疗保险参保率（全人群）"): ("same", "W-SOC-03-F1"),
    ("children", "新生儿死亡率"): ("same", "C-HEALTH-03"),
    ("children", "婴儿死亡率"): ("same", "C-HEALTH-04"),
    ("children", "5岁以下儿童死亡率"): ("same", "C-HEALTH-05"),
    ("children", "6个月内婴儿纯母乳喂养率"): ("new", "C-FYP-1"),
    ("children", "5岁以下儿童生长迟缓率"): ("same", "C-HEALTH-11"),
    ("children", "适龄儿童免疫规划疫苗接种率（以乡镇、街道为单位）"): ("same", "C-HEALTH-08"),
    # the 国家儿童友好城市建设 list is the list of pilot cities
    ("children", "儿童友好城市建设试点城市数"): ("same", "C-ENV-05a"),
    ("children", "百万以上人口城市中开展儿童友好城市建设的比例"): ("note", "C-ENV-05"),
    ("children", "被命名为国家儿童友好城市的城市数"): ("note", "C-ENV-05"),
    # urban and rural 建校率 have separate targets; targets carry no breakdown, so two indicators
    ("children", "家长学校建校率（城市社区）"): ("new", "C-FAMILY-06-F1"),
    ("children", "家长学校建校率（农村社区）"): ("new", "C-FAMILY-06-F2"),
    ("children", "达到儿童友好医院建设要求的医疗机构数"): ("new", "C-HEALTH-01-F1"),
    ("children", "儿童青少年总体近视率（年降幅）"): ("note", "C-HEALTH-13"),
}

# New fyp indicators: name (None = the reference row's name), domain when the row links no
# outline indicator, and lead/other units when they differ from the linked indicator's.
FYP_NEW_INDICATORS: dict[str, dict[str, str | None]] = {
    "W-HEALTH-01-F1": {"name": None},
    "W-HEALTH-01-F2": {"name": None},
    "W-HEALTH-03-F1": {"name": None},
    "W-HEALTH-06-F1": {"name": None},
    "W-HEALTH-06-F2": {"name": None},
    "W-EDU-10-F1": {"name": None},
    "W-SOC-03-F1": {"name": None},
    "W-SOC-04-F1": {"name": None},
    "C-EDU-02a-F1": {"name": None},
    "C-WELFARE-06-F1": {"name": None},
    # renamed so the urban/rural pair does not differ only inside brackets (a name normaliser
    # that strips bracketed units would merge them)
    "C-FAMILY-06-F1": {"name": "城市社区家长学校建校率"},
    "C-FAMILY-06-F2": {"name": "农村社区家长学校建校率"},
    "C-HEALTH-01-F1": {"name": None},
    "C-FYP-1": {"name": None, "domain": "儿童与健康", "lead": "health"},
}

# 十四五 targets that are national totals, not rates: attached to region 100000 (全国) so a
# city is never measured against them.
NATIONAL_TOTAL_TARGETS: frozenset[str] = frozenset({"C-ENV-05a", "C-HEALTH-01-F1"})
NATIONAL_REGION = COUNTRY_CODE
NATIONAL_TOTAL_NOTE = "全国总量目标，仅适用于全国（100000），不分解到各地"

# Reference rows whose source page is a repost the reference itself asks to confirm.
FYP_UNVERIFIED: dict[str, str] = {
    "达到儿童友好医院建设要求的医疗机构数": "来源页为转载，需在国家卫生健康委网站核实",
}

# Units that differ in wording only.
UNIT_EQUIVALENTS: frozenset[tuple[str, str]] = frozenset({("1/10万活产", "1/10万")})

FYP_MERGED_NOTE = "多个来源目标相同，合并为一行"
FYP_VERIFICATION = "fyp_plan"
FYP_INDICATOR_NOTE = "十四五时期国家规划指标，两纲未列"
FYP_TARGET_YEAR = 2025

# --- ministry targets (ministry_targets_2030.csv) ------------------------------------------
MINISTRY_NOTE = "卫生健康委实施方案目标，非纲要原文"
# The ministry row without a code becomes a new indicator: name → (code, domain, lead unit).
MINISTRY_NEW_INDICATORS: dict[str, tuple[str, str, str]] = {
    "孕前优生健康检查目标人群覆盖率": ("C-HEALTH-M1", "儿童与健康", "health"),
}
MINISTRY_VERIFICATION = "national_dept_plan"
MINISTRY_INDICATOR_NOTE = "2030年目标取自国家卫生健康委《实施方案》（非纲要原文），见目标表"
MINISTRY_NEW_INDICATOR_NOTE = "卫生健康委《实施方案》提出的指标，纲要未列"

# --- local indicators no national plan sets --------------------------------------------------
# code → (domain, name, unit, lead, other units, definition key in DEFINITIONS, note)
LOCAL_INDICATORS: tuple[tuple[str, str, str, str, str, tuple[str, ...], str], ...] = (
    (
        "L-COURTYARD-01",
        "妇女与家庭建设",
        "美丽庭院创建率",
        "%",
        "women_federation",
        # 农村人居环境整治 is the agriculture bureau's job; 美丽庭院 builds on it
        ("agriculture",),
        "本地指标，国家规划未设目标；由妇联牵头，农业农村局配合（农村人居环境整治）",
    ),
    (
        "L-CHILD-01",
        "儿童与环境",
        "儿童友好社区覆盖率",
        "%",
        # 儿童友好城市 is led by 发展改革委 nationally, but community coverage is usually
        # coordinated by the office; a city can switch lead_unit to development_reform
        "women_children_office",
        ("development_reform", "civil_affairs", "housing"),
        "本地指标，国家规划未设目标；选定妇儿工委办牵头（儿童友好城市建设由发展改革委牵头，"
        "可按本地分工改为发展改革委）",
    ),
)
LOCAL_VERIFICATION = "local_indicator"

# Demonstration targets (data/samples/sample_targets.csv): the only invented numbers in the
# catalogue, and they say so. (indicator code, kind, value, target text) One 2030 target per
# numeric indicator with a direction, at least as ambitious as the 两纲 target where one exists;
# counts without a sensible number only ask for an increase.
SAMPLE_SOURCE = "示例目标（非官方，仅供演示）"
SAMPLE_NOTE = "示例目标，仅供演示；请替换为本地规划目标"
SAMPLE_TARGETS: tuple[tuple[str, str, str, str], ...] = (
    ("L-COURTYARD-01", "at_least", "90", "示例：美丽庭院创建率达到90%以上"),
    ("L-CHILD-01", "at_least", "60", "示例：儿童友好社区覆盖率达到60%以上"),
    ("C-WELFARE-08", "at_least", "95", "示例：城乡社区儿童之家覆盖率达到95%以上"),
    ("W-HEALTH-01", "at_least", "83.5", "示例：妇女人均预期寿命达到83.5岁以上"),
    ("W-HEALTH-01-F1", "at_least", "81", "示例：人均预期寿命达到81岁以上"),
    ("W-HEALTH-01-F2", "at_least", "72", "示例：人均健康预期寿命达到72岁以上"),
    ("W-HEALTH-02", "at_most", "10", "示例：孕产妇死亡率下降到10/10万以下"),
    ("W-HEALTH-02a", "at_most", "9", "示例：城市孕产妇死亡率下降到9/10万以下"),
    ("W-HEALTH-02b", "at_most", "11", "示例：农村孕产妇死亡率下降到11/10万以下"),
    ("W-HEALTH-03", "at_least", "75", "示例：适龄妇女宫颈癌人群筛查率达到75%以上"),
    ("W-HEALTH-03-F1", "at_least", "95", "示例：宫颈癌及癌前病变患者治疗率达到95%以上"),
    ("W-HEALTH-04", "at_least", "70", "示例：乳腺癌人群筛查率达到70%以上"),
    ("W-HEALTH-06", "at_most", "1", "示例：艾滋病母婴传播率下降到1%以下"),
    ("W-HEALTH-06-F1", "at_most", "0.5", "示例：乙肝母婴传播率下降到0.5%以下"),
    ("W-HEALTH-06-F2", "at_least", "99.5", "示例：孕产妇艾滋病、梅毒、乙肝检测率达到99.5%以上"),
    ("W-HEALTH-06a", "at_most", "3", "示例：先天梅毒报告发病率下降到3/10万以下"),
    ("W-HEALTH-08", "at_least", "45", "示例：妇女健康素养水平达到45%以上"),
    ("W-HEALTH-10", "at_least", "43", "示例：经常参加体育锻炼的妇女比例达到43%以上"),
    ("W-HEALTH-M1", "at_least", "96", "示例：孕产妇系统管理率达到96%以上"),
    ("W-HEALTH-M2", "at_least", "85", "示例：婚前医学检查率达到85%以上"),
    ("W-HEALTH-M3", "at_least", "96", "示例：产前筛查率达到96%以上"),
    ("W-HEALTH-M4", "at_least", "99.95", "示例：孕产妇住院分娩率达到99.95%以上"),
    ("W-HEALTH-M5", "at_least", "98", "示例：产后访视率达到98%以上"),
    ("W-EDU-04", "at_least", "99", "示例：九年义务教育巩固率达到99%以上"),
    ("W-EDU-05", "at_least", "97", "示例：高中阶段毛入学率达到97%以上"),
    ("W-EDU-08", "at_most", "1.5", "示例：男女两性科学素质水平差距缩小到1.5个百分点以内"),
    ("W-EDU-10", "at_least", "10.5", "示例：女性平均受教育年限、女性青壮年扫盲达到10.5年以上"),
    ("W-EDU-10-F1", "at_least", "12", "示例：劳动年龄人口平均受教育年限达到12年以上"),
    ("W-EDU-10a", "at_most", "2", "示例：女性文盲率（15岁及以上）下降到2%以下"),
    ("W-ECON-03", "at_least", "45", "示例：高级专业技术人员中的女性比例达到45%以上"),
    ("W-ECON-07a", "at_least", "85", "示例：执行《女职工劳动保护特别规定》的企业比重达到85%以上"),
    ("W-DEC-01", "at_least", "33", "示例：中国共产党女党员及党代会女代表比例达到33%以上"),
    ("W-DEC-02", "at_least", "30", "示例：人大代表中的女性比例（全国人大）达到30%以上"),
    ("W-DEC-03", "at_least", "26", "示例：政协委员中的女性比例（全国政协）达到26%以上"),
    ("W-DEC-05", "at_least", "40", "示例：企业董事会、监事会、管理层及职代会中的女性比例达到40%以上"),
    ("W-DEC-05a", "at_least", "42", "示例：企业职工董事中女性比重达到42%以上"),
    ("W-DEC-06", "at_least", "32", "示例：村委会成员中的女性比例达到32%以上"),
    ("W-DEC-06a", "at_least", "32", "示例：村班子（村“两委”）中妇女成员占比达到32%以上"),
    ("W-DEC-07", "at_least", "55", "示例：社区居委会成员中的女性比例达到55%以上"),
    ("W-SOC-02", "increase", "", "示例：女性参加生育保险人数逐步提高"),
    ("W-SOC-03", "increase", "", "示例：女性参加基本医疗保险人数逐步提高"),
    ("W-SOC-05", "increase", "", "示例：女性参加失业保险、工伤保险人数逐步提高"),
    ("W-SOC-03-F1", "at_least", "97", "示例：基本医疗保险参保率达到97%以上"),
    ("W-SOC-04-F1", "at_least", "97", "示例：基本养老保险参保率达到97%以上"),
    ("C-FYP-1", "at_least", "60", "示例：6个月内婴儿纯母乳喂养率达到60%以上"),
    ("C-HEALTH-01-F1", "at_least", "24", "示例：达到儿童友好医院建设要求的医疗机构达到24家以上"),
    ("C-HEALTH-01a", "at_least", "1.3", "示例：每千名儿童拥有儿科执业（助理）医师数达到1.3人以上"),
    ("C-HEALTH-01b", "at_least", "3.4", "示例：每千名儿童拥有（儿科）床位数达到3.4张以上"),
    ("C-HEALTH-01c", "at_least", "95", "示例：3岁以下儿童系统管理率达到95%以上"),
    ("C-HEALTH-01d", "at_least", "96", "示例：7岁以下儿童健康管理率达到96%以上"),
    ("C-HEALTH-03", "at_most", "2.2", "示例：新生儿死亡率下降到2.2‰以下"),
    ("C-HEALTH-04", "at_most", "3.8", "示例：婴儿死亡率下降到3.8‰以下"),
    ("C-HEALTH-05", "at_most", "4.5", "示例：5岁以下儿童死亡率下降到4.5‰以下"),
    ("C-HEALTH-06a", "at_most", "7", "示例：严重致残出生缺陷发生率下降到7/万以下"),
    ("C-HEALTH-06b", "at_least", "85", "示例：婚前医学检查率达到85%以上"),
    ("C-HEALTH-06c", "at_least", "96", "示例：产前筛查率达到96%以上"),
    ("C-HEALTH-06d", "at_least", "98.5", "示例：新生儿访视率达到98.5%以上"),
    ("C-HEALTH-08", "at_least", "99", "示例：适龄儿童免疫规划疫苗接种率（以乡镇/街道为单位）达到99%以上"),
    ("C-HEALTH-10", "at_most", "3.5", "示例：5岁以下儿童贫血患病率下降到3.5%以下"),
    ("C-HEALTH-11", "at_most", "0.7", "示例：5岁以下儿童生长迟缓率下降到0.7%以下"),
    ("C-HEALTH-13", "at_most", "35", "示例：小学生近视率下降到35%以下"),
    ("C-HEALTH-14", "at_most", "58", "示例：初中生近视率下降到58%以下"),
    ("C-HEALTH-15", "at_most", "68", "示例：高中阶段学生近视率下降到68%以下"),
    ("C-HEALTH-16", "at_least", "95", "示例：0—6岁儿童眼保健和视力检查覆盖率达到95%以上"),
    ("C-HEALTH-17", "at_least", "65", "示例：中小学生国家学生体质健康标准达标优良率达到65%以上"),
    ("C-HEALTH-M1", "at_least", "95", "示例：孕前优生健康检查目标人群覆盖率达到95%以上"),
    ("C-SAFETY-01", "at_most", "6.5", "示例：儿童伤害死亡率下降到6.5/10万以下"),
    ("C-SAFETY-02", "at_most", "1.2", "示例：儿童溺水死亡率下降到1.2/10万以下"),
    ("C-SAFETY-05a", "at_least", "99.9", "示例：婴幼儿配方乳粉食品安全抽检合格率达到99.9%以上"),
    ("C-EDU-02", "at_least", "96", "示例：学前教育毛入园率达到96%以上"),
    ("C-EDU-02a", "at_least", "95", "示例：普惠性幼儿园覆盖率达到95%以上"),
    ("C-EDU-02a-F1", "at_least", "60", "示例：公办园在园幼儿占比达到60%以上"),
    ("C-EDU-03", "at_least", "99", "示例：九年义务教育巩固率达到99%以上"),
    ("C-EDU-05", "at_least", "97", "示例：高中阶段毛入学率达到97%以上"),
    ("C-WELFARE-05", "at_least", "6", "示例：每千人口拥有3岁以下婴幼儿托位数达到6个以上"),
    ("C-WELFARE-05a", "increase", "", "示例：托位总数逐步提高"),
    ("C-FAMILY-06", "at_least", "95", "示例：城乡社区家长学校或家庭教育指导服务站点覆盖率达到95%以上"),
    ("C-FAMILY-06-F1", "at_least", "95", "示例：城市社区家长学校建校率达到95%以上"),
    ("C-FAMILY-06-F2", "at_least", "90", "示例：农村社区家长学校建校率达到90%以上"),
    ("C-ENV-05a", "at_least", "1", "示例：本市纳入国家儿童友好城市建设名单"),
)

# --- extra notes (Chinese remarks appended to the reference notes) --------------------------
EXTRA_NOTES: dict[str, str] = {
    "W-HEALTH-02": "分城乡数值既可按城镇/农村分项填报，也对应W-HEALTH-02a/02b",
    "W-FAM-04": "十四五每千人口托位数目标见C-WELFARE-05",
    "W-HEALTH-06a": "十四五目标口径为每10万活产",
    "W-EDU-04": "与儿童纲要C-EDU-03同名同口径；不带说明的名称按C-EDU-03处理",
    "C-EDU-03": "与妇女纲要W-EDU-04同名同口径；不带说明的名称指本指标",
    "W-EDU-05": "与儿童纲要C-EDU-05同名同口径；不带说明的名称按C-EDU-05处理",
    "C-EDU-05": "与妇女纲要W-EDU-05同名同口径；不带说明的名称指本指标",
    "W-HEALTH-M2": "与儿童纲要C-HEALTH-06b同名；报表须写指标代码或注明妇女/儿童",
    "C-HEALTH-06b": "与妇女纲要W-HEALTH-M2同名；报表须写指标代码或注明妇女/儿童",
    "W-HEALTH-M3": "与儿童纲要C-HEALTH-06c同名；报表须写指标代码或注明妇女/儿童",
    "C-HEALTH-06c": "与妇女纲要W-HEALTH-M3同名；报表须写指标代码或注明妇女/儿童",
    "C-WELFARE-08": "即儿童之家覆盖率；妇联牵头，民政配合",
}

# --- aliases (other names used in local returns) --------------------------------------------
# An alias may equal a name only when several indicators share that name: the row then says
# which one the bare name means. Bracketed units (孕产妇死亡率（1/10万）) are not aliases: the
# name normaliser strips them.
ALIASES: tuple[tuple[str, str, str], ...] = (
    ("学前三年毛入园率", "C-EDU-02", "地方报表常用名称"),
    ("三年毛入园率", "C-EDU-02", "地方报表常用简称"),
    ("学前教育三年毛入园率", "C-EDU-02", "地方报表常用名称"),
    ("普惠性幼儿园覆盖率", "C-EDU-02a", "简称；口径为普惠性幼儿园在园幼儿占比"),
    ("公办幼儿园在园幼儿占比", "C-EDU-02a-F1", "十四五学前教育行动计划指标的全称"),
    (
        "九年义务教育巩固率",
        "C-EDU-03",
        "两纲同名：不带说明时指儿童纲要C-EDU-03；妇女纲要W-EDU-04须写代码或注明妇女",
    ),
    ("义务教育巩固率", "C-EDU-03", "简称；两纲同名时按C-EDU-03处理"),
    (
        "高中阶段毛入学率",
        "C-EDU-05",
        "两纲同名：不带说明时指儿童纲要C-EDU-05；妇女纲要W-EDU-05须写代码或注明妇女",
    ),
    ("高中阶段教育毛入学率", "C-EDU-05", "十四五规划用名；两纲同名时按C-EDU-05处理"),
    ("五岁以下儿童死亡率", "C-HEALTH-05", "数字写作汉字"),
    ("三岁以下儿童系统管理率", "C-HEALTH-01c", "数字写作汉字"),
    ("七岁以下儿童健康管理率", "C-HEALTH-01d", "数字写作汉字"),
    ("每千名儿童拥有床位数", "C-HEALTH-01b", "卫生健康委实施方案用名"),
    ("每千名儿童拥有儿科床位数", "C-HEALTH-01b", "地方报表常用名称"),
    ("每千名儿童拥有儿科执业医师数", "C-HEALTH-01a", "地方报表常用名称（不写“助理”）"),
    ("适龄儿童免疫规划疫苗接种率", "C-HEALTH-08", "不写统计单元的名称；口径以乡镇（街道）为单位"),
    ("0-6岁儿童眼保健和视力检查覆盖率", "C-HEALTH-16", "连字符写法"),
    ("0～6岁儿童眼保健和视力检查覆盖率", "C-HEALTH-16", "波浪号写法"),
    ("国家学生体质健康标准达标优良率", "C-HEALTH-17", "不写“中小学生”的名称"),
    ("儿童之家覆盖率", "C-WELFARE-08", "地方报表常用简称"),
    ("社区儿童之家覆盖率", "C-WELFARE-08", "地方报表常用名称"),
    ("千人口托位数", "C-WELFARE-05", "地方报表常用简称"),
    ("每千人口托位数", "C-WELFARE-05", "地方报表常用简称"),
    ("6个月内纯母乳喂养率", "C-FYP-1", "地方报表常用名称"),
    ("妇女人均预期寿命", "W-HEALTH-01", "不写健康预期寿命的名称；不同于全人群人均预期寿命"),
    ("女性人均预期寿命", "W-HEALTH-01", "地方报表常用名称"),
    ("适龄妇女宫颈癌筛查率", "W-HEALTH-03", "十四五宫颈癌行动计划用名"),
    ("宫颈癌筛查率", "W-HEALTH-03", "地方报表常用简称"),
    ("适龄妇女乳腺癌筛查率", "W-HEALTH-04", "地方报表常用名称"),
    ("乳腺癌筛查率", "W-HEALTH-04", "地方报表常用简称"),
    ("先天梅毒发病率", "W-HEALTH-06a", "十四五消除母婴传播行动计划用名"),
    ("就业人员中女性比例", "W-ECON-02", "不写“的”"),
    ("村委会成员中女性比例", "W-DEC-06", "不写“的”"),
    ("居委会成员中女性比例", "W-DEC-07", "不写“社区”“的”"),
)
