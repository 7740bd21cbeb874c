"""Pure plotly builders for the all-families page: score against effective parameters.

Each takes the tables of :mod:`core.comparison` and returns a ``go.Figure``. Every
family is one colour and one legend entry; its test scores and its current setting are
further traces in the same legend group (hidden from the legend), so a test can read them
from ``fig.data``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from core.axes import log_ticks
from core.legend import LEGEND_BELOW
from core.plot_text import figure_builder

#: One colour per family, by its place in the registry, so a family keeps its colour
#: whichever task the page shows.
FAMILY_COLOURS = qualitative.D3
#: R² can fall far below 0 (one neighbour, a deep tree); the axis stops here and says so.
LOWEST_SHOWN = -1.0


def family_colour(family_id: str, order: Sequence[str]) -> str:
    """The colour of a family: its position in ``order`` (the registry), cycled."""
    index = list(order).index(family_id) if family_id in order else len(order)
    return FAMILY_COLOURS[index % len(FAMILY_COLOURS)]


def _value_text(param: object, value: object) -> str:
    if param is None or (isinstance(param, float) and math.isnan(param)):
        return "current setting"
    if value is None:
        return f"{param} = none"
    if isinstance(value, float):
        return f"{param} = {value:.3g}"
    return f"{param} = {value}"


@figure_builder
def complexity_figure(
    table: pd.DataFrame,
    score_name: str,
    order: Sequence[str] = (),
) -> go.Figure:
    """Test and cross-validated score against the effective number of parameters.

    Parameters
    ----------
    table : DataFrame
        Points of every family's sweep (:func:`core.capacity.sweep_table`).
    score_name : str
        The score's name for the axis (``"R²"``, ``"accuracy"``).
    order : sequence of str, optional
        Family ids in registry order, for stable colours; default the table's order.

    Returns
    -------
    go.Figure
        Per family, in the table's order: one legend trace named after the family (its
        cross-validated scores, a solid line with fold-to-fold standard deviations as error
        bars; its test scores when it has no cross-validated ones), a dotted line of its
        test scores named ``"<family>: test"``, and a star trace named
        ``"<family>: your setting"`` at the current setting (filled on the cross-validated
        score, open on the test score). Points are sorted by effective parameters. The x
        axis is logarithmic when every effective count is positive.
    """
    order = list(order) or list(dict.fromkeys(table["family_id"]))
    fig = go.Figure()
    for family_id, points in table.groupby("family_id", sort=False):
        points = points.sort_values(["effective", "current"], kind="stable")
        points = points[np.isfinite(points["effective"].to_numpy(dtype=float))]
        if points.empty:
            continue
        title = str(points["family"].iloc[0])
        colour = family_colour(str(family_id), order)
        labels = [_value_text(p, v) for p, v in zip(points["param"], points["value"], strict=True)]
        custom = np.column_stack(
            [labels, points["test"].to_numpy(dtype=float), points["cv_std"].to_numpy(dtype=float)]
        )
        has_cv = bool(np.isfinite(points["cv_mean"].to_numpy(dtype=float)).any())
        hover = (
            f"<b>{title}</b><br>%{{customdata[0]}}<br>effective parameters %{{x:.3g}}"
            f"<br>{score_name}: %{{y:.3f}}"
        )
        fig.add_trace(
            go.Scatter(
                x=points["effective"],
                y=points["cv_mean"] if has_cv else points["test"],
                error_y={
                    "type": "data",
                    "array": points["cv_std"].fillna(0).to_numpy(dtype=float),
                    "visible": has_cv,
                    "thickness": 1,
                    "width": 3,
                },
                customdata=custom,
                mode="lines+markers",
                name=title,
                legendgroup=str(family_id),
                line={"color": colour, "width": 2},
                marker={"color": colour, "size": 7},
                hovertemplate=hover
                + (" ± %{customdata[2]:.3f} (cross-validated)" if has_cv else " (test)")
                + "<extra></extra>",
            )
        )
        if has_cv:
            fig.add_trace(
                go.Scatter(
                    x=points["effective"],
                    y=points["test"],
                    customdata=custom,
                    mode="lines+markers",
                    name=f"{title}: test",
                    legendgroup=str(family_id),
                    showlegend=False,
                    line={"color": colour, "width": 1.5, "dash": "dot"},
                    marker={"color": colour, "size": 6, "symbol": "circle-open"},
                    hovertemplate=hover + " (test)<extra></extra>",
                )
            )
        current = points[points["current"].astype(bool)]
        if not current.empty:
            row = current.iloc[0]
            ys = [row["cv_mean"], row["test"]] if has_cv else [row["test"]]
            symbols = ["star", "star-open"] if has_cv else ["star"]
            kept = [(y, s) for y, s in zip(ys, symbols, strict=True) if math.isfinite(y)]
            if kept:
                fig.add_trace(
                    go.Scatter(
                        x=[row["effective"]] * len(kept),
                        y=[y for y, _ in kept],
                        mode="markers",
                        name=f"{title}: your setting",
                        legendgroup=str(family_id),
                        showlegend=False,
                        marker={
                            "color": colour,
                            "size": 17,
                            "symbol": [s for _, s in kept],
                            "line": {"color": "#222222", "width": 1.5},
                        },
                        hovertemplate=f"<b>{title}: your setting</b><br>"
                        f"{_value_text(row['param'], row['value'])}<br>"
                        f"effective parameters %{{x:.3g}}<br>{score_name}: %{{y:.3f}}"
                        "<extra></extra>",
                    )
                )
    effective = table["effective"].to_numpy(dtype=float)
    effective = effective[np.isfinite(effective)]
    log = effective.size > 0 and bool((effective > 0).all())
    fig.update_xaxes(
        type="log" if log else "linear",
        title="effective number of parameters" + (" (log scale)" if log else ""),
        **(log_ticks(float(effective.min()), float(effective.max())) if log else {}),
    )
    fig.update_yaxes(title=f"{score_name} (solid: cross-validated · dotted: test · ★ yours)")
    scores = table[["cv_mean", "test"]].to_numpy(dtype=float).ravel()
    scores = scores[np.isfinite(scores)]
    if scores.size and scores.min() < LOWEST_SHOWN:
        top = max(float(scores.max()), 0.0)
        fig.update_yaxes(range=[LOWEST_SHOWN, top + 0.05 * (top - LOWEST_SHOWN)])
        fig.add_annotation(
            text=f"scores below {LOWEST_SHOWN:g} are off the chart",
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            xanchor="left",
            yanchor="bottom",
            showarrow=False,
            font={"size": 11},
        )
    fig.update_layout(
        height=480,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend=LEGEND_BELOW,
        hovermode="closest",
    )
    return fig


__all__ = ["FAMILY_COLOURS", "complexity_figure", "family_colour"]
