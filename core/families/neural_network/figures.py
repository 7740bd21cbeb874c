"""Pure plotly builders for the neural-network page: each returns a ``go.Figure``.

They take plain arrays and the results of :mod:`core.families.neural_network.layers`,
:mod:`core.families.neural_network.epochs`
and :mod:`core.families.neural_network.refits`; every value a chart shows is also in its traces
(``customdata`` carries the exact fitted weights), so tests read figures through
``fig.data`` and the page only places them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

from core.families.neural_network.layers import layer_name, transition_label
from core.palette import NEGATIVE, POSITIVE
from core.plot_text import figure_builder

#: Diverging scale centred on zero for weights and biases (red negative, blue positive).
DIVERGING = "RdBu"
#: A network diagram draws at most this many edges per weight matrix, the strongest first.
MAX_EDGES = 150
#: Unit labels are written beside the nodes only for layers at most this wide.
MAX_LABELLED_UNITS = 20
#: The network's own class colours (plotly's qualitative set, not core.palette's).
CLASS_COLOURS = qualitative.Plotly
#: Edge widths are binned, so a layer needs a few line traces rather than one per edge.
_WIDTH_BINS = (0.6, 1.5, 3.0, 5.0)


def _node_positions(n: int) -> np.ndarray:
    """Vertical positions of ``n`` units, spread over [0, 1], first unit on top."""
    return 1.0 - (np.arange(n) + 0.5) / n


@figure_builder
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
        Unit labels per layer (:func:`core.families.neural_network.layers.unit_labels`).
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


@figure_builder
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


@figure_builder
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


@figure_builder
def activation_diagram_figure(
    coefs: Sequence[np.ndarray],
    intercepts: Sequence[np.ndarray],
    labels: Sequence[Sequence[str]],
    activations: Sequence[np.ndarray],
    off: Sequence[np.ndarray] | None = None,
    max_edges: int = MAX_EDGES,
    title: str | None = None,
) -> go.Figure:
    """The network diagram (:func:`network_diagram_figure`) with each unit coloured by its
    activation for one row instead of its bias.

    Parameters
    ----------
    coefs, intercepts, labels
        As :func:`network_diagram_figure`.
    activations : sequence of ndarray
        One vector per layer: the inputs as the network sees them, each hidden layer's
        activations, the output layer's.
    off : sequence of ndarray of bool, optional
        Per layer, the units that are off (a ReLU at 0); drawn crossed out.

    Returns
    -------
    go.Figure
        The diagram's traces; each layer's node trace (named after the layer) has
        ``marker.color`` = its activations and ``customdata`` rows ``[unit, activation]``.
    """
    fig, _ = network_diagram_figure(coefs, intercepts, labels, max_edges=max_edges, title=title)
    n_layers = len(labels)
    names = [layer_name(k, n_layers) for k in range(n_layers)]
    largest = max((float(np.abs(a).max()) for a in activations if np.size(a)), default=1.0) or 1.0
    for trace in fig.data:
        if trace.name not in names or trace.meta == "edges" or trace.name.startswith("coefs_"):
            continue
        layer = names.index(trace.name)
        values = np.asarray(activations[layer], dtype=float)
        dead = np.zeros(len(values), dtype=bool) if off is None else np.asarray(off[layer])
        trace.marker.color = values
        trace.marker.colorscale = DIVERGING
        trace.marker.cmin = -largest
        trace.marker.cmax = largest
        trace.marker.showscale = layer == n_layers - 1
        trace.marker.colorbar = {"title": {"text": "activation"}, "len": 0.6}
        trace.marker.symbol = ["circle-x" if d else "circle" for d in dead]
        trace.marker.line = {"color": "#333", "width": 1.5}
        trace.customdata = [
            [u, float(v), "off" if d else ""]
            for u, v, d in zip(labels[layer], values, dead, strict=True)
        ]
        trace.hovertemplate = (
            "%{customdata[0]}<br>"
            + ("value as the network sees it" if layer == 0 else "activation")
            + " %{customdata[1]:.4g} %{customdata[2]}<extra>"
            + names[layer]
            + "</extra>"
        )
    return fig
