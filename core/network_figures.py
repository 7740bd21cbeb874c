"""Pure plotly builders for the neural-network page: each returns a ``go.Figure``.

They take plain arrays and the results of :mod:`core.network`, :mod:`core.network_epochs`
and :mod:`core.network_refits`; every value a chart shows is also in its traces
(``customdata`` carries the exact fitted weights), so tests read figures through
``fig.data`` and the page only places them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from core.axes import log_ticks
from core.network import layer_name, transition_label
from core.network_epochs import EpochTrace, Surface
from core.network_refits import SeedVariability

#: The app's sign colours (as in core.linear.figures): positive blue, negative red.
POSITIVE = "#1f77b4"
NEGATIVE = "#d62728"
#: Diverging scale centred on zero for weights and biases (red negative, blue positive).
DIVERGING = "RdBu"
#: A network diagram draws at most this many edges per weight matrix, the strongest first.
MAX_EDGES = 150
#: Unit labels are written beside the nodes only for layers at most this wide.
MAX_LABELLED_UNITS = 20
CLASS_COLOURS = qualitative.Plotly
#: Edge widths are binned, so a layer needs a few line traces rather than one per edge.
_WIDTH_BINS = (0.6, 1.5, 3.0, 5.0)


def _node_positions(n: int) -> np.ndarray:
    """Vertical positions of ``n`` units, spread over [0, 1], first unit on top."""
    return 1.0 - (np.arange(n) + 0.5) / n


def network_diagram_figure(
    coefs: Sequence[np.ndarray],
    intercepts: Sequence[np.ndarray],
    labels: Sequence[Sequence[str]],
    max_edges: int = MAX_EDGES,
    title: str | None = None,
) -> tuple[go.Figure, int]:
    """The network as layers of nodes joined by weighted edges.

    Edges are coloured by sign (blue positive, red negative) with widths by magnitude
    (relative to the largest weight drawn); nodes are coloured by their bias (inputs have
    none). For a wide layer only the ``max_edges`` strongest edges of each weight matrix are
    drawn.

    Parameters
    ----------
    coefs, intercepts : sequence of ndarray
        ``coefs_`` and ``intercepts_`` (of the final model or an epoch snapshot).
    labels : sequence of sequence of str
        Unit labels per layer (:func:`core.network.unit_labels`).
    max_edges : int, default=MAX_EDGES
        Most edges drawn per weight matrix.
    title : str, optional

    Returns
    -------
    fig : go.Figure
        Line traces (``meta`` = ``"edges"``, no hover) draw the edges; one marker trace per
        weight matrix, named ``coefs_[i]``, sits at the edges' midpoints with
        ``customdata`` rows ``[from unit, to unit, weight, row, column]`` (the exact
        fitted weight, shown on hover); one trace per layer, named after it, draws the nodes
        with ``customdata`` rows ``[unit, bias]`` (bias NaN for inputs).
    hidden : int
        How many edges were left out (0 when every edge is drawn).
    """
    n_layers = len(labels)
    ys = [_node_positions(len(layer)) for layer in labels]
    shown: list[tuple[int, np.ndarray, np.ndarray]] = []
    hidden = 0
    for i, W in enumerate(coefs):
        flat = np.abs(W).ravel()
        keep = np.argsort(-flat, kind="stable")[: max(0, int(max_edges))]
        hidden += flat.size - keep.size
        rows, cols = np.unravel_index(keep, W.shape)
        shown.append((i, rows, cols))
    largest = (
        max(
            (np.abs(W[r, c]).max() for (i, r, c), W in zip(shown, coefs, strict=True) if len(r)),
            default=1.0,
        )
        or 1.0
    )
    fig = go.Figure()
    legend_done: set[str] = set()
    for (i, rows, cols), W in zip(shown, coefs, strict=True):
        weights = W[rows, cols]
        widths = 0.4 + 5.0 * np.abs(weights) / largest
        bins = np.digitize(widths, _WIDTH_BINS)
        for sign, colour, name in (
            (1, POSITIVE, "positive weight"),
            (-1, NEGATIVE, "negative weight"),
        ):
            side = weights >= 0 if sign > 0 else weights < 0
            for b in np.unique(bins[side]):
                pick = side & (bins == b)
                xs, yy = [], []
                for r, c in zip(rows[pick], cols[pick], strict=True):
                    xs += [i, i + 1, None]
                    yy += [ys[i][r], ys[i + 1][c], None]
                fig.add_trace(
                    go.Scatter(
                        x=xs,
                        y=yy,
                        mode="lines",
                        line={"color": colour, "width": float(widths[pick].mean())},
                        opacity=0.7,
                        hoverinfo="skip",
                        name=name,
                        legendgroup=name,
                        showlegend=name not in legend_done,
                        meta="edges",
                    )
                )
                legend_done.add(name)
        fig.add_trace(
            go.Scatter(
                x=np.full(len(rows), i + 0.5),
                y=(ys[i][rows] + ys[i + 1][cols]) / 2,
                mode="markers",
                marker={"size": 7, "color": "rgba(0,0,0,0)"},
                customdata=[
                    [labels[i][r], labels[i + 1][c], float(W[r, c]), int(r), int(c)]
                    for r, c in zip(rows, cols, strict=True)
                ],
                hovertemplate="%{customdata[0]} → %{customdata[1]}<br>weight "
                "%{customdata[2]}<extra>" + f"coefs_[{i}]" + "</extra>",
                name=f"coefs_[{i}]",
                showlegend=False,
            )
        )
    bias_max = max((float(np.abs(b).max()) for b in intercepts if b.size), default=1.0) or 1.0
    for layer, units in enumerate(labels):
        n = len(units)
        bias = np.asarray(intercepts[layer - 1], dtype=float) if layer > 0 else np.full(n, np.nan)
        write = n <= MAX_LABELLED_UNITS
        position = "middle left" if layer == 0 else "middle right"
        marker = {"size": max(6, 18 - n // 4), "line": {"color": "#333", "width": 1}}
        if layer > 0:
            marker |= {
                "color": bias,
                "colorscale": DIVERGING,
                "cmin": -bias_max,
                "cmax": bias_max,
                "showscale": layer == n_layers - 1,
                "colorbar": {"title": {"text": "bias"}, "len": 0.6},
            }
        else:
            marker |= {"color": "#e0e0e0"}
        fig.add_trace(
            go.Scatter(
                x=np.full(n, layer),
                y=ys[layer],
                mode="markers+text" if write else "markers",
                text=list(units) if write and layer in (0, n_layers - 1) else None,
                textposition=position,
                marker=marker,
                customdata=[[u, float(b)] for u, b in zip(units, bias, strict=True)],
                hovertemplate=(
                    "%{customdata[0]}<extra>input</extra>"
                    if layer == 0
                    else "%{customdata[0]}<br>bias %{customdata[1]}<extra>"
                    + layer_name(layer, n_layers)
                    + "</extra>"
                ),
                name=layer_name(layer, n_layers),
                showlegend=False,
            )
        )
    fig.update_layout(
        title=title,
        height=max(320, 22 * min(max(len(u) for u in labels), 30) + 120),
        margin={"l": 10, "r": 10, "t": 40, "b": 30},
        # Above the plot, right: below it the legend would hide the hidden layers' names.
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        plot_bgcolor="white",
    )
    fig.update_xaxes(
        tickvals=list(range(n_layers)),
        ticktext=[layer_name(k, n_layers) for k in range(n_layers)],
        range=[-0.6, n_layers - 0.4],
        showgrid=False,
        zeroline=False,
    )
    fig.update_yaxes(visible=False, range=[-0.05, 1.05])
    return fig, hidden


def weight_heatmap_figure(
    coefs: Sequence[np.ndarray],
    labels: Sequence[Sequence[str]],
    layer: int | None = None,
) -> go.Figure:
    """Heatmaps of the weight matrices: rows are the units a weight comes from, columns the
    units it goes to, colour centred on zero.

    With ``layer`` given, only ``coefs_[layer]``; otherwise every matrix, one trace each
    (named ``coefs_[i]``), with a dropdown that shows one at a time (the first initially).
    """
    n_layers = len(labels)
    picks = range(len(coefs)) if layer is None else [int(layer)]
    fig = go.Figure()
    for i in picks:
        W = np.asarray(coefs[i], dtype=float)
        bound = float(np.abs(W).max()) or 1.0
        fig.add_trace(
            go.Heatmap(
                z=W,
                x=list(labels[i + 1]),
                y=list(labels[i]),
                zmid=0,
                zmin=-bound,
                zmax=bound,
                colorscale=DIVERGING,
                colorbar={"title": {"text": "weight"}},
                hovertemplate="%{y} → %{x}<br>weight %{z}<extra>" + f"coefs_[{i}]</extra>",
                name=f"coefs_[{i}]",
                visible=i == picks[0],
            )
        )
    if layer is None and len(coefs) > 1:
        buttons = [
            {
                "label": f"coefs_[{i}]: {transition_label(i, n_layers)}",
                "method": "update",
                "args": [{"visible": [k == i for k in range(len(coefs))]}],
            }
            for i in range(len(coefs))
        ]
        fig.update_layout(updatemenus=[{"buttons": buttons, "x": 0, "y": 1.15, "xanchor": "left"}])
    rows = max(len(labels[i]) for i in picks)
    fig.update_layout(
        height=max(300, min(18 * rows, 700) + 140),
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
    )
    fig.update_yaxes(autorange="reversed", title_text="from")
    fig.update_xaxes(title_text="to")
    return fig


def weight_distribution_figure(
    coefs: Sequence[np.ndarray], intercepts: Sequence[np.ndarray] | None = None
) -> go.Figure:
    """Histograms of each weight matrix's values (and, given ``intercepts``, the biases),
    overlaid; one trace per group, named ``coefs_[i]`` / ``intercepts_[i]``."""
    n_layers = len(coefs) + 1
    fig = go.Figure()
    for i, W in enumerate(coefs):
        fig.add_trace(
            go.Histogram(
                x=np.asarray(W, dtype=float).ravel(),
                name=f"coefs_[{i}]",
                legendgrouptitle=None,
                hovertemplate=f"{transition_label(i, n_layers)}<br>%{{x}}: %{{y}} weights"
                "<extra></extra>",
                opacity=0.6,
                marker_color=CLASS_COLOURS[i % len(CLASS_COLOURS)],
            )
        )
    for i, b in enumerate(intercepts or ()):
        fig.add_trace(
            go.Histogram(
                x=np.asarray(b, dtype=float).ravel(),
                name=f"intercepts_[{i}]",
                hovertemplate=f"biases, {layer_name(i + 1, n_layers)}<br>%{{x}}: %{{y}}"
                "<extra></extra>",
                opacity=0.6,
                visible="legendonly",
                marker_color=CLASS_COLOURS[i % len(CLASS_COLOURS)],
                marker_pattern_shape="/",
            )
        )
    fig.update_layout(
        barmode="overlay",
        xaxis_title="value",
        yaxis_title="count",
        height=320,
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
    )
    return fig


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
        :func:`core.network_epochs.snapshot_scores`: adds the test loss at the epochs' ends.
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
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
    )
    return fig


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
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
    )
    return fig


def seed_weights_figure(
    variability: SeedVariability, feature_names: Sequence[str], matched: bool = False
) -> go.Figure:
    """First-layer weights side by side, one heatmap per ``random_state``.

    With ``matched``, each seed's hidden units are reordered to line up with the first
    seed's (by :func:`core.network_refits.match_hidden_units`) and keep their own names on the
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


def alpha_norm_figure(table: pd.DataFrame, current: float | None = None) -> go.Figure:
    """Weight norm of each layer against ``alpha`` (log axis), from
    :func:`core.network_refits.alpha_norm_table`; one line per weight matrix, named after its
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


def width_curve_figure(table: pd.DataFrame, current: int | None = None) -> go.Figure:
    """Training and cross-validated score against the first hidden layer's width, from
    :func:`core.network_refits.width_curve_table`: traces ``"training"`` and ``"cross-validated"``
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
