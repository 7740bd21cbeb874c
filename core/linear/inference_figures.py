"""Pure plotly figure builders for resampled coefficients (see :mod:`core.linear.inference`)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.linear.parameters import INTERCEPT
from core.palette import NEGATIVE, POSITIVE
from core.plot_text import figure_builder

SPREAD = "#7f7f7f"


@figure_builder
def coefficient_spread_figure(
    samples: pd.DataFrame,
    intervals: pd.DataFrame,
    *,
    output: str | None = None,
    units: Literal["per_sd", "raw"] = "per_sd",
    include_intercept: bool = False,
    title: str | None = None,
) -> go.Figure:
    """One horizontal box per feature: its coefficient across resamples, the fit marked.

    Parameters
    ----------
    samples : DataFrame
        From :func:`core.linear.resampling.resample_coefficients`.
    intervals : DataFrame
        From :func:`core.linear.resampling.resample_intervals`; its ``fitted`` column, when present,
        is drawn as a diamond per feature, coloured by sign.
    output : str, optional
        Which output (target or class) to show; the first in ``intervals`` by default.
    units : {"per_sd", "raw"}, default="per_sd"
        ``"per_sd"`` multiplies each coefficient by its feature's training standard deviation,
        so boxes of features in different units share one axis; ``"raw"`` keeps the
        features' own units.
    include_intercept : bool, default=False
        Also draw the intercept (raw units only: it has no per-standard-deviation form).
    title : str, optional
        Figure title.

    Returns
    -------
    go.Figure
        Trace 0 is one box trace over all features, ``y`` the feature of each resampled value
        and ``x`` the value; trace 1, when ``intervals`` has ``fitted``, the fitted values in
        plotted order. Features are ordered by the size of their mean, largest on top.
    """
    output = str(intervals["output"].iloc[0]) if output is None else output
    table = intervals[intervals["output"] == output]
    rows = samples[samples["output"] == output]
    if units == "per_sd" or not include_intercept:
        table = table[table["feature"] != INTERCEPT]
        rows = rows[rows["feature"] != INTERCEPT]
    factor = table["feature_sd"].to_numpy(dtype=float) if units == "per_sd" else 1.0
    mean = table["mean"].to_numpy(dtype=float) * factor
    order = table.assign(_size=np.abs(mean)).sort_values("_size", kind="stable")
    features = order["feature"].tolist()

    values = rows["coef"].to_numpy(dtype=float)
    if units == "per_sd":
        values = values * rows["feature_sd"].to_numpy(dtype=float)
    fig = go.Figure(
        go.Box(
            x=values,
            y=rows["feature"].tolist(),
            orientation="h",
            name="resamples",
            marker_color=SPREAD,
            boxpoints="outliers",
            hovertemplate="%{y}: %{x:.4g}<extra>resample</extra>",
        )
    )
    if "fitted" in order:
        scale = (
            order["feature_sd"].to_numpy(dtype=float) if units == "per_sd" else np.ones(len(order))
        )
        fitted = order["fitted"].to_numpy(dtype=float) * scale
        custom = np.column_stack(
            [
                order["low"].to_numpy(dtype=float) * scale,
                order["high"].to_numpy(dtype=float) * scale,
                order["share_sign_flip"].to_numpy(dtype=float),
            ]
        )
        fig.add_trace(
            go.Scatter(
                x=fitted,
                y=features,
                mode="markers",
                name="fitted on all training rows",
                marker={
                    "symbol": "diamond",
                    "size": 11,
                    "color": np.where(fitted >= 0, POSITIVE, NEGATIVE).tolist(),
                    "line": {"color": "black", "width": 1},
                },
                customdata=custom,
                hovertemplate=(
                    "%{y}: %{x:.4g}<br>resampling interval %{customdata[0]:.4g} to "
                    "%{customdata[1]:.4g}<br>less common sign in %{customdata[2]:.0%} of "
                    "resamples<extra>fitted</extra>"
                ),
            )
        )
    fig.add_vline(x=0, line_width=1, line_color="black")
    unit = (
        "coefficient per standard deviation of the feature"
        if units == "per_sd"
        else "coefficient per unit of the feature"
    )
    fig.update_layout(
        title=title,
        xaxis_title=unit,
        yaxis={"categoryorder": "array", "categoryarray": features},
        showlegend=True,
        height=max(300, 40 * len(features) + 120),
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 40},
    )
    return fig
