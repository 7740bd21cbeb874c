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
from core.text import escape_markdown


def view_radio(spec: ParamSpec, **extra: Any) -> Any:
    """A view's choice (a spec in the link registry's view specs) as a row of radio buttons,
    bound to the link under the spec's name; returns the choice."""
    return st.radio(
        spec.label,
        list(spec.choices),
        horizontal=True,
        key=spec.name,
        bind="query-params",
        help=spec.help,
        **extra,
    )


def spec_widget(
    spec: ParamSpec, *, label: str | None = None, choices: tuple[Any, ...] | None = None
) -> Any:
    """Draw the widget for one spec and return its current value.

    Booleans are checkboxes, choices select boxes showing their labels (limited to
    ``choices`` when given),
    numbers number inputs with the spec's bounds (so the UI offers only values scikit-learn
    accepts); a number that may be infinite (``C``) is a text box that accepts ``inf``; a
    number that may be ``None`` (``max_depth``) a box that may be left empty.
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
    if spec.nullable:
        return _nullable_number(spec, label, preset, common)
    if spec.kind == "int":
        value = st.number_input(
            label,
            min_value=int(spec.low) if spec.low is not None else None,
            max_value=int(spec.high) if spec.high is not None else None,
            **({} if preset else {"value": int(initial)}),
            step=int(spec.step or 1),
            **common,
        )
        return int(value)
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
    if _seed_from_link(spec, by_text.__getitem__):
        preset = True
    _mark_drawn(name)
    if preset and st.session_state[name] not in options:
        del st.session_state[name]  # no longer offered: fall back to the default
        preset = False
    value = st.selectbox(
        label,
        options=options,
        format_func=spec.label_for,
        **({} if preset else {"index": options.index(default)}),
        **_unbound(common),
    )
    _write_link(spec, value, default)
    return value


def _nullable_number(spec: ParamSpec, label: str, preset: bool, common: dict[str, Any]) -> Any:
    """A number box that may be left empty, meaning ``None`` (``max_depth``: no limit).

    Streamlit's own binding cannot carry such a value in a link: its parser reads no
    ``none``, so ``max_depth=none`` silently opened the page's start value (3), and the
    page's own links said ``none``. And a box can be emptied only when it has no default,
    while a bound box with no default takes ``None`` as that default: its address would
    leave ``None`` out and spell the start value. So this box is not bound: it starts from
    the spec's initial value (through its state), a link's value seeds it
    (``none``, ``None`` and an empty value all mean ``None``), and its value is written
    back spelled as :meth:`ParamSpec.format` spells it (``none``), or removed at the
    initial value, as :func:`core.links.share_query` writes a link.
    """
    name = spec.name
    # With no default to fall back on, the box needs a state of this page's: it may have
    # none yet, or one the same key left on another page (dropped as the box registers).
    if not (_seed_from_link(spec, spec.validate) or preset or _state_is_this_pages(name)):
        st.session_state[name] = spec.initial
    _mark_drawn(name)
    number = int if spec.kind == "int" else float
    value = st.number_input(
        label,
        min_value=number(spec.low) if spec.low is not None else None,
        max_value=number(spec.high) if spec.high is not None else None,
        value=None,  # no default: the box may be emptied; its state holds the value
        step=int(spec.step or 1) if number is int else float(spec.step or 0.01),
        format=None if number is int else "%g",
        placeholder="none",
        **_unbound(common),
    )
    value = None if value is None else number(value)
    _write_link(spec, value, spec.initial)
    return value


def _unbound(common: dict[str, Any]) -> dict[str, Any]:
    """A widget's common arguments without the URL binding (the page keeps the link)."""
    return {k: v for k, v in common.items() if k != "bind"}


def _seed_from_link(spec: ParamSpec, read: Callable[[str], Any]) -> bool:
    """Put a link's value into an unbound widget's state when the page has not seen that
    link yet (opened, pasted, or reached with the back button); return whether it did.

    ``read`` turns the link's text into the widget's value, raising ``KeyError`` or
    ``ValueError`` for text it cannot take (the widget keeps its value, and
    :func:`_write_link` then corrects the link).
    """
    linked = st.query_params.get(spec.name)
    if linked is None:
        return False
    # The page's own write, unless the widget's state is gone since (a page switch, then
    # the back button to that link): then the link is all there is.
    if linked == _written_links().get(spec.name) and _state_is_this_pages(spec.name):
        return False
    try:
        st.session_state[spec.name] = read(linked)
    except (KeyError, ValueError):
        return False
    return True


def _write_link(spec: ParamSpec, value: Any, default: Any) -> None:
    """Write an unbound widget's value to the link as a bound widget would: spelled as the
    spec spells it, and left out at the page's ``default``."""
    name = spec.name
    written = _written_links()
    text = spec.format(value)
    if value == default:
        if name in st.query_params:
            del st.query_params[name]
        written.pop(name, None)
    else:
        if st.query_params.get(name) != text:  # each write is a message to the browser
            st.query_params[name] = text
        written[name] = text


_DRAWN_ON = "unbound_drawn_on"


def _state_is_this_pages(name: str) -> bool:
    """Whether the unbound widget ``name`` holds a state this page gave it (it was drawn on
    this page and Streamlit has not dropped its state on a page switch since)."""
    drawn = st.session_state.get(_DRAWN_ON, {})
    return name in st.session_state and drawn.get(name) == _page_hash()


def _mark_drawn(name: str) -> None:
    """Remember the page an unbound widget is drawn on (see :func:`_state_is_this_pages`)."""
    st.session_state.setdefault(_DRAWN_ON, {})[name] = _page_hash()


def _written_links() -> dict[str, str]:
    """The values this page's unbound widgets last wrote to the link, by key (kept per page:
    the same key, ``estimator``, means another family's choice on another page)."""
    return st.session_state.setdefault("links_written", {}).setdefault(_page_hash(), {})


def _page_hash() -> str:
    """The running page's id ("" outside a script run)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx is not None else ""


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


def drop_link_values(problems: dict[str, str]) -> None:
    """Drop each named link value before its widget is drawn and say why, in the sentence
    :mod:`core.links` wrote (the one place a dropped link value is reported)."""
    for name, sentence in problems.items():
        drop_link_value(name)
        st.warning(escape_markdown(sentence), icon=":material/link_off:")


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
            f"{what} would take about {seconds:.0f} s with this setting and these rows, "
            "so it waits for a click rather than holding the page.",
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
    """The values set that differ from scikit-learn's defaults, beside those defaults.

    Whether a value shapes the model or only steers the optimiser is the column its widget
    sits in; the values left at their defaults are named by :func:`default_values_text`, so
    the table lists only what the user (or the page's start) changed."""
    rows = [
        {
            "hyperparameter": spec.name,
            "your value": spec.format(values[spec.name]),
            "scikit-learn default": spec.format(spec.default),
        }
        for spec in specs
        if values[spec.name] != spec.default
    ]
    return pd.DataFrame(rows, columns=["hyperparameter", "your value", "scikit-learn default"])


def default_values_text(specs: tuple[ParamSpec, ...], values: dict[str, Any]) -> str:
    """One line naming the values at scikit-learn's defaults (``""`` when none is)."""
    same = [
        f"{spec.name} = {spec.format(values[spec.name])}"
        for spec in specs
        if values[spec.name] == spec.default
    ]
    if not same:
        return ""
    if len(same) == len(specs):
        return "Every hyperparameter is at scikit-learn's default: " + ", ".join(same) + "."
    return "At scikit-learn's defaults: " + ", ".join(same) + "."


def progress_bar(text: str, total: int):
    """A progress bar made inside a cached function (so a cache hit replays it and its
    removal) and the ``progress(done, total)`` callback that moves it."""
    bar = st.progress(0.0, text=text)

    def progress(done: int, total: int = total) -> None:
        bar.progress(done / total, text=f"{text} {done} of {total}")

    return bar, progress
