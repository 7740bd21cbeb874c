"""Charts of training over epochs: the loss and score curves and the prediction surface."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.families.neural_network.epochs import EpochTrace
from core.families.neural_network.figures import CLASS_COLOURS, DIVERGING
from core.families.neural_network.surface import Surface
from core.legend import LEGEND_BELOW
from core.palette import NEGATIVE, POSITIVE
from core.plot_text import figure_builder


@figure_builder
def training_curve_figure(
    trace: EpochTrace,
    epoch: int | None = None,
    scores: pd.DataFrame | None = None,
    score_name: str = "score",
) -> go.Figure:
    """Training loss per epoch, with validation scores and a marker at a chosen epoch.

    Parameters
    ----------
    trace : EpochTrace
    epoch : int, optional
        Draws a vertical marker trace named ``"epoch"`` at this epoch.
    scores : DataFrame, optional
        :func:`core.families.neural_network.epochs.snapshot_scores`: adds the test loss at the
        epochs' ends.
    score_name : str
        What the validation score is (accuracy, R²).

    Returns
    -------
    go.Figure
        Trace ``"training loss"`` (``loss_curve_``), optionally ``"test loss"``,
        ``"validation <score>"`` (right axis) and ``"restored epoch"``, and ``"epoch"``.
    """
    table = trace.table()
    fig = go.Figure(
        go.Scatter(
            x=table["epoch"],
            y=table["loss"],
            mode="lines",
            name="training loss",
            line={"color": "#444"},
            hovertemplate="epoch %{x}<br>training loss %{y:.5g}<extra></extra>",
        )
    )
    if scores is not None and scores["test_loss"].notna().any():
        fig.add_trace(
            go.Scatter(
                x=scores["epoch"],
                y=scores["test_loss"],
                mode="lines",
                name="test loss",
                line={"color": NEGATIVE, "dash": "dash"},
                hovertemplate="epoch %{x}<br>test loss %{y:.5g}<extra></extra>",
            )
        )
    if trace.validation_scores is not None:
        fig.add_trace(
            go.Scatter(
                x=table["epoch"],
                y=table["validation_score"],
                mode="lines",
                name=f"validation {score_name}",
                line={"color": POSITIVE},
                yaxis="y2",
                hovertemplate="epoch %{x}<br>validation %{y:.4g}<extra></extra>",
            )
        )
        if trace.restored_epoch:
            fig.add_trace(
                go.Scatter(
                    x=[trace.restored_epoch],
                    y=[trace.validation_scores[trace.restored_epoch - 1]],
                    mode="markers",
                    marker={"symbol": "star", "size": 14, "color": POSITIVE},
                    name="restored epoch",
                    yaxis="y2",
                    hovertemplate="restored epoch %{x}<br>validation %{y:.4g}<extra></extra>",
                )
            )
        fig.update_layout(
            yaxis2={
                "title": {"text": f"validation {score_name}"},
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
            }
        )
    if epoch is not None:
        low = float(np.nanmin(table["loss"])) if len(table) else 0.0
        high = float(np.nanmax(table["loss"])) if len(table) else 1.0
        fig.add_trace(
            go.Scatter(
                x=[epoch, epoch],
                y=[low, high],
                mode="lines",
                line={"color": "#222", "dash": "dot"},
                name="epoch",
                hovertemplate=f"epoch {epoch}<extra></extra>",
            )
        )
    fig.update_layout(
        xaxis_title="epoch",
        yaxis_title="loss",
        height=320,
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        legend=LEGEND_BELOW,
    )
    return fig


@figure_builder
def surface_figure(surface: Surface, title: str | None = None) -> go.Figure:
    """The network's predictions over two features, with the training rows on top.

    Two classes: the probability of the second class (colour) and its 0.5 contour;
    more classes: the predicted class (the most probable); regression: the prediction.
    Trace 0 is the heatmap (``z`` = what is coloured), later traces the training points
    (one per class for classification).
    """
    fx, fy = surface.features
    points = surface.points
    fig = go.Figure()
    if surface.classes and len(surface.classes) == 2:
        fig.add_trace(
            go.Heatmap(
                x=surface.x,
                y=surface.y,
                z=surface.values[:, :, 1],
                zmin=0,
                zmax=1,
                colorscale=DIVERGING,
                colorbar={"title": {"text": f"P({surface.classes[1]})"}},
                hovertemplate=f"{fx} %{{x:.3g}}<br>{fy} %{{y:.3g}}<br>P({surface.classes[1]}) "
                "%{z:.3f}<extra></extra>",
                name="probability",
            )
        )
        fig.add_trace(
            go.Contour(
                x=surface.x,
                y=surface.y,
                z=surface.values[:, :, 1],
                contours={"start": 0.5, "end": 0.5, "size": 1, "coloring": "none"},
                line={"color": "#222", "width": 2},
                showscale=False,
                showlegend=False,
                hoverinfo="skip",
                name="boundary",
            )
        )
    elif surface.classes:
        k = len(surface.classes)
        scale = []
        for c in range(k):
            colour = CLASS_COLOURS[c % len(CLASS_COLOURS)]
            scale += [[c / k, colour], [(c + 1) / k, colour]]
        fig.add_trace(
            go.Heatmap(
                x=surface.x,
                y=surface.y,
                z=surface.values.argmax(axis=2),
                zmin=-0.5,
                zmax=k - 0.5,
                colorscale=scale,
                opacity=0.35,
                showscale=False,
                customdata=surface.values.max(axis=2),
                hovertemplate=f"{fx} %{{x:.3g}}<br>{fy} %{{y:.3g}}<br>class %{{z}} "
                "(P = %{customdata:.3f})<extra></extra>",
                name="predicted class",
            )
        )
    else:
        fig.add_trace(
            go.Heatmap(
                x=surface.x,
                y=surface.y,
                z=surface.values,
                colorscale="Viridis",
                colorbar={"title": {"text": "prediction"}},
                hovertemplate=f"{fx} %{{x:.3g}}<br>{fy} %{{y:.3g}}<br>prediction %{{z:.4g}}"
                "<extra></extra>",
                name="prediction",
            )
        )
    if surface.classes:
        # Two classes: the points take the heatmap's colours (red end for the first class,
        # blue end for the second); more: the class colours of the predicted-class map.
        colours = (NEGATIVE, POSITIVE) if len(surface.classes) == 2 else CLASS_COLOURS
        for c, label in enumerate(surface.classes):
            rows = points[points["target"].astype(str) == label]
            fig.add_trace(
                go.Scatter(
                    x=rows[fx],
                    y=rows[fy],
                    mode="markers",
                    marker={
                        "color": colours[c % len(colours)],
                        "size": 6,
                        "line": {"color": "white", "width": 0.5},
                    },
                    name=label,
                )
            )
    else:
        fig.add_trace(
            go.Scatter(
                x=points[fx],
                y=points[fy],
                mode="markers",
                marker={
                    "color": points["target"],
                    "colorscale": "Viridis",
                    "size": 6,
                    "line": {"color": "white", "width": 0.5},
                },
                name="training rows",
            )
        )
    epoch = "final model" if surface.epoch is None else f"epoch {surface.epoch}"
    fig.update_layout(
        title=title or epoch,
        xaxis_title=fx,
        yaxis_title=fy,
        height=420,
        margin={"l": 10, "r": 10, "t": 40, "b": 40},
        legend=LEGEND_BELOW,
    )
    return fig
