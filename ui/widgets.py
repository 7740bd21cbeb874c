"""Widgets generated from :class:`core.specs.ParamSpec`; each returns a plain value.

Every widget's key is the spec's name and is bound to the URL, so the query string of a page
is exactly its setting: ``?estimator=ridge&alpha=3&scale=false``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.specs import ParamSpec


def spec_widget(spec: ParamSpec, *, label: str | None = None) -> Any:
    """Draw the widget for one spec and return its current value.

    Booleans are checkboxes, choices select boxes, numbers number inputs with the spec's
    bounds (so the UI offers only values scikit-learn accepts). Values arriving from the URL
    that fall outside those bounds are dropped by Streamlit and the default is used.
    """
    common = {
        "key": spec.name,
        "help": spec.help,
        "bind": "query-params",
        "persist_state": "page",
    }
    label = label or spec.label
    if spec.kind == "bool":
        return st.checkbox(label, value=spec.default, **common)
    if spec.kind == "choice":
        # A bound select box writes its displayed option text to the URL, so the options are
        # shown as their stable ids (``ridge``, ``diabetes``); callers caption the long label.
        return st.selectbox(
            label,
            options=list(spec.choices),
            index=list(spec.choices).index(spec.default),
            **common,
        )
    if spec.kind == "int":
        return int(
            st.number_input(
                label,
                min_value=int(spec.low) if spec.low is not None else None,
                max_value=int(spec.high) if spec.high is not None else None,
                value=int(spec.default),
                step=int(spec.step or 1),
                **common,
            )
        )
    return float(
        st.number_input(
            label,
            min_value=float(spec.low) if spec.low is not None else None,
            max_value=float(spec.high) if spec.high is not None else None,
            value=float(spec.default),
            step=float(spec.step) if spec.step else None,
            format="%g",
            **common,
        )
    )


def setting_table(specs: tuple[ParamSpec, ...], values: dict[str, Any]) -> pd.DataFrame:
    """The values set, beside scikit-learn's defaults, with the differing ones marked."""
    rows = []
    for spec in specs:
        value = values[spec.name]
        differs = value != spec.default
        rows.append(
            {
                "hyperparameter": spec.name,
                "your value": spec.label_for(value),
                "scikit-learn default": spec.label_for(spec.default),
                "changed": "● changed" if differs else "",
                "role": {"model": "shapes the model", "optimizer": "optimizer only"}.get(
                    spec.role, spec.role
                ),
            }
        )
    return pd.DataFrame(rows)
