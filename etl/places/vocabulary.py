"""What place files say: the three kinds of file, the words their headers use for each field,
and the words their cells use for coordinate systems, levels and statuses.

Header text is compared the way returns compare it (etl.returns.header.label_key), lower-cased
for the English field names a system export may use.
"""

from __future__ import annotations

from etl.core.text import squash
from etl.returns.header import label_key, without_brackets

COURTYARD, CHILD_FRIENDLY, COMMUNITY_COUNT = "courtyard", "child_friendly", "community_count"
KINDS = (COURTYARD, CHILD_FRIENDLY, COMMUNITY_COUNT)
KIND_LABELS = {COURTYARD: "美丽庭院", CHILD_FRIENDLY: "儿童友好社区/儿童之家", COMMUNITY_COUNT: "村和社区数"}

WGS84, GCJ02 = "WGS-84", "GCJ-02"
COORD_SYSTEMS = (WGS84, GCJ02)

CHILD_HOME, FRIENDLY = "儿童之家", "儿童友好社区"
NAMED, IN_PROGRESS, REVOKED = "已命名", "创建中", "已撤销"
LEVELS = ("国家级", "省级", "市级", "县级")

# --- what the headers may say --------------------------------------------------------------

_ALIASES: dict[str, tuple[str, ...]] = {
    "village_code": (
        "村代码",
        "村(社区)代码",
        "村(居)代码",
        "村居代码",
        "村级代码",
        "行政村代码",
        "统计用区划代码",
        "村(社区)编码",
        "village_code",
    ),
    "village_name": (
        "村(社区)名称",
        "村(社区)",
        "村名称",
        "村名",
        "村(居)名称",
        "村居名称",
        "村庄名称",
        "行政村",
        "行政村名称",
        "村",
        "village_name",
    ),
    "community_name": (
        "社区名称",
        "社区(村)名称",
        "社区(村)",
        "村(社区)名称",
        "社区",
        "名称",
        "儿童之家名称",
        "所在社区",
        "community_name",
    ),
    "district_code": (
        "区县代码",
        "所属区县代码",
        "县区代码",
        "县(市、区)代码",
        "行政区划代码",
        "地区代码",
        "district_code",
    ),
    "district_name": (
        "所属区县",
        "区县",
        "县区",
        "区县名称",
        "所属县区",
        "县(市、区)",
        "县市区",
        "所属地区",
        "地区",
        "district",
        "district_name",
    ),
    "street": (
        "街道(镇)",
        "镇(街道)",
        "乡镇(街道)",
        "街道(乡镇)",
        "乡镇",
        "街道",
        "镇街",
        "所属镇街",
        "所属街道",
        "所属乡镇",
        "street",
    ),
    "year": ("年份", "年度", "统计年度", "数据年份", "year"),
    "rural_households": ("农村户数", "农户数", "总户数", "户数", "农村住户数", "rural_households"),
    "courtyard_households": ("美丽庭院户数", "美丽庭院创建户数", "创建户数", "美丽庭院数", "courtyard_households"),
    "premium_households": (
        "精品(示范)户数",
        "精品户数",
        "示范户数",
        "精品庭院户数",
        "美丽庭院示范户数",
        "精品(示范)庭院户数",
        "premium_households",
    ),
    "kind": ("类别", "类型", "种类", "kind"),
    "level": ("级别", "命名级别", "等级", "level"),
    "year_named": ("命名年份", "命名年度", "命名时间", "建成年份", "创建年份", "year_named"),
    "status": ("状态", "命名状态", "创建状态", "status"),
    "villages": ("行政村数", "村数", "建制村数", "村委会数", "villages"),
    "communities": ("社区数", "城市社区数", "居委会数", "城镇社区数", "communities"),
    "lon": ("经度", "lon", "lng", "longitude"),
    "lat": ("纬度", "lat", "latitude"),
    "coord_system": ("坐标系", "坐标系统", "坐标类型", "coord_system"),
    "note": ("备注", "说明", "note"),
    "seq": ("序号", "行次", "编号"),
}
_FIELDS_OF: dict[str, tuple[str, ...]] = {
    COURTYARD: (
        "village_code",
        "village_name",
        "district_code",
        "district_name",
        "street",
        "year",
        "rural_households",
        "courtyard_households",
        "premium_households",
        "lon",
        "lat",
        "coord_system",
        "note",
        "seq",
    ),
    CHILD_FRIENDLY: (
        "community_name",
        "district_code",
        "district_name",
        "street",
        "kind",
        "level",
        "year_named",
        "status",
        "lon",
        "lat",
        "coord_system",
        "note",
        "seq",
    ),
    COMMUNITY_COUNT: ("district_code", "district_name", "year", "villages", "communities", "note", "seq"),
}
# Each inner tuple: at least one of these must be a column.
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    COURTYARD: (
        ("village_name", "village_code"),
        ("district_code", "district_name"),
        ("rural_households",),
        ("courtyard_households",),
    ),
    CHILD_FRIENDLY: (("community_name",), ("district_code", "district_name"), ("kind",)),
    COMMUNITY_COUNT: (("district_code", "district_name"), ("villages", "communities")),
}
EXPECTED = {
    COURTYARD: "表头需有“村（社区）名称”、“所属区县”（或区县代码）、“农村户数”、“美丽庭院户数”，"
    "可有“年份”“精品（示范）户数”“经度”“纬度”“坐标系”",
    CHILD_FRIENDLY: "表头需有“社区名称”、“所属区县”（或区县代码）、“类别”（儿童友好社区/儿童之家），"
    "可有“级别”“命名年份”“状态”“经度”“纬度”“坐标系”",
    COMMUNITY_COUNT: "表头需有“所属区县”（或区县代码）、“行政村数”或“社区数”，以及“年份”",
}

_COORD_WORDS: dict[str, str] = {
    "wgs84": WGS84,
    "wgs-84": WGS84,
    "gps": WGS84,
    "cgcs2000": WGS84,
    "2000国家大地坐标系": WGS84,
    "国家2000": WGS84,
    "天地图": WGS84,
    "北斗": WGS84,
    "gcj02": GCJ02,
    "gcj-02": GCJ02,
    "火星坐标": GCJ02,
    "火星坐标系": GCJ02,
    "国测局坐标": GCJ02,
    "国测局": GCJ02,
    "高德": GCJ02,
    "高德地图": GCJ02,
    "腾讯": GCJ02,
    "腾讯地图": GCJ02,
}
BAIDU_WORDS = ("bd09", "bd-09", "百度", "百度地图", "百度坐标")
LEVEL_WORDS = {
    "国家级": "国家级",
    "国家": "国家级",
    "全国": "国家级",
    "省级": "省级",
    "省": "省级",
    "市级": "市级",
    "市": "市级",
    "县级": "县级",
    "区级": "县级",
    "县(区)级": "县级",
    "区县级": "县级",
    "县": "县级",
}
STATUS_WORDS = {
    "已命名": NAMED,
    "命名": NAMED,
    "已建成": NAMED,
    "建成": NAMED,
    "已挂牌": NAMED,
    "挂牌": NAMED,
    "创建中": IN_PROGRESS,
    "在建": IN_PROGRESS,
    "培育中": IN_PROGRESS,
    "建设中": IN_PROGRESS,
    "已撤销": REVOKED,
    "撤销": REVOKED,
    "已摘牌": REVOKED,
    "摘牌": REVOKED,
}


def _key(text: str) -> str:
    """Header text as compared: label_key (NFKC, no spaces or 必填 marks), ASCII lower-cased."""
    return label_key(text).lower()


_FIELD_OF: dict[str, str] = {}
for _field, _names in _ALIASES.items():
    for _name in _names:
        _FIELD_OF.setdefault(_key(_name), _field)


def field_of(label: str, kind: str) -> str | None:
    """The field a header cell names for this kind of file ("农村户数（户）" → rural_households)."""
    key = _key(label)
    if not key:
        return None
    allowed = _FIELDS_OF[kind]
    for candidate in (key, without_brackets(key)):
        f = _FIELD_OF.get(candidate)
        # 村（社区）名称 names the village in a courtyard file and the community in the other.
        if f == "village_name" and kind == CHILD_FRIENDLY:
            f = "community_name"
        if f == "community_name" and kind == COURTYARD and candidate in ("村(社区)名称", "社区(村)名称"):
            f = "village_name"
        if f in allowed:
            return f
    return None


def coord_system_of(text: str | None) -> str | None:
    """ "WGS84" / "GPS" / "CGCS2000" → WGS-84; "GCJ02" / "高德" / "火星坐标" → GCJ-02; else None."""
    key = squash(text).lower().replace("_", "-")
    if not key:
        return None
    return _COORD_WORDS.get(key) or _COORD_WORDS.get(key.replace("-", ""))


def normalise_coord_system(text: str | None) -> str | None:
    """The caller's coord_system argument, checked: None, WGS-84 or GCJ-02 (raises ValueError)."""
    if text is None or not str(text).strip():
        return None
    system = coord_system_of(text)
    if system is None:
        raise ValueError(f"未知坐标系“{text}”（可用：{'、'.join(COORD_SYSTEMS)}）")
    return system
