"""Every table the app shows goes through :func:`show_table`, so one place decides how a
cell with no value reads: a dash, where Streamlit would draw a grey "None" (the intercept's
feature value, the output layer's dead units, a score a refit could not give).
``tests/app/test_table_headers.py`` fails on a table drawn any other way."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.text import NOT_APPLICABLE


def show_table(data: Any, **kwargs: Any) -> Any:
    """``st.dataframe(data, **kwargs)`` with missing values shown as
    :data:`core.text.NOT_APPLICABLE`; returns what ``st.dataframe`` returns (the selection
    of a table that reruns on select)."""
    return st.dataframe(data, placeholder=NOT_APPLICABLE, **kwargs)
