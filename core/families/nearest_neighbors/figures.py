"""Charts of the k curve and the prediction regions (plotly)."""

from __future__ import annotations

import plotly.graph_objects as go

from core.axes import log_ticks
from core.families.nearest_neighbors.k_curve import KCurve
from core.families.nearest_neighbors.regions import NeighborRegions
from core.legend import LEGEND_BELOW
from core.plot_text import figure_builder


@figure_builder
def k_curve_figure(curve: KCurve, current: int | None = None) -> go.Figure:
    """Training and validation score against n_neighbors (log x axis).

    Trace 0 is the training score, trace 1 the validation score; a dotted line marks
    ``current``.
    """
    table = curve.table
    fig = go.Figure()
    for column, name in (("train", "training"), ("validation", curve.cv.split(" (")[0])):
        fig.add_trace(
            go.Scatter(
                x=table["n_neighbors"].tolist(),
                y=table[column].tolist(),
                mode="lines+markers",
                name=name,
                hovertemplate=f"k=%{{x}}: %{{y:.4g}}<extra>{name}</extra>",
            )
        )
    if current is not None:
        fig.add_vline(x=current, line_dash="dot", line_color="#444")
    fig.update_layout(
        xaxis={
            "title": "n_neighbors (k)",
            "type": "log",
            **log_ticks(float(table["n_neighbors"].min()), float(table["n_neighbors"].max())),
        },
        yaxis_title=curve.score,
        height=340,
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        legend=LEGEND_BELOW,
    )
    return fig


@figure_builder
def regions_figure(regions: NeighborRegions, index: int = 0) -> go.Figure:
    """The predicted classes (or values) over the grid for ``regions.ks[index]``, with the
    training rows on top. Trace 0 is the heatmap, then one scatter per class (or one)."""
    z = regions.predictions[index]
    points = regions.points
    fx, fy = regions.features
    fig = go.Figure()
    if regions.classes is not None:
        palette = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")
        n = len(regions.classes)
        colours = [palette[i % len(palette)] for i in range(n)]
        scale = []
        for i, colour in enumerate(colours):
            scale += [[i / n, colour], [(i + 1) / n, colour]]
        fig.add_trace(
            go.Heatmap(
                x=regions.x,
                y=regions.y,
                z=z,
                zmin=-0.5,
                zmax=n - 0.5,
                colorscale=scale,
                opacity=0.35,
                showscale=False,
                hoverinfo="skip",
            )
        )
        labels = points["target"].astype(str)
        for i, name in enumerate(regions.classes):
            rows = points[labels == name]
            fig.add_trace(
                go.Scatter(
                    x=rows[fx],
                    y=rows[fy],
                    mode="markers",
                    name=name,
                    marker={"color": colours[i], "size": 6, "line": {"width": 0.5}},
                )
            )
    else:
        fig.add_trace(go.Heatmap(x=regions.x, y=regions.y, z=z, colorscale="Viridis", opacity=0.6))
        fig.add_trace(
            go.Scatter(
                x=points[fx],
                y=points[fy],
                mode="markers",
                name="training rows",
                marker={"color": points["target"], "colorscale": "Viridis", "size": 6},
            )
        )
    fig.update_layout(
        xaxis_title=fx,
        yaxis_title=fy,
        title=f"n_neighbors = {regions.ks[index]}",
        height=420,
        margin={"l": 10, "r": 10, "t": 40, "b": 40},
    )
    return fig
