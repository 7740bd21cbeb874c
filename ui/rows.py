"""Choosing one row of the data (training or test), bound to the link's row key; the
Predict tab of every family page uses it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import streamlit as st

from core.data.tables import Dataset
from core.fitting import FitResult
from core.links import ROW, view_link_problems
from core.row_predict import OpeningRow, opening_row
from core.setting import Setting
from ui.widgets import drop_link_values

if TYPE_CHECKING:  # the page frame opens the Predict tab, which picks its row here
    from ui.family_page import PageFit


# --- shared pieces -----------------------------------------------------------------------
@st.cache_data(max_entries=32, show_spinner=False)
def _cached_opening_row(rows_key: Setting, _fit: FitResult, _dataset: Dataset) -> OpeningRow:
    """:func:`core.row_predict.opening_row`; ``rows_key`` is the fit's key without its
    hyperparameters, which the opening row does not read."""
    return opening_row(_fit, _dataset)


def pick_row(page: PageFit) -> int | None:
    """A training or test row chosen by its position among them; its position in the data
    set, or ``None`` (after a message) when no such row exists.

    Both controls are bound to the link (``row_set``, ``row``). They open on
    :func:`core.row_predict.opening_row` (a test row where the classes meet), which reads
    only the data and the split, so the row stays put while hyperparameters change. The
    number has no upper bound of its own (the rows change with the test share); a position
    past the end is refused here with a sentence.
    """
    _check_row_link()
    split = page.fit.split
    sets = {"training": split.train}
    if split.test is not None:
        sets["test"] = split.test
    opening = _cached_opening_row(
        replace(page.setting, hyperparameters=()), page.fit, page.choice.dataset
    )
    c1, c2 = st.columns([2, 3], vertical_alignment="bottom")
    with c1:
        which = st.radio(
            "Rows",
            list(sets),
            index=list(sets).index(opening.rows),
            horizontal=True,
            key="row_set",
            bind="query-params",
            help="Training rows shaped the model; test rows are new to it.",
        )
    positions = sets[which]
    with c2:
        number = st.number_input(
            f"Row (0 to {len(positions) - 1} among the {len(positions)} {which} rows)",
            min_value=0,
            value=opening.number if which == opening.rows else 0,
            step=1,
            key="row",
            bind="query-params",
        )
    if number >= len(positions):
        st.warning(
            f"There are only {len(positions)} {which} rows: pick a row from 0 to "
            f"{len(positions) - 1}.",
            icon=":material/edit:",
        )
        return None
    return int(positions[int(number)])


def _check_row_link() -> None:
    """Drop a link's row number that is not a whole number from 0 (``?row=inf`` would raise
    inside Streamlit when the bound widget parses it), with the registry's sentence. The
    page frame checks it when the page opens; this covers a link value met later."""
    drop_link_values(view_link_problems([ROW], st.query_params.to_dict(), st.session_state))
