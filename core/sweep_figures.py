"""Pure plotly builders for sweeps: coefficient paths and validation curves.

Each takes the results of :mod:`core.sweeps` and returns a ``go.Figure``; markers for the
current and best settings are ordinary traces (not layout shapes), so a test can read them
from ``fig.data`` and they work on log axes without coordinate conversions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from core.axes import log_ticks
from core.paths import PathResult
from core.specs import ParamSpec
from core.sweeps import best_value, is_log_sweep

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


def _fmt(value: Any) -> str:
    if isinstance(value, bool | np.bool_ | str):
        return str(value)
    return f"{float(value):.3g}"


def _off_axis_note(fig: go.Figure, text: str) -> None:
    """A note in paper coordinates, for a current value a log axis cannot show (C=inf)."""
    fig.add_annotation(
        text=text,
        xref="paper",
        yref="paper",
        x=1,
        y=1.0,
        xanchor="right",
        yanchor="bottom",
        showarrow=False,
        font={"size": 11},
    )


def coefficient_path_figure(
    path: PathResult,
    column: str = "coef_per_sd",
    true_coef: pd.Series | Mapping[str, float] | None = None,
    current: float | None = None,
    *,
    title: str | None = None,
) -> go.Figure:
    """One line per feature against the penalty, on a log x axis.

    The swept value increases to the right, as on every chart: for ``alpha`` the penalty
    grows to the right (coefficients shrink toward zero), for ``C`` it weakens (large ``C``
    is a weak penalty, so coefficients grow away from zero); the axis title says which.

    Parameters
    ----------
    path : PathResult
        From :func:`core.sweeps.coefficient_path` or
        :func:`core.sweeps.logistic_coefficient_path`.
    column : {"coef_per_sd", "coef"}, default="coef_per_sd"
        Coefficients per standard deviation of each feature, or per unit.
    true_coef : Series or mapping of str to float, optional
        Generating coefficients by feature, in raw units (``Dataset.true_coef``); drawn as
        dashed horizontal lines in each feature's colour (converted to per-SD units when
        ``column="coef_per_sd"``). Features missing from it get no line.
    current : float, optional
        The current setting; default ``path.current_value``. Drawn as a vertical dotted
        line; an infinite or non-positive value gets a note instead (a log axis cannot
        show it).
    title : str, optional
        Figure title.

    Returns
    -------
    go.Figure
        Traces, in order: one line per feature (``name`` = feature, ``customdata`` = the
        swept value of each point, so a clicked point gives its alpha or C); then one
        dashed line per true coefficient (``name`` = ``"<feature> (true)"``); then, for
        an L1 penalty, markers where each coefficient becomes exactly zero (``name``
        ``"becomes exactly 0"``, ``x`` = ``path.zero_at``); then, if drawn, the
        current-value line (``name`` starts with ``"current"``).
    """
    if column not in ("coef_per_sd", "coef"):
        raise ValueError(f"column must be 'coef_per_sd' or 'coef', got {column!r}")
    values = np.asarray(path.values, dtype=float)
    Y = np.asarray(getattr(path, column), dtype=float)
    param = path.param_name
    unit = "per standard deviation of the feature" if column == "coef_per_sd" else "per unit"
    fig = go.Figure()
    colours = {}
    for j, name in enumerate(path.feature_names):
        colour = FEATURE_COLOURS[j % len(FEATURE_COLOURS)]
        colours[name] = colour
        fig.add_trace(
            go.Scatter(
                x=values,
                y=Y[:, j],
                mode="lines",
                name=name,
                legendgroup=name,
                line={"color": colour, "width": 2},
                customdata=values,
                hovertemplate=f"{name}<br>{param} = %{{customdata:.4g}}<br>"
                "coefficient = %{y:.4g}<extra></extra>",
            )
        )
    lows, highs = [np.nanmin(Y)], [np.nanmax(Y)]
    if true_coef is not None:
        truth = pd.Series(true_coef, dtype=float)
        sd = pd.Series(path.feature_sd, index=path.feature_names)
        for name in path.feature_names:
            if name not in truth.index:
                continue
            value = float(truth[name]) * (float(sd[name]) if column == "coef_per_sd" else 1.0)
            lows.append(value)
            highs.append(value)
            fig.add_trace(
                go.Scatter(
                    x=[values.min(), values.max()],
                    y=[value, value],
                    mode="lines",
                    name=f"{name} (true)",
                    legendgroup=name,
                    showlegend=False,
                    line={"color": colours[name], "dash": "dash", "width": 1},
                    hovertemplate=f"{name}: true value %{{y:.4g}}<extra></extra>",
                )
            )
    if path.zero_at is not None:
        # Where an L1 penalty sets each coefficient to exactly zero (and keeps it there).
        where = [
            (n, a) for n, a in zip(path.feature_names, path.zero_at, strict=True) if np.isfinite(a)
        ]
        if where:
            fig.add_trace(
                go.Scatter(
                    x=[a for _, a in where],
                    y=[0.0] * len(where),
                    mode="markers",
                    name="becomes exactly 0",
                    marker={
                        "symbol": "x",
                        "size": 9,
                        "color": [colours[n] for n, _ in where],
                        "line": {"width": 1},
                    },
                    customdata=[a for _, a in where],
                    text=[n for n, _ in where],
                    hovertemplate=f"%{{text}} is exactly 0 from {param} = %{{x:.4g}}"
                    "<extra></extra>",
                )
            )
    current = path.current_value if current is None else current
    if current is not None:
        if math.isfinite(current) and current > 0:
            fig.add_trace(
                go.Scatter(
                    x=[current, current],
                    y=[min(lows), max(highs)],
                    mode="lines",
                    name=f"current {param} = {_fmt(current)}",
                    line={"color": CURRENT, "dash": "dot", "width": 1.5},
                    hoverinfo="name",
                )
            )
        else:
            _off_axis_note(fig, f"current {param} = {_fmt(current)} is off this axis")
    # Values increase left to right on every chart, as on the validation curve beside this
    # one; the title says which way the penalty grows (C is an inverse penalty).
    fig.update_xaxes(
        type="log",
        title=f"{param} (log scale, {'stronger' if path.penalty_grows else 'weaker'} penalty →)",
        autorange=True,
        **log_ticks(float(values.min()), float(values.max())),
    )
    fig.add_hline(y=0, line_width=1, line_color="#444")
    fig.update_layout(
        title=title,
        yaxis_title=f"coefficient ({unit})",
        height=420,
        margin={"l": 10, "r": 10, "t": 40 if title else 20, "b": 40},
        legend={"title": {"text": "feature"}},
        hovermode="closest",
        clickmode="event+select",
    )
    return fig


def _choice_label(spec: ParamSpec, shown: Any) -> str:
    """Display label of a swept value stored as a string in the table."""
    for choice in spec.choices:
        if str(choice) == str(shown):
            return spec.label_for(choice)
    return str(shown)


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
        bands (log x axis when :func:`core.sweeps.is_log_sweep`); bool and choice specs
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
                name=f"best {param_spec.name} = {_fmt(best)}",
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
                        name=f"current {param_spec.name} = {_fmt(value)}",
                        line={"color": CURRENT, "dash": "dot", "width": 1.5},
                        hoverinfo="name",
                    )
                )
            else:
                _off_axis_note(fig, f"current {param_spec.name} = {_fmt(value)} is off this axis")
        x_title = param_spec.label + (" (log scale)" if log else "")
        ticks = log_ticks(float(x.min()), float(x.max())) if log else {}
        fig.update_xaxes(type="log" if log else "linear", title=x_title, **ticks)
        fig.update_layout(yaxis_title=y_title)
    fig.update_layout(
        title=title,
        height=380,
        margin={"l": 10, "r": 10, "t": 40 if title else 20, "b": 40},
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
        hovermode="closest",
    )
    return fig
