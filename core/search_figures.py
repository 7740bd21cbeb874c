"""Pure plotly builders for the Tune tab: the score surface of a search (a curve for one
hyperparameter, a heatmap for two), each marking the chosen candidate."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.axes import log_ticks, tick_text
from core.legend import LEGEND_BELOW
from core.plot_text import figure_builder
from core.search import SearchResult
from core.specs import ParamSpec
from core.sweep_figures import BEST, CV, _rgba, short_value
from core.sweep_grids import is_log_sweep


def _label(spec: ParamSpec, value: Any) -> str:
    """A grid value as an axis label: a choice by its label, a number short."""
    if spec.kind == "choice":
        return spec.label_for(value)
    if float(value) > 0:
        return tick_text(float(f"{float(value):.3g}"))  # 1,000 and 10⁻⁶, as the axes write
    return short_value(value)


@figure_builder
def search_curve_figure(result: SearchResult, spec: ParamSpec) -> go.Figure:
    """Mean inner-CV score against one searched hyperparameter, ±1 sd over folds.

    Returns
    -------
    go.Figure
        A number: the band (``name`` ``"± 1 sd over folds"``), the mean line (``name``
        ``"mean over folds"``, x the values tried, y their means) and the chosen candidate
        (a star, ``name`` starting ``"chosen"``); log x axis where the spec is swept on one.
        A choice: one bar per option with ±1 sd error bars and the chosen one marked.
    """
    surface = result.surface
    name = spec.name
    scored = surface[np.isfinite(surface["mean"].to_numpy(dtype=float))]
    mean = scored["mean"].to_numpy(dtype=float)
    sd = scored["std"].to_numpy(dtype=float)
    best = result.best[name]
    score = result.score_name
    fig = go.Figure()
    if spec.kind == "choice":
        labels = [_label(spec, v) for v in scored[name]]
        fig.add_trace(
            go.Bar(
                x=labels,
                y=mean,
                error_y={"type": "data", "array": sd},
                name="mean over folds",
                marker_color=[BEST if v == best else CV for v in scored[name]],
                text=["chosen" if v == best else "" for v in scored[name]],
                textposition="outside",
                hovertemplate=f"%{{x}}: {score} %{{y:.4f}}<extra></extra>",
            )
        )
        fig.update_xaxes(title=spec.label)
    else:
        x = scored[name].to_numpy(dtype=float)
        log = is_log_sweep(spec) and bool((x > 0).all())
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([x, x[::-1]]),
                y=np.concatenate([mean + sd, (mean - sd)[::-1]]),
                fill="toself",
                fillcolor=_rgba(CV, 0.18),
                line={"width": 0},
                name="± 1 sd over folds",
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=mean,
                mode="lines+markers",
                name="mean over folds",
                line={"color": CV, "width": 2},
                customdata=sd,
                hovertemplate=f"{name} = %{{x:.4g}}<br>{score} = %{{y:.4f}} ± "
                "%{customdata:.4f}<extra></extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[float(best)],
                y=[float(result.best_score)],
                mode="markers",
                name=f"chosen {name} = {short_value(best)}",
                marker={"symbol": "star", "size": 14, "color": BEST},
                hovertemplate=f"chosen: {name} = %{{x:.4g}}<br>{score} = %{{y:.4f}}<extra></extra>",
            )
        )
        ticks = log_ticks(float(x.min()), float(x.max())) if log and len(x) else {}
        fig.update_xaxes(
            type="log" if log else "linear",
            title=spec.label + (" (log scale)" if log else ""),
            **ticks,
        )
    fig.update_layout(
        yaxis_title=f"{score}, mean of {result.plan.inner} inner folds ± 1 sd",
        height=380,
        margin={"l": 10, "r": 10, "t": 20, "b": 40},
        legend=LEGEND_BELOW,
        hovermode="closest",
    )
    return fig


@figure_builder
def search_heatmap_figure(result: SearchResult, x_spec: ParamSpec, y_spec: ParamSpec) -> go.Figure:
    """Mean inner-CV score over two searched hyperparameters, each cell with its mean and
    fold spread as text.

    Returns
    -------
    go.Figure
        ``data[0]`` a heatmap: ``x`` and ``y`` the grids' labels (ascending, choices in
        spec order), ``z`` the means (NaN where a candidate was not tried or not scored),
        ``text`` ``"mean<br>± sd"``; ``data[1]`` the chosen cell's legend entry (``name``
        starting ``"chosen"``), framed by ``layout.shapes[0]`` (cell index ± 0.5).
    """
    plan = result.plan
    grids = dict(zip(plan.params, plan.grids, strict=True))
    xs, ys = grids[x_spec.name], grids[y_spec.name]
    z = np.full((len(ys), len(xs)), np.nan)
    text = [["not tried" for _ in xs] for _ in ys]
    for _, row in result.surface.iterrows():
        i = ys.index(row[y_spec.name])
        j = xs.index(row[x_spec.name])
        z[i, j] = row["mean"]
        text[i][j] = (
            f"{row['mean']:.3f}<br>± {row['std']:.3f}" if np.isfinite(row["mean"]) else "failed"
        )
    x_labels = [_label(x_spec, v) for v in xs]
    y_labels = [_label(y_spec, v) for v in ys]
    fig = go.Figure(
        go.Heatmap(
            x=x_labels,
            y=y_labels,
            z=z,
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            colorbar={"title": {"text": result.score_name}},
            hovertemplate=f"{x_spec.name} = %{{x}}<br>{y_spec.name} = %{{y}}<br>"
            f"{result.score_name} = %{{text}}<extra></extra>",
            hoverongaps=False,
        )
    )
    bx, by = result.best[x_spec.name], result.best[y_spec.name]
    # The chosen cell gets a frame, not a marker: a star on it covered the cell's score.
    # Shapes on category axes count cells from 0, so the cell's edges are its index ± 0.5.
    j, i = x_labels.index(_label(x_spec, bx)), y_labels.index(_label(y_spec, by))
    fig.add_shape(
        type="rect",
        x0=j - 0.5,
        x1=j + 0.5,
        y0=i - 0.5,
        y1=i + 0.5,
        line={"color": BEST, "width": 3},
    )
    # A trace with no points: the frame's entry in the legend, in the frame's colour.
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines",
            name=f"chosen: {x_spec.name} = {short_value(bx)}, {y_spec.name} = {short_value(by)}",
            line={"color": BEST, "width": 3},
            hoverinfo="skip",
        )
    )
    fig.update_xaxes(
        title=x_spec.label + (" (log grid)" if is_log_sweep(x_spec) else ""), type="category"
    )
    fig.update_yaxes(
        title=y_spec.label + (" (log grid)" if is_log_sweep(y_spec) else ""), type="category"
    )
    fig.update_layout(
        height=420,
        margin={"l": 10, "r": 10, "t": 30, "b": 40},
        legend=LEGEND_BELOW,
    )
    return fig
