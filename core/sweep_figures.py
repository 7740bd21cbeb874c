"""Pure plotly builders for sweeps: validation curves (coefficient paths are in
:mod:`core.linear.path_figures`).

Each takes the results of :mod:`core.sweeps` and returns a ``go.Figure``; markers for the
current and best settings are ordinary traces (not layout shapes), so a test can read them
from ``fig.data`` and they work on log axes without coordinate conversions.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from core.axes import log_ticks
from core.legend import LEGEND_BELOW
from core.plot_text import figure_builder
from core.specs import ParamSpec
from core.sweep_diagnosis import best_value
from core.sweep_grids import is_log_sweep

#: One colour per feature, cycled; a feature's true-value line takes its colour.
FEATURE_COLOURS = qualitative.Plotly
TRAIN = "#7f7f7f"
CV = "#1f77b4"
CURRENT = "#222222"
BEST = "#d62728"


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def short_value(value: Any) -> str:
    if isinstance(value, bool | np.bool_ | str):
        return str(value)
    return f"{float(value):.3g}"


def off_axis_note(fig: go.Figure, text: str) -> None:
    """A note in paper coordinates, for a current value a log axis cannot show (C=inf)."""
    fig.add_annotation(
        text=text,
        xref="paper",
        yref="paper",
        x=0,
        y=1.0,
        xanchor="left",  # the top right is under the charts' toolbars (core.legend)
        yanchor="bottom",
        showarrow=False,
        font={"size": 11},
    )


def _choice_label(spec: ParamSpec, shown: Any) -> str:
    """Display label of a swept value stored as a string in the table."""
    for choice in spec.choices:
        if str(choice) == str(shown):
            return spec.label_for(choice)
    return str(shown)


@figure_builder
def validation_curve_figure(
    table: pd.DataFrame,
    param_spec: ParamSpec,
    current: Any = None,
    *,
    score_name: str = "score",
    title: str | None = None,
) -> go.Figure:
    """Training and cross-validated scores against one hyperparameter.

    Parameters
    ----------
    table : DataFrame
        From :func:`core.sweeps.validation_curve_table` or
        :func:`core.sweeps.path_validation_curve_table`.
    param_spec : ParamSpec
        The swept hyperparameter: numeric specs give lines with ±1 standard-deviation
        bands (log x axis when :func:`core.sweep_grids.is_log_sweep`); bool and choice specs
        give grouped bars with ±1 sd error bars.
    current : Any, optional
        The current setting, marked; ``None`` marks nothing.
    score_name : str, default="score"
        Name of the score for the axis, e.g. ``"R²"``.
    title : str, optional
        Figure title.

    Returns
    -------
    go.Figure
        Numeric specs, traces in order: training band, training mean, CV band, CV mean
        (``name`` ``"training"`` / ``"cross-validation"``, bands named ``"... ± 1 sd"``),
        the best value (a star, ``name`` starting ``"best"``), and the current-value line
        (``name`` starting ``"current"``) when it can be drawn.
        Bool and choice specs: a training bar trace and a CV bar trace whose ``text`` marks
        ``"best"`` and ``"current"``.
    """
    best = best_value(table)
    y_title = f"{score_name} (mean ± 1 sd over folds)"
    fig = go.Figure()
    if param_spec.kind in ("bool", "choice"):
        labels = [_choice_label(param_spec, v) for v in table["value"]]
        marks = []
        for shown in table["value"]:
            tags = []
            if str(shown) == str(best):
                tags.append("best")
            if current is not None and str(shown) == str(current):
                tags.append("current")
            marks.append(" · ".join(tags))
        for name, prefix, colour, text in (
            ("training", "train", TRAIN, None),
            ("cross-validation", "cv", CV, marks),
        ):
            fig.add_trace(
                go.Bar(
                    x=labels,
                    y=table[f"{prefix}_mean"].to_numpy(dtype=float),
                    error_y={
                        "type": "data",
                        "array": table[f"{prefix}_std"].to_numpy(dtype=float),
                    },
                    name=name,
                    marker_color=colour,
                    text=text,
                    textposition="outside" if text is not None else None,
                    hovertemplate=f"%{{x}}: %{{y:.4f}}<extra>{name}</extra>",
                )
            )
        fig.update_layout(barmode="group", xaxis_title=param_spec.label, yaxis_title=y_title)
    else:
        # Values no fold could score (NaN: a k above a fold's rows) are left out: a gap
        # inside a filled band draws stray triangles. The caller says which were left out.
        scored = np.isfinite(table["cv_mean"].to_numpy(dtype=float)) & np.isfinite(
            table["train_mean"].to_numpy(dtype=float)
        )
        table = table[scored].reset_index(drop=True)
        x = table["value"].to_numpy(dtype=float)
        log = is_log_sweep(param_spec) and bool((x > 0).all())
        for name, prefix, colour in (
            ("training", "train", TRAIN),
            ("cross-validation", "cv", CV),
        ):
            mean = table[f"{prefix}_mean"].to_numpy(dtype=float)
            sd = table[f"{prefix}_std"].to_numpy(dtype=float)
            fig.add_trace(
                go.Scatter(
                    x=np.concatenate([x, x[::-1]]),
                    y=np.concatenate([mean + sd, (mean - sd)[::-1]]),
                    fill="toself",
                    fillcolor=_rgba(colour, 0.18),
                    line={"width": 0},
                    name=f"{name} ± 1 sd",
                    legendgroup=name,
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=mean,
                    mode="lines+markers",
                    name=name,
                    legendgroup=name,
                    line={"color": colour, "width": 2},
                    customdata=x,
                    hovertemplate=f"{param_spec.name} = %{{customdata:.4g}}<br>"
                    f"{score_name} = %{{y:.4f}}<extra>{name}</extra>",
                )
            )
        best_row = table.loc[table["value"] == best].iloc[0]
        fig.add_trace(
            go.Scatter(
                x=[float(best)],
                y=[float(best_row["cv_mean"])],
                mode="markers",
                name=f"best {param_spec.name} = {short_value(best)}",
                marker={"symbol": "star", "size": 14, "color": BEST},
                hovertemplate=f"best: {param_spec.name} = %{{x:.4g}}<br>"
                f"{score_name} = %{{y:.4f}}<extra></extra>",
            )
        )
        if current is not None:
            value = float(current)
            if math.isfinite(value) and (value > 0 or not log):
                bands = table[["train_mean", "cv_mean"]].to_numpy(dtype=float)
                spread = table[["train_std", "cv_std"]].to_numpy(dtype=float)
                fig.add_trace(
                    go.Scatter(
                        x=[value, value],
                        y=[np.nanmin(bands - spread), np.nanmax(bands + spread)],
                        mode="lines",
                        name=f"current {param_spec.name} = {short_value(value)}",
                        line={"color": CURRENT, "dash": "dot", "width": 1.5},
                        hoverinfo="name",
                    )
                )
            else:
                off_axis_note(
                    fig, f"current {param_spec.name} = {short_value(value)} is off this axis"
                )
        x_title = param_spec.label + (" (log scale)" if log else "")
        ticks = log_ticks(float(x.min()), float(x.max())) if log else {}
        fig.update_xaxes(type="log" if log else "linear", title=x_title, **ticks)
        fig.update_layout(yaxis_title=y_title)
    fig.update_layout(
        title=title,
        height=380,
        margin={"l": 10, "r": 10, "t": 40 if title else 20, "b": 40},
        legend=LEGEND_BELOW,
        hovermode="closest",
    )
    return fig


#: Measures whose largest sizes differ by more than this factor get a panel each, so a
#: constant in the thousands (values stored) does not flatten one in the units (k).
SEPARATE_SCALES = 100.0
#: At most this many panels; more measures share one axis (a coefficient path's lines).
MOST_PANELS = 4


@figure_builder
def measures_figure(
    table: pd.DataFrame,
    param_spec: ParamSpec,
    measures: list[str],
    current: Any = None,
    *,
    title: str | None = None,
) -> go.Figure:
    """What each refit learned, against the swept hyperparameter: one line per measure.

    Parameters
    ----------
    table : DataFrame
        From :func:`core.sweeps.sweep`: ``value`` and the ``measures`` columns; values that
        could not be fitted (NaN) are left out.
    param_spec : ParamSpec
        The swept hyperparameter (log x axis when :func:`core.sweep_grids.is_log_sweep`; bool
        and choice values are categories).
    measures : list of str
        The measure columns, each a trace of that ``name``.
    current : Any, optional
        The current value, a dotted line named ``"current …"`` (numeric specs).
    title : str, optional

    Returns
    -------
    go.Figure
        One ``lines+markers`` trace per measure (``customdata`` the swept value), on one
        axis, or on one panel each when their sizes differ by more than
        :data:`SEPARATE_SCALES` (at most :data:`MOST_PANELS` measures).
    """
    from plotly.subplots import make_subplots

    fitted = table[table["note"] == ""] if "note" in table else table
    numeric = param_spec.kind in ("int", "float")
    x = fitted["value"].to_numpy(dtype=float) if numeric else fitted["value"].astype(str)
    if not numeric:
        x = np.array([_choice_label(param_spec, v) for v in x], dtype=object)
    log = numeric and is_log_sweep(param_spec) and bool((x > 0).all()) and len(x) > 0
    sizes = [
        float(np.nanmax(np.abs(fitted[m].to_numpy(dtype=float)), initial=0.0)) for m in measures
    ]
    positive = [s for s in sizes if s > 0]
    separate = (
        1 < len(measures) <= MOST_PANELS
        and bool(positive)
        and max(positive) / min(positive) > SEPARATE_SCALES
    )
    rows = len(measures) if separate else 1
    fig = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    for i, name in enumerate(measures):
        y = fitted[name].to_numpy(dtype=float)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines+markers",
                name=name,
                line={"color": FEATURE_COLOURS[i % len(FEATURE_COLOURS)], "width": 2},
                customdata=fitted["value"].to_numpy(dtype=object),
                hovertemplate=f"{param_spec.name} = %{{x}}<br>{name} = %{{y:.4g}}<extra></extra>",
            ),
            row=i + 1 if separate else 1,
            col=1,
        )
        if separate:
            fig.update_yaxes(title_text=name, row=i + 1, col=1)
    if numeric and current is not None and len(x):
        value = float(current)
        if math.isfinite(value) and (value > 0 or not log):
            for row in range(1, rows + 1):
                column = fitted[measures[row - 1]] if separate else fitted[measures]
                data = np.asarray(column, dtype=float)
                low, high = float(np.nanmin(data, initial=0.0)), float(np.nanmax(data, initial=0.0))
                fig.add_trace(
                    go.Scatter(
                        x=[value, value],
                        y=[low, high],
                        mode="lines",
                        name=f"current {param_spec.name} = {short_value(value)}",
                        line={"color": CURRENT, "dash": "dot", "width": 1.5},
                        hoverinfo="name",
                        showlegend=row == 1,
                    ),
                    row=row,
                    col=1,
                )
        else:
            off_axis_note(fig, f"current {param_spec.name} = {short_value(value)} is off this axis")
    x_title = param_spec.label + (" (log scale)" if log else "")
    ticks = log_ticks(float(x.min()), float(x.max())) if log else {}
    fig.update_xaxes(type="log" if log else None, **ticks)
    fig.update_xaxes(title_text=x_title, row=rows, col=1)
    if not separate:
        fig.update_yaxes(title_text="learned value" if len(measures) > 1 else measures[0])
    fig.update_layout(
        title=title,
        height=380 if rows == 1 else 140 + 120 * rows,
        margin={"l": 10, "r": 10, "t": 40 if title else 20, "b": 40},
        legend=LEGEND_BELOW,
        hovermode="closest",
    )
    return fig
