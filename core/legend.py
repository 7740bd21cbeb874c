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

#: A legend of more entries than this (a path over 30 features) would take a third of the
#: figure in rows below it; such a legend scrolls in a column on the right instead, starting
#: below the toolbars' strip (about 30 px of a 420 px figure).
MOST_ENTRIES_BELOW = 12


def legend_for(entries: int, title: str) -> dict[str, Any]:
    """The legend of a chart with ``entries`` named lines, titled ``title``."""
    if entries <= MOST_ENTRIES_BELOW:
        return {**LEGEND_BELOW, "title": {"text": title}}
    return {"title": {"text": title}, "y": 0.92, "yanchor": "top"}


def place_legend(figure: Any) -> Any:
    """``figure`` with :data:`LEGEND_BELOW` as its legend when its builder did not place the
    legend (plotly's default is the top right, under the toolbars). Every figure builder's
    result passes through here (``core.plot_text.figure_builder``)."""
    legend = figure.layout.legend
    if legend.x is None and legend.y is None and legend.orientation is None:
        figure.update_layout(legend=LEGEND_BELOW)
    return figure
