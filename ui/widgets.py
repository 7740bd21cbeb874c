"""Widgets generated from :class:`core.specs.ParamSpec`; each returns a plain value.

Every widget's key is the spec's name and is bound to the URL, so the query string of a page
is exactly its setting: ``?estimator=ridge&alpha=3&scale=false``.
"""

from __future__ import annotations

import math
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

    Booleans are checkboxes, choices select boxes showing their labels (limited to
    ``choices`` when given),
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
    initial = spec.initial
    # A value our code put in session state for this widget (a linked view's request, a
    # restored setting) is the widget's value: passing a default too makes Streamlit warn
    # about the clash. Any other state is the widget's own, and the default must be passed:
    # without it, a widget met again after a page switch starts from its minimum.
    preset = _take_preset(spec.name)
    if spec.kind == "bool":
        return st.checkbox(label, **({} if preset else {"value": initial}), **common)
    if spec.kind == "choice":
        options = list(choices if choices is not None else spec.choices)
        if len(options) == 1:
            return options[0]  # a choice of one is no choice: no box
        return _choice_widget(spec, label, options, preset, common)
    if spec.unbounded or spec.kind == "layers":
        return _text_value(spec, label, common)
    if spec.kind == "int":
        value = st.number_input(
            label,
            min_value=int(spec.low) if spec.low is not None else None,
            max_value=int(spec.high) if spec.high is not None else None,
            **({} if preset else {"value": None if initial is None else int(initial)}),
            step=int(spec.step or 1),
            placeholder="none" if spec.nullable else None,
            **common,
        )
        return None if value is None else int(value)
    return float(
        st.number_input(
            label,
            min_value=float(spec.low) if spec.low is not None else None,
            max_value=float(spec.high) if spec.high is not None else None,
            **({} if preset else {"value": float(initial)}),
            step=float(spec.step) if spec.step else None,
            format="%g",
            **common,
        )
    )


def _choice_widget(
    spec: ParamSpec, label: str, options: list[Any], preset: bool, common: dict[str, Any]
) -> Any:
    """A select box that shows labels ("Ridge (L2)") and keeps ids in the link.

    Streamlit's own binding would write the displayed text to the URL, so this box is not
    bound: the link's id seeds it (when the link changed since this page last wrote it), and
    the chosen id is written back, or removed at the default, as a bound widget would.
    """
    name = spec.name
    default = spec.initial if spec.initial in options else options[0]
    by_text = {spec.format(option): option for option in options}
    written = _written_links()
    linked = st.query_params.get(name)
    if linked is not None and linked != written.get(name) and linked in by_text:
        st.session_state[name] = by_text[linked]  # a link the page has not seen yet
        preset = True
    if preset and st.session_state[name] not in options:
        del st.session_state[name]  # no longer offered: fall back to the default
        preset = False
    unbound = {k: v for k, v in common.items() if k != "bind"}
    value = st.selectbox(
        label,
        options=options,
        format_func=spec.label_for,
        **({} if preset else {"index": options.index(default)}),
        **unbound,
    )
    text = spec.format(value)
    if value == default:
        if name in st.query_params:
            del st.query_params[name]
        written.pop(name, None)
    else:
        if st.query_params.get(name) != text:  # each write is a message to the browser
            st.query_params[name] = text
        written[name] = text
    return value


def _written_links() -> dict[str, str]:
    """The select-box ids this page last wrote to the link, by key (kept per page: the same
    key, ``estimator``, means another family's choice on another page)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    page = ctx.page_script_hash if ctx is not None else ""
    return st.session_state.setdefault("links_written", {}).setdefault(page, {})


_PENDING = "pending_setting"


def grid_value(value: Any) -> Any:
    """A swept float rounded to what a sweep's grid resolves (3 significant digits), so a
    snapped or best value reads ``alpha=1.41``, not ``alpha=1.4083355386200107``."""
    if isinstance(value, float) and math.isfinite(value) and value != 0:
        return float(f"{value:.3g}")
    return value


def request_setting(name: str, value: Any, rerun: bool = False) -> None:
    """Ask for a widget to take a value on the next run (a linked view's selection).

    A widget's state cannot change once it is drawn in a run, so the value waits in
    session state until :func:`apply_pending_settings` runs before the widgets.
    """
    st.session_state.setdefault(_PENDING, {})[name] = grid_value(value)
    if rerun:
        st.rerun()


def apply_pending_settings(specs: tuple[ParamSpec, ...]) -> None:
    """Move requested values into the widgets' state, before the widgets are drawn."""
    pending = st.session_state.get(_PENDING, {})
    for spec in specs:
        if spec.name in pending:
            requested = pending.pop(spec.name)
            try:
                value = spec.validate(requested)
            except ValueError:
                continue  # rounded past a bound: keep the current value
            preset_widget(spec, value)


def drop_link_value(name: str) -> None:
    """Remove a link's value for ``name`` before its widget is drawn.

    Streamlit 1.67 seeds a bound widget from the value the page was opened with, which
    ``del st.query_params[name]`` does not change; a whole-number ``st.number_input`` then
    raises ``OverflowError`` inside Streamlit on ``seed=inf`` (its URL deserializer catches
    ``ValueError`` but not ``OverflowError``) on every rerun. So the opening value goes too,
    through the session's query-params object (a private attribute, checked before use;
    a test opens such links, so an upgrade that moves it fails loudly).
    """
    from streamlit.runtime.state.session_state_proxy import get_session_state

    with get_session_state().query_params() as params:
        if name in params:
            del params[name]
        initial = getattr(params, "_initial_query_params", None)
        if isinstance(initial, dict):
            initial.pop(name, None)


_PRESET = "preset_widgets"


def preset_widget(spec: ParamSpec, value: Any) -> None:
    """Give a widget its value through session state before it is drawn (a callback, a
    pending request): the supported way to change a widget's value from code."""
    preset_key(spec.name, widget_state(spec, value))


def preset_key(key: str, state: Any) -> None:
    """:func:`preset_widget` for a widget known by its key and its state's value."""
    st.session_state[key] = state
    st.session_state.setdefault(_PRESET, set()).add(key)


def _take_preset(name: str) -> bool:
    """Whether our code preset this widget's value since it was last drawn (and forget it)."""
    presets = st.session_state.get(_PRESET)
    if presets is None or name not in presets:
        return False
    presets.discard(name)
    return name in st.session_state


def widget_state(spec: ParamSpec, value: Any) -> Any:
    """A value as its widget holds it in session state (text for a text box)."""
    return spec.format(value) if spec.unbounded or spec.kind == "layers" else value


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
    # In one slot, so the notice and its button go as soon as the work is asked for.
    slot = st.empty()
    with slot.container():
        st.info(
            f"{what} would take about {seconds:.0f} s with this setting (each fit takes "
            "a while: many iterations, unscaled features, or a large file).",
            icon=":material/hourglass_top:",
        )
        clicked = st.button(
            f"Run it ({seconds:.0f} s)", key=f"run_{abs(hash(key))}", icon=":material/play_arrow:"
        )
    if clicked:
        confirmed.add(key)
        slot.empty()
        return True
    return False


def _text_value(spec: ParamSpec, label: str, common: dict[str, Any]) -> Any:
    """A text box for a value typed as text: a float that may be ``inf`` (``C``), or layer
    widths (``8,4``); an invalid entry keeps the page's initial value and says so."""
    preset = {} if _take_preset(spec.name) else {"value": spec.format(spec.initial)}
    text = st.text_input(label, max_chars=100, **preset, **common)
    try:
        return spec.validate(text.strip())
    except ValueError as exc:
        message = escape_markdown(f"{exc} Using {spec.format(spec.initial)} instead.")
        st.warning(message, icon=":material/edit:")
        return spec.initial


def setting_table(specs: tuple[ParamSpec, ...], values: dict[str, Any]) -> pd.DataFrame:
    """The values set, beside scikit-learn's defaults, with the differing ones marked.

    Whether a value shapes the model or only steers the optimiser is the column its widget
    sits in; repeating it here cut the table's text short in a half-width column."""
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
            }
        )
    return pd.DataFrame(rows)
