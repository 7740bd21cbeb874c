"""Where a chart's legend goes: along the bottom of the figure, clear of the toolbars.

Two toolbars float over the top right of every chart on a page: plotly's (zoom, pan,
download as PNG) and Streamlit's (full screen). A legend placed above the plot on the right
was hidden under them whenever the pointer was on the chart, and one placed at a paper
height below the plot (``y=-0.2``) overlapped the x-axis title on short figures. A legend
referenced to the container's bottom edge makes plotly reserve room for it below the axes
(plotly.js ``legend.yref="container"``), so it neither hides nor is hidden, whatever the
figure's height or the number of rows its entries wrap onto.
"""

from __future__ import annotations

from typing import Any

#: The legend of every chart with one: a row (wrapping as needed) at the figure's bottom left.
LEGEND_BELOW: dict[str, Any] = {
    "orientation": "h",
    "yref": "container",
    "y": 0,
    "yanchor": "bottom",
    "x": 0,
    "xanchor": "left",
}

#: The most lines a legend names. A path over 30 features named every one: a column of
#: names beside a 376 px chart left about 130 px of plot and cut the longer names, and even
#: twelve names below took more room than the plot. Hovering any line names it.
MOST_NAMED = 8
#: Up to this many lines the legend names them all (diabetes' ten short names fit three
#: rows); past it, the :data:`MOST_NAMED` largest.
ALL_NAMED_UP_TO = 12
#: What a figure whose legend names only :data:`MOST_NAMED` lines adds to its height, so its
#: plot keeps the height of one with a short legend (about two rows of long names).
NAMED_LEGEND_EXTRA = 60


def legend_for(title: str) -> dict[str, Any]:
    """The legend of a chart of named lines, titled ``title``: a row below the plot."""
    return {**LEGEND_BELOW, "title": {"text": title}}


def place_legend(figure: Any) -> Any:
    """``figure`` with :data:`LEGEND_BELOW` as its legend when its builder did not place the
    legend (plotly's default is the top right, under the toolbars). Every figure builder's
    result passes through here (``core.plot_text.figure_builder``)."""
    legend = figure.layout.legend
    if legend.x is None and legend.y is None and legend.orientation is None:
        figure.update_layout(legend=LEGEND_BELOW)
    return figure
