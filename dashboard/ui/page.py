"""Streamlit-only helpers shared by the pages: snapshot-keyed caching, banners, downloads.

Computation stays in the Streamlit-free modules (overview, exports, db); this module only
wires their results into widgets.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import polars as pl
import streamlit as st

from dashboard import engine as _engine
from dashboard.engine import labels as _labels
from dashboard.engine import publication as _publication
from dashboard.queries import db
from dashboard.render import exports
from dashboard.render import figures as _figures
from dashboard.render import present as _present
from dashboard.render.markdown import md_escape
from dashboard.ui import options as _options
from dashboard.ui.session import db_path
from dashboard.ui.view_state import PARAMS, ViewOptions, ViewState, parse_view

T = TypeVar("T")


def unexpected_error(exc: Exception) -> None:
    """The app's own Chinese notice for an error no page handled; details go to the server log.

    With `client.showErrorDetails = "none"` (the shipped config) no traceback or server path
    reaches the browser. Any other setting (a developer's, or AppTest's default) re-raises, so
    Streamlit shows the details and tests see the exception.
    """
    incident = uuid.uuid4().hex[:8]
    logging.getLogger("fuer").error("unexpected error %s", incident, exc_info=exc)
    st.error(
        f"页面出现意外错误，未完成本次操作（错误编号 {incident}，详情已记入服务器日志）。"
        "请刷新页面重试；如仍出错，请把错误编号告诉妇儿工委办。",
        icon=":material/error:",
    )
    if str(st.get_option("client.showErrorDetails")).lower() not in ("none", "false"):
        raise exc


def cached_frame(fn: Callable[[Path], T], db_path: Path) -> T:
    """`fn(db_path)`, cached per function and database snapshot (see cached_call)."""
    return cached_call(fn, db_path)


def sample_banner(counts: dict[str, Any]) -> None:
    """The 示例数据 notice, shown whenever generated sample returns are loaded."""
    if not counts.get("sample"):
        return
    st.info(
        f"示例数据：当前数据库中有 {counts.get('sample_submissions', 0)} 个示例数据文件、"
        f"{counts.get('sample_observations', 0)} 条现行数据为自动生成的演示数据，"
        "仅用于展示功能，不代表真实统计结果。",
        icon=":material/science:",
    )


def arrow_table(frame: pl.DataFrame) -> Any:
    """`frame` as the Arrow table st.dataframe sends to the browser. Given a polars frame,
    Streamlit converts it to pandas and back to Arrow, most of a cached page's table cost; the
    oldest Arrow level keeps to the types the browser's Arrow reader knows (no string views)."""
    return frame.to_arrow(compat_level=pl.CompatLevel.oldest())


def download_csv(frame: pl.DataFrame, file_name: str, *, key: str | None = None) -> None:
    """A download button for `frame` as Excel-friendly CSV (UTF-8 with BOM, no formulas)."""
    st.download_button(
        f"下载 {md_escape(file_name)}",
        # made when clicked: most views download nothing, and every table's CSV would otherwise be
        # written and held in memory on each run of the page (a fifth of a cached page's work)
        data=lambda: exports.csv_bytes(frame),
        file_name=file_name,
        mime="text/csv",
        key=key or f"download-{file_name}",
        icon=":material/download:",
        # a download needs no rerun of the page
        on_click="ignore",
    )


def table_with_download(
    frame: pl.DataFrame,
    file_name: str,
    *,
    empty_text: str = "暂无数据。",
    height: Literal["auto", "content"] | int = "auto",
) -> None:
    """Show a table and its CSV download, or a short note when there is nothing to show.

    `height="content"` shows every row (for short summary tables); "auto" scrolls after ten.
    """
    if frame.height == 0:
        st.caption(empty_text)
        return
    # empty cells rather than the word "None" for missing values
    st.dataframe(arrow_table(frame), hide_index=True, placeholder="", height=height)
    download_csv(frame, file_name)


# The last view this session chose, param → value. Streamlit drops the query string and the
# widgets' state when the user moves to another page; without this the plan and year picked
# on one page would silently snap back to the defaults on the next.
_VIEW_MEMORY = "view_memory"


def view_param(param: str) -> str | None:
    """The link's value for `param`, else the one this session last chose."""
    return st.query_params.get(param) or st.session_state.get(_VIEW_MEMORY, {}).get(param)


def remember(param: str, value: str) -> None:
    st.session_state.setdefault(_VIEW_MEMORY, {})[param] = value
    if st.query_params.get(param) != value:
        st.query_params[param] = value


def view_sidebar(options: ViewOptions, *, fields: tuple[str, ...] = ("plan", "year", "region", "labels")) -> ViewState:
    """Sidebar widgets for the view, seeded from and mirrored to st.query_params.

    A copied link reopens the same view; a link with bad values opens the default view and
    says what was replaced, never raising.
    """
    state, notices = parse_view({k: view_param(k) for k in PARAMS}, options)
    choices: dict[str, tuple[str, list[Any], Callable[[Any], str]]] = {
        "plan": ("规划", list(options.plans), lambda c: options.plans[c]),
        "year": ("报告年份", list(options.years) or [state.year], lambda y: f"{y}年"),
        "region": ("地区", list(options.regions), lambda c: options.regions[c]),
        "labels": ("评价标签", list(options.label_sets), lambda c: options.label_sets[c]),
        "indicator": ("指标", list(options.indicators), lambda c: f"{c} {options.indicators[c]}"),
        "unit": ("成员单位", list(options.units), lambda c: options.units[c]),
        "basis": ("数据口径", list(options.bases), lambda c: options.bases[c]),
    }
    # the basis is a choice only for those who may see unreviewed values (publication rule)
    fields = (*fields, "basis") if len(options.bases) > 1 and "basis" not in fields else fields
    picked: dict[str, Any] = {}
    with st.sidebar:
        for name in fields:
            label, values, fmt = choices[name]
            current = getattr(state, name)
            index = values.index(current) if current in values else 0
            picked[name] = st.selectbox(label, values, index=index, format_func=fmt, key=f"view_{name}")
    state = ViewState(**{**state.__dict__, **picked})
    for key, value in state.as_params().items():
        if key != "basis" or len(options.bases) > 1:  # a basis nobody can change stays out of links
            remember(key, value)
    for notice in notices:
        st.warning(md_escape(notice), icon=":material/link_off:")
    return state


# --- engine results and shared page widgets -----------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=32)
def _cached_result(
    db_path: str, snapshot: str, plan: str, year: int, region: str | None, label_set: str, basis: str
) -> _engine.ProgressResult:
    # One ProgressResult per key, shared by every session without a copy: it is a frozen
    # dataclass of polars frames, which no page changes in place (unpickling a copy for each
    # session cost about 7 ms per result). `snapshot` makes a newly published database a
    # miss, so a load shows at once.
    return _engine.run(Path(db_path), plan, year, region, label_set, basis=basis)


def cached_result(
    db_path: Path, plan: str, year: int, region: str | None, label_set: str, basis: str | None = None
) -> _engine.ProgressResult:
    """engine.run(...) cached per database snapshot; raises engine.EngineError like run.
    `basis` None applies the publication rule."""
    try:
        basis = _publication.resolve_basis(basis)
    except _publication.PublicationError as exc:
        raise _engine.EngineError(str(exc)) from exc
    return _cached_result(str(db_path), db.snapshot_id(db_path), plan, int(year), region, label_set, basis)


def office_user() -> Any:
    """The signed-in 妇儿工委办 user, or None (also when no users are configured)."""
    from dashboard.auth import gate as auth_ui
    from etl.workflow.users import ROLE_OFFICE

    if not _publication.users_configured():
        return None
    user = auth_ui.current_user()
    return user if user is not None and user.role == ROLE_OFFICE else None


def allowed_bases() -> tuple[str, ...]:
    """The publication bases this session may choose, the rule's default first: the office and
    member units may also look at unreviewed values; leaders and the public see the default."""
    from dashboard.auth import gate as auth_ui
    from etl.workflow.users import ROLE_OFFICE, ROLE_UNIT

    configured = _publication.users_configured()
    default = _publication.default_basis(configured)
    user = auth_ui.current_user() if configured else None
    if user is not None and user.role in (ROLE_OFFICE, ROLE_UNIT):
        other = _publication.ALL if default == _publication.REVIEWED else _publication.REVIEWED
        return (default, other)
    return (default,)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_args(_fn: Callable[..., Any], fn_name: str, db_path: str, snapshot: str, args: tuple) -> Any:
    return _fn(Path(db_path), *args)


def cached_call(fn: Callable[..., T], db_path: Path, *args: Any) -> T:
    """`fn(db_path, *args)` cached per function, arguments and database snapshot."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    return _cached_args(fn, name, str(db_path), db.snapshot_id(db_path), args)


@st.cache_data(show_spinner=False, max_entries=4)
def _label_sets(mtime_ns: int) -> dict[str, str]:
    config = _labels.load_labels()
    return {key: s.name for key, s in config.sets.items()}


def label_sets() -> dict[str, str]:
    """{code: name} of the label sets, re-read when the configuration file changes."""
    return _label_sets(_labels.LABELS_FILE.stat().st_mtime_ns)


def page_view(
    fields: tuple[str, ...] = ("plan", "year", "region", "labels"),
) -> tuple[ViewState, ViewOptions]:
    """The view sidebar (plan, year, region, label set …) with options from the database.

    A database without plans or regions (nothing built yet) gets a short note, not an error.
    """
    path = db_path()
    opts = cached_call(_options.view_options, path, label_sets(), allowed_bases())
    if not opts.plans or not opts.regions or not opts.label_sets:
        st.info("数据库中还没有规划或地区，暂不能计算目标进度。请先运行 python -m etl build。", icon=":material/info:")
        st.stop()
    return view_sidebar(opts, fields=fields), opts


@dataclass(frozen=True)
class PageContext:
    """What every plan page opens with: the sidebar's choices, the database, the home region
    (the top of the region list) and the engine result for the chosen plan and year."""

    view: ViewState
    options: ViewOptions
    path: Path
    home: str
    result: _engine.ProgressResult

    def companion(
        self, *, plan: str | None = None, year: int | None = None, region: str | None = None
    ) -> _engine.ProgressResult | None:
        """Another result for the same view (last year, 全国, another plan), or None."""
        v = self.view
        return optional_result(
            self.path, plan or v.plan, v.year if year is None else year, region or self.home, v.labels, v.basis
        )


def open_page(fields: tuple[str, ...] = ("plan", "year", "region", "labels")) -> PageContext:
    """The sidebar, then the engine result for its choices; stops with a short notice when
    there is nothing to show."""
    view, opts = page_view(fields)
    path = db_path()
    home = next(iter(opts.regions))
    result = result_or_stop(path, view.plan, view.year, home, view.labels, view.basis)
    return PageContext(view, opts, path, home, result)


def result_or_stop(
    path: Path, plan: str, year: int, region: str | None, label_set: str, basis: str | None = None
) -> _engine.ProgressResult:
    """The cached engine result; a request the engine refuses is a short notice, not a crash."""
    try:
        return cached_result(path, plan, year, region, label_set, basis)
    except (_engine.EngineError, _labels.LabelConfigError) as exc:
        st.warning(f"无法计算：{md_escape(exc)}", icon=":material/warning:")
        st.stop()
        raise  # unreachable: st.stop() raises


def optional_result(
    path: Path, plan: str, year: int, region: str | None, label_set: str, basis: str | None = None
) -> _engine.ProgressResult | None:
    """A companion result (last year, 全国, another plan) or None when the engine refuses it."""
    try:
        return cached_result(path, plan, year, region, label_set, basis)
    except (_engine.EngineError, _labels.LabelConfigError):
        return None


def result_banner(result: _engine.ProgressResult, *, compact: bool = False) -> None:
    """The publication basis, and 示例数据 / 示例目标 notices whenever the numbers rest on them
    (one caption line on a wall display, where every line of height counts)."""
    if compact:
        marks = [result.basis_caption]
        marks += ["示例数据：区县数据为程序生成的演示数据"] if result.sample_data else []
        marks += ["部分为示例目标（非官方）"] if result.sample_targets else []
        st.caption("；".join(marks))
        return
    st.caption(result.basis_caption)
    if result.sample_data:
        st.info(
            "示例数据：本页的区县数据为程序生成的演示数据，仅用于展示功能，不代表真实统计结果。",
            icon=":material/science:",
        )
    if result.sample_targets:
        st.info("示例目标：部分目标为示例目标（非官方），仅供演示，请替换为本地规划目标。", icon=":material/science:")


def table_csv(
    frame: pl.DataFrame,
    file_name: str,
    *,
    note: str = _present.ROUNDED_NOTE,
    empty_text: str = "暂无数据。",
    height: Literal["auto", "content"] | int = "auto",
) -> None:
    """A table, a line saying whether its numbers are rounded as shown, and its CSV download."""
    if frame.height == 0:
        st.caption(empty_text)
        return
    # percentages (τ, ρ …) always show their one decimal, as in the CSV
    percent_columns = {
        name: st.column_config.NumberColumn(format="%.1f")
        for name, dtype in frame.schema.items()
        if name.endswith("（%）") and dtype == pl.Float64
    }
    st.dataframe(
        arrow_table(frame), hide_index=True, placeholder="", height=height, column_config=percent_columns or None
    )
    st.caption(note)
    download_csv(frame, file_name)


def metric_cards(cards: list[tuple[str, Any, str | None]], *, one_line: bool = False, per_line: int = 6) -> None:
    """Bordered metric cards (label, value, help). Beside the sidebar at most `per_line` fit
    without cutting a number off; more go on two balanced lines (one_line for a wide wall)."""
    n = len(cards) if one_line or len(cards) <= per_line else -(-len(cards) // 2)
    for start in range(0, len(cards), n):
        for column, (label, value, hint) in zip(st.columns(n), cards[start : start + n], strict=False):
            column.metric(label, value, border=True, help=hint)


def status_legend(styles: tuple[_present.LabelStyle, ...] | list[_present.LabelStyle]) -> None:
    """Colour chips with symbol and label: the colours mean the same on every page."""
    chips = "".join(
        f'<span style="display:inline-flex;align-items:center;margin-right:1.1em;white-space:nowrap">'
        f'<span style="display:inline-block;width:0.9em;height:0.9em;background:{s.colour};'
        f'border:1px solid #555;margin-right:0.35em"></span>{s.symbol} {s.label}</span>'
        for s in styles
    )
    st.markdown(f'<div class="fuer-legend">{chips}</div>', unsafe_allow_html=True)


def param_select(
    label: str,
    choices: dict[str, str],
    *,
    param: str,
    key: str,
    what: str,
    known: Any = (),
    sidebar: bool = True,
) -> str | None:
    """A selectbox seeded from and mirrored to st.query_params[param].

    A value outside `choices` falls back to the first choice with a notice — unless it is
    unknown everywhere (`known`), where view_sidebar has already said so.
    """
    if not choices:
        return None
    values = list(choices)
    raw = view_param(param)
    index = values.index(raw) if raw in choices else 0
    if raw and raw not in choices and raw in known:
        st.info(
            f"{what}“{md_escape(raw)}”不在当前规划中，已改为“{md_escape(choices[values[0]])}”。", icon=":material/info:"
        )
    where = st.sidebar if sidebar else st
    picked = where.selectbox(label, values, index=index, format_func=lambda c: f"{choices[c]}", key=key)
    remember(param, picked)
    return picked


_BIG_SCREEN_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] {display: none !important;}
[data-testid="stMainBlockContainer"], .block-container {padding: 1rem 2rem 1rem 2rem !important;
    max-width: 100% !important;}
h1 {font-size: 2.4rem !important; padding-top: 0 !important;}
h2, h3 {font-size: 2.1rem !important;}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {font-size: 2.8rem !important;
    line-height: 1.15 !important;}
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] p {font-size: 1.6rem !important;}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {font-size: 1.25rem !important;}
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li {font-size: 1.55rem;}
.fuer-legend {font-size: 1.5rem;}
.fuer-map-legend {font-size: 1.25rem !important;}
</style>
"""


def big_screen_style() -> None:
    """Large type and no sidebar or toolbar, for a wall display (briefing `screen=big`)."""
    st.html(_BIG_SCREEN_CSS)


def plotly(fig: Any, key: str) -> None:
    """A plotly chart drawn from the locally served plotly.js, without the logo link; long
    Chinese axis labels get the room they need (figures.tidy)."""
    st.plotly_chart(_figures.tidy(fig), key=key, config={"displaylogo": False}, theme=None)


@st.cache_data(show_spinner=False, max_entries=128)
def _cached_view(_build: Callable[..., Any], name: str, snapshot: str, key: tuple, _args: tuple) -> Any:
    return _build(*_args)


def cached_view(build: Callable[..., T], key: tuple, *args: Any) -> T:
    """`build(*args)` (a page's pure view function) cached per database snapshot and `key`.

    The arguments — engine results of a few MB — are not hashed; `key` must name everything
    they were made from (view state, home region, widget values), so a different view is
    never served from the cache.
    """
    name = f"{build.__module__}.{build.__qualname__}"
    return _cached_view(build, name, db.snapshot_id(db_path()), key, args)


def chinese_widget_chrome() -> None:
    """Chinese words for the file uploader's built-in English ("Upload", "10MB per file • XLSX…"):
    Streamlit has no option for them, so CSS hides the text and writes ours in its place (the
    accepted types are written per uploader by `file_uploader`); the English hint under text
    boxes ("Press Enter to apply") is hidden; metric labels and values wrap instead of ending in
    an ellipsis."""
    from etl.returns.safety import upload_limit_mb

    # only the browse button is relabelled: once a file is chosen the drop zone also holds the
    # file's remove (✕) and add (+) buttons, which keep their icons
    browse = '[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"]'
    st.html(
        "<style>"
        f"{browse}, {browse} *{{font-size:0 !important;}}"
        f'{browse} [data-testid="stIconMaterial"]{{display:none;}}'
        f'{browse}::after{{content:"选择文件";font-size:0.875rem;}}'
        '[data-testid="stFileUploaderDropzoneInstructions"] *{font-size:0 !important;}'
        '[data-testid="stFileUploaderDropzoneInstructions"]::after{content:"'
        f"单个文件不超过 {upload_limit_mb()} MB"
        '";font-size:0.875rem;opacity:0.7;}'
        # "Press Enter to apply" under a text box: English, and the buttons say what to do
        '[data-testid="InputInstructions"]{display:none !important;}'
        # a key figure is never cut to "部分报送 135 / 1…": a long label or value wraps in its card
        '[data-testid="stMetric"] .stMarkdownEllipsis, [data-testid="stMetric"] .stMarkdownEllipsis *'
        "{white-space:normal !important;overflow:visible !important;text-overflow:clip !important;"
        "word-break:keep-all;overflow-wrap:anywhere;}"
        "</style>"
    )


def file_uploader(label: str, types: list[str], *, key: str) -> Any:
    """st.file_uploader within the upload size limit whose drop zone names, in Chinese, exactly
    the file types this uploader takes (CSS scoped to the widget's key class)."""
    from etl.returns.safety import upload_limit_mb

    limit = upload_limit_mb()
    kinds = "、".join(t.upper() for t in types)
    st.html(
        f'<style>.st-key-{key} [data-testid="stFileUploaderDropzoneInstructions"]::after'
        f'{{content:"单个文件不超过 {limit} MB · 支持 {kinds}";}}</style>'
    )
    return st.file_uploader(label, type=types, max_upload_size=limit, key=key)
