"""Widgets generated from :class:`core.specs.ParamSpec`; each returns a plain value.

Every widget's key is the spec's name and is bound to the URL, so the query string of a page
is exactly its setting: ``?estimator=ridge&alpha=3&scale=false``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from core.specs import ParamSpec
from ui.text import escape_markdown


def spec_widget(
    spec: ParamSpec, *, label: str | None = None, choices: tuple[Any, ...] | None = None
) -> Any:
    """Draw the widget for one spec and return its current value.

    Booleans are checkboxes, choices select boxes (limited to ``choices`` when given),
    numbers number inputs with the spec's bounds (so the UI offers only values scikit-learn
    accepts); a number that may be infinite (``C``) is a text box that accepts ``inf``.
    Values arriving from the URL that fall outside the bounds are dropped by Streamlit and
    the default is used.
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
        options = list(choices if choices is not None else spec.choices)
        return st.selectbox(
            label,
            options=options,
            index=options.index(spec.default) if spec.default in options else 0,
            **common,
        )
    if spec.unbounded:
        return _unbounded_number(spec, label, common)
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


_PENDING = "pending_setting"


def request_setting(name: str, value: Any, rerun: bool = False) -> None:
    """Ask for a widget to take a value on the next run (a linked view's selection).

    A widget's state cannot change once it is drawn in a run, so the value waits in
    session state until :func:`apply_pending_settings` runs before the widgets.
    """
    st.session_state.setdefault(_PENDING, {})[name] = value
    if rerun:
        st.rerun()


def apply_pending_settings(specs: tuple[ParamSpec, ...]) -> None:
    """Move requested values into the widgets' state, before the widgets are drawn."""
    pending = st.session_state.pop(_PENDING, {})
    for spec in specs:
        if spec.name in pending:
            value = spec.validate(pending[spec.name])
            st.session_state[spec.name] = spec.format(value) if spec.unbounded else value


#: Work expected to take longer than this waits for a click instead of running on every redraw.
LONG_WORK_SECONDS = 4.0


def confirm_long_work(
    key: str, seconds: float, what: str, recheck: Callable[[], float] | None = None
) -> bool:
    """Whether to run ``what`` now: at once when it is quick, after a click when it is not.

    ``key`` identifies the exact work (its cache key), so a click covers that work only and
    a cached result is shown again without asking. ``recheck`` gives a better estimate (a
    warm timing) and is called only when the first one looks long.
    """
    confirmed = st.session_state.setdefault("confirmed_work", set())
    if seconds <= LONG_WORK_SECONDS or key in confirmed:
        return True
    if recheck is not None:
        seconds = recheck()
        if seconds <= LONG_WORK_SECONDS:
            return True
    st.info(
        f"{what} would take about {seconds:.0f} s with this setting (each fit takes "
        "a while: many iterations, unscaled features, or a large file).",
        icon=":material/hourglass_top:",
    )
    if st.button(f"Run it ({seconds:.0f} s)", key=f"run_{abs(hash(key))}"):
        confirmed.add(key)
        return True
    return False


def _unbounded_number(spec: ParamSpec, label: str, common: dict[str, Any]) -> float:
    """A text box for a float that may be ``inf``; an invalid entry keeps the default."""
    text = st.text_input(label, value=spec.format(spec.default), **common)
    try:
        return spec.validate(text.strip())
    except ValueError as exc:
        message = escape_markdown(f"{exc} Using {spec.format(spec.default)} instead.")
        st.warning(message, icon=":material/edit:")
        return spec.default


def setting_table(specs: tuple[ParamSpec, ...], values: dict[str, Any]) -> pd.DataFrame:
    """The values set, beside scikit-learn's defaults, with the differing ones marked."""
    rows = []
    for spec in specs:
        value = values[spec.name]
        differs = value != spec.default
        rows.append(
            {
                "hyperparameter": spec.name,
                "your value": spec.format(value),
                "scikit-learn default": spec.format(spec.default),
                "changed": "● changed" if differs else "",
                "role": {"model": "shapes the model", "optimizer": "optimizer only"}.get(
                    spec.role, spec.role
                ),
            }
        )
    return pd.DataFrame(rows)
