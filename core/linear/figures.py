"""Pure plotly figure builders: each takes tidy data and returns a ``go.Figure``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from core.legend import LEGEND_BELOW
from core.palette import CLASS_COLOURS, NEGATIVE, POSITIVE, ZERO
from core.plot_text import figure_builder


@figure_builder
def coefficient_bar_figure(
    table: pd.DataFrame,
    column: str = "coef_per_sd",
    title: str | None = None,
    top: int | None = None,
) -> go.Figure:
    """Horizontal bars of coefficients, largest magnitude on top, sign shown by colour.

    Parameters
    ----------
    table : DataFrame
        From :func:`core.linear.parameters.coefficient_table`; needs ``feature``, ``column`` and
        ``zero``; a ``true_coef`` (or ``true_coef_per_sd``) column adds the true values as
        diamond markers.
    column : {"coef_per_sd", "coef"}
        Which units to plot.
    title : str, optional
        Figure title.
    top : int, optional
        Draw only the ``top`` largest magnitudes (a 30-feature chart is a wall of bars).

    Returns
    -------
    go.Figure
        Trace 0 is the bars in plotted order (bottom to top); trace 1, if present, the truth.
    """
    order = table.assign(_size=table[column].abs()).sort_values("_size", ascending=True)
    if top is not None:
        order = order.tail(top)
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
        legend=LEGEND_BELOW,
    )
    fig.add_vline(x=0, line_width=1, line_color="#444")
    return fig


def _line_segment(
    w: np.ndarray, b: float, x_range: tuple[float, float], y_range: tuple[float, float]
) -> tuple[list[float], list[float]] | None:
    """End points of ``w[0]*x + w[1]*y + b = 0`` inside the box, or None if it misses it."""
    (x0, x1), (y0, y1) = x_range, y_range
    if abs(w[1]) > 1e-12 * max(abs(w[0]), 1e-300):
        xs = np.array([x0, x1])
        ys = -(b + w[0] * xs) / w[1]
    elif abs(w[0]) > 0:
        xs = np.full(2, -b / w[0])
        ys = np.array([y0, y1])
    else:
        return None
    inside = (min(xs) <= x1) and (max(xs) >= x0)
    return (xs.tolist(), ys.tolist()) if inside else None


def _clip_to_box(
    segment: tuple[list[float], list[float]],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
) -> tuple[list[float], list[float]] | None:
    """The part of a segment inside the box (Liang–Barsky), or None if it misses it."""
    (xa, xb), (ya, yb) = segment
    dx, dy = xb - xa, yb - ya
    t0, t1 = 0.0, 1.0
    for p, q in (
        (-dx, xa - x_range[0]),
        (dx, x_range[1] - xa),
        (-dy, ya - y_range[0]),
        (dy, y_range[1] - ya),
    ):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
    if t0 >= t1:
        return None
    return [xa + t0 * dx, xa + t1 * dx], [ya + t0 * dy, ya + t1 * dy]


def _other_boundaries(fig, lines, x_range, y_range) -> None:
    """The boundary at other penalties, told apart: one shade per value (light to dark in
    the order given) and each line's own label on the chart, placed at a different point
    along each line so labels of nearby lines do not sit on one another."""
    if not lines:
        return
    shades = sample_colorscale("Purples", np.linspace(0.45, 0.95, len(lines)).tolist())
    for k, ((label, w, b), colour) in enumerate(zip(lines, shades, strict=True)):
        segment = _line_segment(w, b, x_range, y_range)
        segment = _clip_to_box(segment, x_range, y_range) if segment else None
        if segment is None:
            continue
        fig.add_trace(
            go.Scatter(
                x=segment[0],
                y=segment[1],
                mode="lines",
                name=label,
                line={"color": colour, "width": 1.5, "dash": "dot"},
                hovertemplate=f"{label}<extra></extra>",
            )
        )
        at = 0.15 + 0.7 * k / max(len(lines) - 1, 1)
        fig.add_annotation(
            x=segment[0][0] + at * (segment[0][1] - segment[0][0]),
            y=segment[1][0] + at * (segment[1][1] - segment[1][0]),
            text=label,
            showarrow=False,
            font={"color": colour, "size": 11},
            bgcolor="rgba(255,255,255,0.8)",
            name=label,
        )


def _class_pairs(classes: tuple[str, ...]) -> list[tuple[str, str] | None]:
    """The class pair of each line of :func:`core.linear.boundary.boundary_lines`, in its order
    (``None`` for a binary model's single line)."""
    if len(classes) == 2:
        return [None]
    return [(a, b) for i, a in enumerate(classes) for b in classes[i + 1 :]]


def _where_pair_leads(surface, segment, pair, samples: int = 400):
    """The parts of a pairwise line where those two classes are the model's top two.

    On the line ``(w_k - w_j) x + (b_k - b_j) = 0`` classes k and j tie; it is a real
    boundary only where no third class beats them, elsewhere it runs inside another class's
    region. Gaps are NaN, which plotly leaves undrawn.
    """
    t = np.linspace(0.0, 1.0, samples)
    xs = segment[0][0] + t * (segment[0][1] - segment[0][0])
    ys = segment[1][0] + t * (segment[1][1] - segment[1][0])
    cells = pd.DataFrame({surface.features[0]: xs, surface.features[1]: ys})
    predicted = surface.fit.pipeline.predict(cells).astype(str)
    keep = np.isin(predicted, pair)
    if not keep.any():
        return None
    return np.where(keep, xs, np.nan).tolist(), np.where(keep, ys, np.nan).tolist()


@figure_builder
def decision_boundary_figure(surface, extra_lines=()) -> go.Figure:
    """Probability surface, training points, and the fitted boundary line(s).

    Parameters
    ----------
    surface : core.linear.boundary.DecisionSurface
        The two-feature fit evaluated on a grid.
    extra_lines : sequence of (label, w, b)
        Further boundaries (the same model at other values of ``C``), dotted, in shades
        from light to dark in the order given, each labelled on the chart.

    Returns
    -------
    go.Figure
        Trace 0 is the surface (P(positive class) for two classes, the winning class's
        probability otherwise); then one scatter per class; then the boundary lines, whose
        ``x``/``y`` are computed from the model's own coefficients.
    """
    from core.linear.boundary import boundary_lines

    fx, fy = surface.features
    binary = len(surface.classes) == 2
    if binary:
        z = surface.proba[:, :, 1]
        title = f"P({surface.classes[1]})"
        colorscale = [[0, "#d6e6f5"], [0.5, "#ffffff"], [1, "#f5d6d6"]]
    else:
        z = surface.proba.argmax(axis=2)
        title = "predicted class"
        n = len(surface.classes)
        colorscale = [[k / max(n - 1, 1), CLASS_COLOURS[k % len(CLASS_COLOURS)]] for k in range(n)]
    fig = go.Figure(
        go.Heatmap(
            x=surface.x,
            y=surface.y,
            z=z,
            colorscale=colorscale,
            opacity=0.35 if not binary else 0.8,
            showscale=binary,
            colorbar={"title": title},
            zmin=0,
            zmax=1 if binary else len(surface.classes) - 1,
            hovertemplate=f"{fx}=%{{x:.3g}}<br>{fy}=%{{y:.3g}}<br>{title}=%{{z:.3g}}"
            "<extra></extra>",
        )
    )
    for k, label in enumerate(surface.classes):
        rows = surface.points[surface.points["class"] == label]
        fig.add_trace(
            go.Scatter(
                x=rows[fx],
                y=rows[fy],
                mode="markers",
                name=f"class {label}",
                marker={
                    "color": CLASS_COLOURS[k % len(CLASS_COLOURS)],
                    "size": 6,
                    "line": {"width": 0.5, "color": "white"},
                },
            )
        )
    x_range = (float(surface.x[0]), float(surface.x[-1]))
    y_range = (float(surface.y[0]), float(surface.y[-1]))
    _other_boundaries(fig, extra_lines, x_range, y_range)
    pairs = _class_pairs(surface.classes)
    for (label, w, b), pair in zip(boundary_lines(surface.params), pairs, strict=True):
        segment = _line_segment(w, b, x_range, y_range)
        if segment and pair is not None:
            segment = _where_pair_leads(surface, segment, pair)
        if segment:
            fig.add_trace(
                go.Scatter(
                    x=segment[0],
                    y=segment[1],
                    mode="lines",
                    name=f"boundary {label}",
                    line={"color": "black", "width": 2},
                    hovertemplate=f"{w[0]:.4g}·{fx} + {w[1]:.4g}·{fy} + {b:.4g} = 0<extra></extra>",
                )
            )
    fig.update_layout(
        xaxis={"title": fx, "range": list(x_range)},
        yaxis={"title": fy, "range": list(y_range)},
        height=480,
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        legend=LEGEND_BELOW,
    )
    return fig


@figure_builder
def coefficient_heatmap_figure(table: pd.DataFrame, column: str = "coef_per_sd") -> go.Figure:
    """Classes (rows) by features (columns) of a multi-class model's coefficients.

    Parameters
    ----------
    table : DataFrame
        From :func:`core.linear.parameters.class_coefficient_table`.
    column : {"coef_per_sd", "coef"}
        Which units to show; the colour scale is symmetric around zero.
    """
    grid = table.pivot(index="output", columns="feature", values=column)
    grid = grid.loc[list(dict.fromkeys(table["output"])), list(dict.fromkeys(table["feature"]))]
    values = grid.to_numpy(dtype=float)
    limit = float(np.nanmax(np.abs(values))) if values.size else 1.0
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=list(grid.columns),
            y=[str(i) for i in grid.index],
            colorscale="RdBu",
            reversescale=True,
            zmid=0,
            zmin=-limit,
            zmax=limit,
            text=np.vectorize(lambda v: f"{v:.3g}")(values),
            texttemplate="%{text}",
            hovertemplate="class %{y}, %{x}: %{z:.4g}<extra></extra>",
        )
    )
    fig.update_layout(
        height=140 + 45 * grid.shape[0],
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"tickangle": -45},
    )
    return fig
