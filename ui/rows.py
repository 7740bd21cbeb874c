"""Choosing one row of the data (training or test), bound to the link's row key; the
tree and k-NN views share it."""

from __future__ import annotations

import streamlit as st

from core.text import escape_markdown
from ui.family_page import PageFit
from ui.widgets import drop_link_value


# --- shared pieces -----------------------------------------------------------------------
def pick_row(page: PageFit, key: str = "row") -> int | None:
    """A training or test row chosen by its position among them; its position in the data
    set, or ``None`` (after a message) when no such row exists.

    Both controls are bound to the link (``row_set``, ``row``). The number has no upper
    bound of its own (the rows change with the test share); a position past the end is
    refused here with a sentence.
    """
    _check_row_link(key)
    split = page.fit.split
    sets = {"training": split.train}
    if split.test is not None:
        sets["test"] = split.test
    c1, c2 = st.columns([2, 3], vertical_alignment="bottom")
    with c1:
        which = st.radio(
            "Rows",
            list(sets),
            horizontal=True,
            key=f"{key}_set",
            bind="query-params",
            help="Training rows shaped the model; test rows are new to it.",
        )
    positions = sets[which]
    with c2:
        number = st.number_input(
            f"Row (0 to {len(positions) - 1} among the {len(positions)} {which} rows)",
            min_value=0,
            value=0,
            step=1,
            key=key,
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


#: Row numbers a link may carry (Streamlit cannot hold a larger whole number).
MAX_ROW_LINK = 10**9


def _check_row_link(key: str) -> None:
    """Drop a link's row number that is not a whole number from 0 (``?row=inf`` would raise
    inside Streamlit when the bound widget parses it), with a sentence."""
    text = st.query_params.get(key)
    if text is None or key in st.session_state:
        return
    try:
        ok = 0 <= int(text.strip()) < MAX_ROW_LINK
    except ValueError:
        ok = False
    if not ok:
        drop_link_value(key)
        st.warning(
            f"The link's row {escape_markdown(text)} is not a row number; showing row 0.",
            icon=":material/link_off:",
        )
