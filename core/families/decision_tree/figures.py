"""Pure plotly builders for the decision-tree page: how depth and pruning move the tree,
and its feature importances. Each takes a table from :mod:`core.families.decision_tree.drawing` and
returns a figure."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.axes import whole_number_ticks
from core.families.decision_tree.refits import TreeSweep
from core.legend import LEGEND_BELOW
from core.plot_text import figure_builder

TRAIN = "#1f77b4"
TEST = "#ff7f0e"
SIZE = "#7f7f7f"


def _sweep_figure(sweep: TreeSweep, x: str, x_title: str, current: float | None) -> go.Figure:
    table = sweep.table
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for column, name, colour in (("train", "training", TRAIN), ("test", "test", TEST)):
        if table[column].notna().any():
            fig.add_trace(
                go.Scatter(
                    x=table[x].tolist(),
                    y=table[column].tolist(),
                    mode="lines+markers",
                    name=f"{name} {sweep.score}",
                    line={"color": colour},
                    hovertemplate=f"{x}=%{{x:.4g}}: %{{y:.4g}}<extra>{name}</extra>",
                ),
                secondary_y=False,
            )
    fig.add_trace(
        go.Scatter(
            x=table[x].tolist(),
            y=table["leaves"].tolist(),
            mode="lines",
            name="leaves",
            line={"color": SIZE, "dash": "dot", "shape": "hv"},
            hovertemplate=f"{x}=%{{x:.4g}}: %{{y}} leaves<extra></extra>",
        ),
        secondary_y=True,
    )
    if current is not None:
        fig.add_vline(x=current, line_dash="dash", line_color="#444")
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=sweep.score, secondary_y=False)
    # Leaves are a count: whole-number ticks of its own, not ones aligned to the score's.
    fig.update_yaxes(
        title_text="leaves",
        secondary_y=True,
        rangemode="tozero",
        showgrid=False,
        **whole_number_ticks(float(table["leaves"].max())),
    )
    fig.update_layout(
        height=360,
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        legend=LEGEND_BELOW,
    )
    return fig


@figure_builder
def depth_sweep_figure(sweep: TreeSweep, current: int | None = None) -> go.Figure:
    """Training and test score (left axis) and leaves (right axis) against ``max_depth``.

    Traces: training score, test score (when there are test rows), then leaves; a dashed
    line marks ``current``.
    """
    return _sweep_figure(sweep, "max_depth", "max_depth", current)


@figure_builder
def pruning_figure(sweep: TreeSweep, current: float | None = None) -> go.Figure:
    """Training and test score and leaves against ``ccp_alpha`` along the pruning path."""
    return _sweep_figure(sweep, "ccp_alpha", "ccp_alpha (pruning strength)", current)


@figure_builder
def importance_figure(table: pd.DataFrame) -> go.Figure:
    """Horizontal bars of ``feature_importances_``, largest on top (features with none
    left out). Trace 0's ``x`` are the importances in plotted order (bottom to top)."""
    shown = table[table["importance"] > 0].iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=shown["importance"].tolist(),
            y=shown["feature"].tolist(),
            orientation="h",
            marker_color=TRAIN,
            customdata=shown["splits"].tolist(),
            hovertemplate="%{y}: %{x:.3f} (%{customdata} splits)<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis_title="importance (impurity decrease, sums to 1)",
        height=max(200, 28 * len(shown) + 100),
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
    )
    return fig
