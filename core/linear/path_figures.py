"""The coefficient path chart: every coefficient against the penalty."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.axes import log_ticks
from core.legend import ALL_NAMED_UP_TO, MOST_NAMED, NAMED_LEGEND_EXTRA, legend_for
from core.linear.paths import PathResult
from core.plot_text import figure_builder
from core.sweep_figures import CURRENT, FEATURE_COLOURS, off_axis_note, short_value


@figure_builder
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
        current-value line (``name`` starts with ``"current"``); then, over more than
        :data:`core.legend.ALL_NAMED_UP_TO` features, a legend-only entry saying how many lines
        the legend does not name (only the largest are named; hover names every line).
    """
    if column not in ("coef_per_sd", "coef"):
        raise ValueError(f"column must be 'coef_per_sd' or 'coef', got {column!r}")
    values = np.asarray(path.values, dtype=float)
    Y = np.asarray(getattr(path, column), dtype=float)
    param = path.param_name
    unit = "per SD of the feature" if column == "coef_per_sd" else "per unit"
    fig = go.Figure()
    colours = {}
    # The legend names the lines that reach the largest sizes; the rest are named on hover.
    reach = np.nan_to_num(np.nanmax(np.abs(Y), axis=0, initial=0.0), nan=0.0)
    n_named = len(reach) if len(reach) <= ALL_NAMED_UP_TO else MOST_NAMED
    named = set(np.argsort(-reach, kind="stable")[:n_named].tolist())
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
                showlegend=j in named,
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
                    name=f"current {param} = {short_value(current)}",
                    line={"color": CURRENT, "dash": "dot", "width": 1.5},
                    hoverinfo="name",
                )
            )
        else:
            off_axis_note(fig, f"current {param} = {short_value(current)} is off this axis")
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
        height=420 + (NAMED_LEGEND_EXTRA if len(named) < len(path.feature_names) else 0),
        margin={"l": 10, "r": 10, "t": 40 if title else 20, "b": 40},
        legend=legend_for("feature"),
        hovermode="closest",
        clickmode="event+select",
    )
    if len(named) < len(path.feature_names):
        # A legend entry that draws nothing: it says the unnamed lines are there.
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                name=f"{len(path.feature_names) - len(named)} more: hover a line",
                line={"color": "#bbbbbb", "width": 2},
                hoverinfo="skip",
            )
        )
    return fig
