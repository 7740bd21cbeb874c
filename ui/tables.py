"""Every table the app shows goes through :func:`show_table`, so one place decides how a
cell with no value reads: a dash, where Streamlit would draw a grey "None" (the intercept's
feature value, the output layer's dead units, a score a refit could not give).
``tests/app/test_table_headers.py`` fails on a table drawn any other way."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from core.text import NOT_APPLICABLE


def show_table(data: Any, **kwargs: Any) -> Any:
    """``st.dataframe(data, **kwargs)`` with missing values shown as
    :data:`core.text.NOT_APPLICABLE`; returns what ``st.dataframe`` returns (the selection
    of a table that reruns on select)."""
    return st.dataframe(data, placeholder=NOT_APPLICABLE, **kwargs)


def hiding(config: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """``config`` (a ``column_config``) with ``names`` hidden at first: a half-width table
    shows what it is about without scrolling sideways, and the table's "Show/hide columns"
    menu (top right, on hover) brings the rest back in their own format. The data keep
    every column, so downloads hold them all."""
    return config | {name: {**config.get(name, {}), "hidden": True} for name in names}


def more_columns_note(names: list[str], tables: int = 1) -> str:
    """The sentence telling where the hidden columns are (of one table, or of each)."""
    whose = "the table's" if tables == 1 else "each table's"
    listed = ", ".join(names)
    return f"More columns ({listed}) are in {whose} *Show/hide columns* menu."


def number_format(values: Any, digits: int = 4) -> str:
    """A ``NumberColumn`` format for ``values``: ``%.<digits>g``, or scientific notation
    when a value is too large or too small to read that way. The grid writes a ``%g``
    number in full, so a per-unit odds ratio of 2.2e+39 ran off its cell as 40 digits."""
    sizes = np.abs(np.asarray(values, dtype=float))
    sizes = sizes[np.isfinite(sizes) & (sizes > 0)]
    if len(sizes) and (sizes.max() >= 1e6 or sizes.min() < 1e-4):
        return f"%.{digits - 1}e"
    return f"%.{digits}g"
