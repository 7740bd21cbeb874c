"""The A/B Compare tab's chart: two settings' values side by side."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.legend import LEGEND_BELOW
from core.palette import POSITIVE
from core.plot_text import figure_builder

#: A comparison chart draws at most this many terms, the largest differences first.
COMPARE_TERMS = 30


@figure_builder
def comparison_bar_figure(terms: pd.DataFrame, column: str = "value_per_sd") -> go.Figure:
    """Grouped bars of two settings' learned values by term.

    Parameters
    ----------
    terms : DataFrame
        From :func:`core.compare.compare_terms`: ``term``, ``A``, ``B``, ``B - A``. A model
        with many values (a network) shows the :data:`COMPARE_TERMS` largest differences.
    column : str
        Only used in the axis title.
    """
    unit = "per SD" if column == "value_per_sd" else "raw units"
    if len(terms) > COMPARE_TERMS:
        order = terms["B - A"].abs().fillna(float("inf")).sort_values(ascending=False)
        terms = terms.loc[order.index[:COMPARE_TERMS]]
    fig = go.Figure()
    for name, colour in (("A", "#7f7f7f"), ("B", POSITIVE)):
        fig.add_trace(
            go.Bar(
                x=terms[name].to_numpy(dtype=float),
                y=terms["term"].tolist(),
                orientation="h",
                name=f"{name}",
                marker_color=colour,
            )
        )
    fig.update_layout(
        barmode="group",
        xaxis_title=f"learned value ({unit})",
        height=max(260, 40 * len(terms) + 120),
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        legend=LEGEND_BELOW,
    )
    return fig
