"""Charts of refits: weights across seeds, weight norms against alpha, scores against width."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.axes import log_ticks
from core.families.neural_network.figures import CLASS_COLOURS, DIVERGING
from core.families.neural_network.refits import SeedVariability
from core.palette import POSITIVE
from core.plot_text import figure_builder


@figure_builder
def seed_weights_figure(
    variability: SeedVariability, feature_names: Sequence[str], matched: bool = False
) -> go.Figure:
    """First-layer weights side by side, one heatmap per ``random_state``.

    With ``matched``, each seed's hidden units are reordered to line up with the first
    seed's (by :func:`core.families.neural_network.refits.match_hidden_units`) and keep their own
    names on the
    axis (``h1_3`` under the first seed's ``h1_1`` means that unit moved), so what is left
    is the real difference; without it, the units as each fit numbered them. One trace per
    seed, named ``random_state=<seed>``; ``z`` has shape (features, units).
    """
    weights = variability.matched_first_layer if matched else variability.first_layer
    seeds = list(weights)
    bound = max(float(np.abs(w).max()) for w in weights.values()) or 1.0
    fig = go.Figure()
    width = 1.0 / len(seeds)
    for k, seed in enumerate(seeds):
        W = weights[seed]
        axis = "" if k == 0 else str(k + 1)
        order = variability.unit_orders[seed] if matched else np.arange(W.shape[1])
        fig.add_trace(
            go.Heatmap(
                z=W,
                x=[f"h1_{j + 1}" for j in order],
                y=list(feature_names),
                zmin=-bound,
                zmax=bound,
                zmid=0,
                colorscale=DIVERGING,
                showscale=k == len(seeds) - 1,
                colorbar={"title": {"text": "weight"}},
                xaxis=f"x{axis}",
                yaxis=f"y{axis}",
                name=f"random_state={seed}",
                hovertemplate="%{y} → %{x}<br>weight %{z}<extra>" + f"random_state={seed}</extra>",
            )
        )
        fig.update_layout(
            {
                f"xaxis{axis}": {
                    "domain": [k * width + 0.01, (k + 1) * width - 0.01],
                    "title": {"text": f"random_state={seed}"},
                    "showticklabels": W.shape[1] <= 16,
                },
                f"yaxis{axis}": {
                    "anchor": f"x{axis}",
                    "autorange": "reversed",
                    "showticklabels": k == 0,
                },
            }
        )
    fig.update_layout(
        height=max(260, 22 * len(feature_names) + 120),
        margin={"l": 10, "r": 10, "t": 10, "b": 50},
    )
    return fig


@figure_builder
def alpha_norm_figure(table: pd.DataFrame, current: float | None = None) -> go.Figure:
    """Weight norm of each layer against ``alpha`` (log axis), from
    :func:`core.families.neural_network.refits.alpha_norm_table`; one line per weight matrix, named
    after its
    group, plus a ``"current"`` marker trace at ``current``."""
    fig = go.Figure()
    for k, (group, rows) in enumerate(table.groupby("group", sort=True)):
        fig.add_trace(
            go.Scatter(
                x=rows["alpha"],
                y=rows["norm"],
                mode="lines+markers",
                name=f"{group}: {rows['layer'].iloc[0]}",
                line={"color": CLASS_COLOURS[k % len(CLASS_COLOURS)]},
                hovertemplate="alpha %{x:.3g}<br>norm %{y:.4g}<extra>" + group + "</extra>",
            )
        )
    if current is not None:
        fig.add_trace(
            go.Scatter(
                x=[current, current],
                y=[0, float(table["norm"].max())],
                mode="lines",
                line={"color": "#222", "dash": "dot"},
                name="current",
                hovertemplate=f"alpha = {current:.3g}<extra></extra>",
            )
        )
    fig.update_layout(
        xaxis={
            "type": "log",
            "title": {"text": "alpha (L2 penalty)"},
            **log_ticks(float(table["alpha"].min()), float(table["alpha"].max())),
        },
        yaxis_title="weight norm ‖coefs_[i]‖",
        height=340,
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
    )
    return fig


@figure_builder
def width_curve_figure(table: pd.DataFrame, current: int | None = None) -> go.Figure:
    """Training and cross-validated score against the first hidden layer's width, from
    :func:`core.families.neural_network.refits.width_curve_table`: traces ``"training"`` and
    ``"cross-validated"``
    (mean ± SD over folds), and a ``"current"`` marker."""
    fig = go.Figure()
    for column, name, colour in (
        ("train", "training", "#7f7f7f"),
        ("cv", "cross-validated", POSITIVE),
    ):
        fig.add_trace(
            go.Scatter(
                x=table["value"],
                y=table[f"{column}_mean"],
                error_y={"array": table[f"{column}_std"], "visible": True},
                customdata=np.column_stack([table["hidden_layer_sizes"], table["n_parameters"]]),
                mode="lines+markers",
                name=name,
                line={"color": colour},
                hovertemplate="layers %{customdata[0]} (%{customdata[1]} parameters)<br>"
                + name
                + " %{y:.4g}<extra></extra>",
            )
        )
    if current is not None:
        fig.add_trace(
            go.Scatter(
                x=[current, current],
                y=[
                    float(np.nanmin(table[["train_mean", "cv_mean"]].to_numpy())),
                    float(np.nanmax(table[["train_mean", "cv_mean"]].to_numpy())),
                ],
                mode="lines",
                line={"color": "#222", "dash": "dot"},
                name="current",
            )
        )
    fig.update_layout(
        xaxis={
            "type": "log",
            "title": {"text": "units in hidden layer 1"},
            "tickvals": table["value"].tolist(),
            "ticktext": [str(v) for v in table["value"]],
        },
        yaxis_title="score",
        height=340,
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
    )
    return fig
