"""Charts of the /capacity page: pure plotly builders, each wearing ``@figure_builder``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.axes import log_ticks_of
from core.legend import LEGEND_BELOW
from core.plot_text import figure_builder
from core.risk.bias_variance import BV_COLUMNS
from core.risk.double_descent import theory_risk

#: One colour per term, the total in black.
TERM_COLOURS = {
    "bias²": "#1f77b4",
    "variance": "#d62728",
    "noise": "#9e9e9e",
    "expected test MSE": "#000000",
}
#: Refitted curves drawn per panel: enough to see the spread, few enough to stay light.
MAX_CURVES = 20


def is_log_grid(values: Sequence[Any]) -> bool:
    """Whether swept values read better on a log axis: positive floats over two decades."""
    floats = [v for v in values if isinstance(v, float)]
    if len(floats) != len(values) or min(floats) <= 0:
        return False
    return max(floats) / min(floats) >= 100


@figure_builder
def bias_variance_figure(table: pd.DataFrame, current: int) -> go.Figure:
    """bias², variance, noise and the expected test MSE against the swept value.

    Parameters
    ----------
    table : DataFrame
        :func:`core.risk.bias_variance.bias_variance` 's table (index: the swept values).
    current : int
        Row of the family's current setting: a dashed vertical line and a star on the
        expected test MSE, named ``"your setting"``.

    Returns
    -------
    go.Figure
        One line per column of the table, in its order; then the star. Log x axis for a
        penalty swept over decades.
    """
    x = list(table.index)
    param = str(table.index.name)
    fig = go.Figure()
    for column in BV_COLUMNS:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=table[column].to_numpy(dtype=float),
                mode="lines+markers",
                name=column,
                line={"color": TERM_COLOURS[column], "width": 3 if column == BV_COLUMNS[-1] else 2},
                hovertemplate=f"{param} = %{{x}}<br>{column}: %{{y:.4g}}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[x[current]],
            y=[float(table["expected test MSE"].iloc[current])],
            mode="markers",
            name="your setting",
            marker={"symbol": "star", "size": 16, "color": "#ff7f0e"},
            hovertemplate=f"your setting: {param} = %{{x}}<extra></extra>",
        )
    )
    fig.add_vline(x=x[current], line_dash="dash", line_color="#ff7f0e")
    log = is_log_grid(x)
    fig.update_xaxes(
        title=param, type="log" if log else "linear", **(log_ticks_of(x) if log else {})
    )
    fig.update_yaxes(title="squared error on the test points", rangemode="tozero")
    fig.update_layout(height=380, margin={"t": 30, "b": 40}, legend=LEGEND_BELOW)
    return fig


@figure_builder
def refit_curves_figure(
    x_test: np.ndarray,
    f_test: np.ndarray,
    predictions: np.ndarray,
    grid: Sequence[Any],
    panels: Sequence[int],
    param: str,
) -> go.Figure:
    """A strip of panels, one per swept value in ``panels``: up to :data:`MAX_CURVES` refitted
    prediction curves (thin, grey: their spread is the variance), their mean (blue: its gap
    to the truth is the bias) and the true function (black, dashed).

    Returns
    -------
    go.Figure
        Per panel, in order: the refits (one trace, curves separated by gaps), the mean,
        the truth; panel titles ``"<param> = <value>"``.
    """
    titles = [f"{param} = {_short(grid[i])}" for i in panels]
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=titles, shared_yaxes=True)
    for col, i in enumerate(panels, start=1):
        curves = predictions[i][:MAX_CURVES]
        xs = np.concatenate([np.append(x_test, np.nan) for _ in curves])
        ys = np.concatenate([np.append(c, np.nan) for c in curves])
        first = col == 1
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name="refits",
                line={"color": "rgba(120,120,120,0.35)", "width": 1},
                showlegend=first,
                hoverinfo="skip",
            ),
            row=1,
            col=col,
        )
        fig.add_trace(
            go.Scatter(
                x=x_test,
                y=predictions[i].mean(axis=0),
                mode="lines",
                name="mean of the refits",
                line={"color": TERM_COLOURS["bias²"], "width": 2},
                showlegend=first,
            ),
            row=1,
            col=col,
        )
        fig.add_trace(
            go.Scatter(
                x=x_test,
                y=f_test,
                mode="lines",
                name="true f(x)",
                line={"color": "#000000", "width": 2, "dash": "dash"},
                showlegend=first,
            ),
            row=1,
            col=col,
        )
        fig.update_xaxes(title="x", row=1, col=col)
    fig.update_layout(height=300, margin={"t": 40, "b": 40}, legend=LEGEND_BELOW)
    return fig


def _short(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


@figure_builder
def double_descent_figure(table: pd.DataFrame, r2: float, sigma2: float) -> go.Figure:
    """Min-norm risk (simulated, markers; theory, a line) and optimal ridge's risk (markers
    and line) against p/n, log y, a dotted line at p = n.

    Returns
    -------
    go.Figure
        Traces in order: ``"min-norm (simulated)"``, ``"min-norm (theory, Hastie et al.
        2019)"`` (a dense curve on each side of p/n = 1), ``"optimal ridge (simulated)"``.
    """
    gamma = table["p/n"].to_numpy(dtype=float)
    lo, hi = float(gamma.min()), float(gamma.max())
    dense = np.concatenate(
        [np.linspace(lo, 0.97, 120), [np.nan], np.linspace(1.03, max(hi, 1.05), 200)]
    )
    theory = [np.nan if np.isnan(g) else theory_risk(g, r2, sigma2) for g in dense]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=gamma,
            y=table["min-norm risk (simulated)"].to_numpy(dtype=float),
            mode="markers+lines",
            name="min-norm (simulated)",
            line={"color": "#d62728", "width": 1},
            marker={"size": 8},
            hovertemplate="p/n = %{x:.3g}<br>min-norm risk %{y:.4g}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=dense,
            y=theory,
            mode="lines",
            name="min-norm (theory, Hastie et al. 2019)",
            line={"color": "#000000", "width": 2, "dash": "dash"},
            hovertemplate="p/n = %{x:.3g}<br>theory %{y:.4g}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=gamma,
            y=table["ridge risk (simulated)"].to_numpy(dtype=float),
            mode="markers+lines",
            name="optimal ridge (simulated)",
            line={"color": "#1f77b4", "width": 2},
            hovertemplate="p/n = %{x:.3g}<br>ridge risk %{y:.4g}<extra></extra>",
        )
    )
    fig.add_vline(x=1.0, line_dash="dot", line_color="#9e9e9e")
    finite = table["min-norm risk (simulated)"].to_numpy(dtype=float)
    top = min(float(np.nanmax(finite)) * 1.5, 1e4)
    bottom = max(float(np.nanmin(table["ridge risk (simulated)"])) / 2, 1e-3)
    fig.update_yaxes(
        title="test risk E‖β̂ − β‖²", type="log", range=[np.log10(bottom), np.log10(top)]
    )
    fig.update_xaxes(title="p/n (features per training row)")
    fig.update_layout(height=400, margin={"t": 30, "b": 40}, legend=LEGEND_BELOW)
    return fig
