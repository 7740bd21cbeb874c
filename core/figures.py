"""Pure plotly figure builders: each takes tidy data and returns a ``go.Figure``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

POSITIVE = "#1f77b4"
NEGATIVE = "#d62728"
ZERO = "#9e9e9e"


def coefficient_bar_figure(
    table: pd.DataFrame, column: str = "coef_per_sd", title: str | None = None
) -> go.Figure:
    """Horizontal bars of coefficients, largest magnitude on top, sign shown by colour.

    Parameters
    ----------
    table : DataFrame
        From :func:`core.parameters.coefficient_table`; needs ``feature``, ``column`` and
        ``zero``; a ``true_coef`` (or ``true_coef_per_sd``) column adds the true values as
        diamond markers.
    column : {"coef_per_sd", "coef"}
        Which units to plot.
    title : str, optional
        Figure title.

    Returns
    -------
    go.Figure
        Trace 0 is the bars in plotted order (bottom to top); trace 1, if present, the truth.
    """
    order = table.assign(_size=table[column].abs()).sort_values("_size", ascending=True)
    values = order[column].to_numpy(dtype=float)
    colours = np.where(order["zero"], ZERO, np.where(values >= 0, POSITIVE, NEGATIVE))
    fig = go.Figure(
        go.Bar(
            x=values,
            y=order["feature"].tolist(),
            orientation="h",
            marker_color=colours.tolist(),
            name="learned",
            hovertemplate="%{y}: %{x:.4g}<extra>learned</extra>",
        )
    )
    truth = "true_coef_per_sd" if column == "coef_per_sd" else "true_coef"
    if truth in order:
        fig.add_trace(
            go.Scatter(
                x=order[truth].to_numpy(dtype=float),
                y=order["feature"].tolist(),
                mode="markers",
                marker={"symbol": "diamond", "size": 10, "color": "black"},
                name="true",
                hovertemplate="%{y}: %{x:.4g}<extra>true</extra>",
            )
        )
    unit = (
        "per standard deviation of the feature"
        if column == "coef_per_sd"
        else ("per unit of the feature")
    )
    fig.update_layout(
        title=title,
        xaxis_title=f"coefficient ({unit})",
        height=max(260, 28 * len(order) + 120),
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 40},
        showlegend=truth in order,
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
    )
    fig.add_vline(x=0, line_width=1, line_color="#444")
    return fig


def comparison_bar_figure(coefs: pd.DataFrame, column: str = "coef_per_sd") -> go.Figure:
    """Grouped bars of two settings' coefficients by feature.

    Parameters
    ----------
    coefs : DataFrame
        From :func:`core.compare.compare_coefficients`: ``feature``, ``A``, ``B`` columns.
    column : str
        Only used in the axis title.
    """
    unit = "per SD" if column == "coef_per_sd" else "per unit"
    fig = go.Figure()
    for name, colour in (("A", "#7f7f7f"), ("B", POSITIVE)):
        fig.add_trace(
            go.Bar(
                x=coefs[name].to_numpy(dtype=float),
                y=coefs["feature"].tolist(),
                orientation="h",
                name=f"{name}",
                marker_color=colour,
            )
        )
    fig.update_layout(
        barmode="group",
        xaxis_title=f"coefficient ({unit})",
        height=max(260, 40 * len(coefs) + 120),
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
    )
    return fig
