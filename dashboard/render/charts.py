"""Frames → plotly figures. No data access here: callers pass exactly what is drawn."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.engine.publication import PENDING_MARK, STATE_PENDING

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
NATIONAL_COLOUR = "#6b6b6b"
TARGET_COLOUR = "#c0392b"


def _layout(fig: go.Figure, title: str, unit: str | None, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 16}},
        font={"family": FONT},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.15},
        yaxis_title=unit or "",
        xaxis={"dtick": 1, "title": "年份"},
        hovermode="x unified",
    )
    return fig


def trend_figure(
    series: pl.DataFrame,
    *,
    title: str,
    unit: str | None,
    target: float | None = None,
    target_label: str = "目标",
    national: pl.DataFrame | None = None,
    base_year: int | None = None,
    target_year: int | None = None,
    decimals: int = 1,
) -> go.Figure:
    """Values per region over years (columns region_name, year, value), with target and national
    lines. With a review_state column, a value awaiting review is an open marker and its hover
    says （待审核）."""
    fig = go.Figure()
    fmt = f"%{{y:.{decimals}f}}"
    for (name,), part in series.sort("year").group_by("region_name", maintain_order=True):
        pending = (
            [state == STATE_PENDING for state in part["review_state"].to_list()]
            if "review_state" in part.columns
            else [False] * part.height
        )
        fig.add_trace(
            go.Scatter(
                x=part["year"].to_list(),
                y=part["value"].to_list(),
                name=str(name),
                mode="lines+markers",
                marker={"symbol": ["circle-open" if p else "circle" for p in pending], "size": 8},
                customdata=[PENDING_MARK if p else "" for p in pending],
                hovertemplate=fmt + "%{customdata}",
            )
        )
    if national is not None and national.height:
        nat = national.sort("year")
        fig.add_trace(
            go.Scatter(
                x=nat["year"].to_list(),
                y=nat["value"].to_list(),
                name="全国",
                mode="lines+markers",
                line={"dash": "dot", "color": NATIONAL_COLOUR},
                marker={"symbol": "diamond"},
                hovertemplate=fmt,
            )
        )
    if target is not None:
        fig.add_hline(
            y=target,
            line={"color": TARGET_COLOUR, "dash": "dash"},
            annotation_text=f"{target_label} {target:.{decimals}f}",
            annotation_position="top left",
        )
    for year, label in ((base_year, "基期"), (target_year, "目标年")):
        if year is not None:
            fig.add_vline(
                x=year,
                line={"color": "#999999", "dash": "dot", "width": 1},
                annotation_text=f"{label} {year}",
                annotation_position="top",
            )
    if target_year is not None:
        years = series["year"].to_list() + [target_year]
        fig.update_xaxes(range=[min(years) - 0.5, max(years) + 0.5])
    return _layout(fig, title, unit)


def status_heatmap(
    cells: pl.DataFrame, *, colours: dict[str, str], order: list[str], title: str, height: int | None = None
) -> go.Figure:
    """District × indicator grid coloured by status (columns region_name, indicator_name, label, text).

    Colour alone never carries the meaning: each cell also shows its label's symbol/text, so the
    chart reads in greyscale and for colour-blind users.
    """
    regions = list(dict.fromkeys(cells["region_name"].to_list()))
    indicators = list(dict.fromkeys(cells["indicator_name"].to_list()))
    index = {lab: i for i, lab in enumerate(order)}
    z = [[None] * len(regions) for _ in indicators]
    text = [[""] * len(regions) for _ in indicators]
    for r in cells.iter_rows(named=True):
        i, j = indicators.index(r["indicator_name"]), regions.index(r["region_name"])
        z[i][j] = index.get(r["label"])
        text[i][j] = r["text"]
    n = max(len(order) - 1, 1)
    scale = []
    for lab, k in index.items():  # discrete bands: each label owns a flat slice of the scale
        scale += [[k / (n + 1), colours[lab]], [(k + 1) / (n + 1), colours[lab]]]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=regions,
            y=indicators,
            text=text,
            texttemplate="%{text}",
            zmin=-0.5,
            zmax=n + 0.5,
            colorscale=scale,
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate="%{y}<br>%{x}：%{text}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig = _layout(fig, title, None, height or max(300, 26 * len(indicators) + 120))
    fig.update_layout(hovermode="closest", xaxis={"side": "top", "title": "", "dtick": None})
    return fig


def ranking_bar(frame: pl.DataFrame, *, value: str, label: str, title: str) -> go.Figure:
    """Horizontal bar of a rate per region, best first (columns region_name, value, text)."""
    data = frame.sort(value, descending=False, nulls_last=False)
    fig = go.Figure(
        go.Bar(
            x=data[value].to_list(),
            y=data["region_name"].to_list(),
            orientation="h",
            text=data["text"].to_list(),
            textposition="auto",
            marker={"color": "#2f6db5"},
            hovertemplate="%{y}：%{text}<extra></extra>",
        )
    )
    fig = _layout(fig, title, None, max(260, 34 * data.height + 100))
    fig.update_layout(xaxis={"title": label, "dtick": None}, hovermode="closest")
    return fig


def status_bars(
    counts: pl.DataFrame, *, group: str, colours: dict[str, str], order: list[str], title: str
) -> go.Figure:
    """Stacked bars of status counts per group (columns group, label, n)."""
    fig = go.Figure()
    for lab in order:
        part = counts.filter(pl.col("label") == lab)
        if part.height:
            fig.add_trace(
                go.Bar(
                    y=part[group].to_list(),
                    x=part["n"].to_list(),
                    name=lab,
                    orientation="h",
                    marker={"color": colours[lab]},
                    text=part["n"].to_list(),
                    textposition="inside",
                )
            )
    fig = _layout(fig, title, None, max(260, 30 * counts[group].n_unique() + 120))
    fig.update_layout(barmode="stack", xaxis={"title": "指标数", "dtick": None}, hovermode="closest")
    fig.update_yaxes(autorange="reversed")
    return fig
