"""Finishing touches on the plotly figures of dashboard.render.charts, for the dashboard pages.

charts.py builds the figures; these functions only adjust layout so that long Chinese axis
labels (领域, 区县, 指标 names) are never clipped and a wall display can read them.
"""

from __future__ import annotations

import plotly.graph_objects as go


def tidy(fig: go.Figure) -> go.Figure:
    """Axis labels make room for themselves; bar numbers stay horizontal; legends read in
    the order the traces were added (the label set's order, best first)."""
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    fig.update_traces(textangle=0, insidetextanchor="middle", constraintext="none", selector={"type": "bar"})
    # below the x-axis title, not on top of it
    fig.update_layout(legend={"traceorder": "normal", "yanchor": "top", "y": -0.2})
    return fig


def category_order(fig: go.Figure, categories: list[str]) -> go.Figure:
    """Fix the y-axis categories to `categories` (top to bottom on charts.status_bars, whose
    y-axis is reversed): a stacked bar otherwise orders them by first appearance per trace."""
    # every category labelled: plotly would otherwise skip every other name when rows are tight
    fig.update_yaxes(categoryorder="array", categoryarray=categories, tickmode="array", tickvals=categories)
    return fig


def for_wall(fig: go.Figure, scale: float = 1.5, height: int | None = None) -> go.Figure:
    """The same figure with type large enough for a wall display."""
    fig.update_layout(
        font={"size": round(14 * scale)},
        title={"font": {"size": round(18 * scale)}},
        height=height or int((fig.layout.height or 420) * 1.1),
    )
    fig.update_traces(textfont={"size": round(14 * scale)}, selector={"type": "bar"})
    if len(fig.data) > 1:
        # stacked bars carry their counts; the axis title would collide with the large legend
        fig.update_xaxes(title_text="")
    return tidy(fig)


def heatmap_room(fig: go.Figure) -> go.Figure:
    """Room between the title and the district names along the heatmap's top axis."""
    fig.update_layout(margin={"t": 60}, title={"y": 0.995, "yanchor": "top"})
    return fig
