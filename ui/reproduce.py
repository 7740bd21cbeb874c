"""Share and reproduce: the link, Python code, downloads, loading a setting, run history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from core.codegen import python_script
from core.compare import Snapshot, make_snapshot
from core.data.catalogue import UPLOAD_ID
from core.export import model_card_markdown, parameters_csv, safe_csv
from core.family import FamilyFile, FamilySpec
from core.fitting import FitResult, FitTooSlow
from core.learned import LearnedParameters
from core.links import (
    PINNED_KEY,
    data_link_problems,
    link_problems,
    parse_pinned,
    pinned_query_value,
    setting_specs,
    share_query,
)
from core.setting import Setting
from core.setting_file import parse_setting_json, setting_json
from core.text import escape_markdown
from ui.cache import cached_fit
from ui.data import DataChoice
from ui.tables import show_table
from ui.widgets import LONG_WORK_SECONDS, confirm_long_work, drop_link_values, preset_widget

#: Runs kept in a session's history; older ones are dropped first.
HISTORY_LIMIT = 200
_HISTORY = "run_history"
_NOTES = "restore_notes"
_PINNED_ESTIMATES = "pinned_link_estimates"


def link_notes(family: FamilySpec) -> None:
    """On a page's first run in a session, replace the link's invalid values and say so.

    Runs before any widget: Streamlit parses a bound widget's URL value itself, and some
    values (``seed=inf``) would raise inside it on every rerun. Each invalid value is
    replaced through session state (the supported way to change a bound value), which also
    rewrites the URL, so the bad key does not stay in the link.
    """
    flag = f"link_checked_{family.id}"
    if st.session_state.get(flag):
        return
    st.session_state[flag] = True
    drop_link_values(link_problems(family, st.query_params.to_dict()))


def data_link_notes(bounds: dict[str, Any]) -> None:
    """Phase two of the link check, once the data are loaded: drop the link's values that
    the data or the page do not offer (a column, a tab, a row set), and say so. Values a
    widget already holds are the user's, not the link's, and are not checked."""
    query = st.query_params.to_dict()
    drop_link_values(data_link_problems(query, bounds, held=st.session_state))


def restore_pinned_from_link(family: FamilySpec, choice: DataChoice, pin_key: str) -> None:
    """On a page's first run, refit and pin the setting A a link carries (same data as B).

    The refit has the page's time budget: a slow A (saga at tol=1e-12) waits for a click
    that names its estimate, and is asked again on each run until it is fitted."""
    flag = f"pinned_link_checked_{family.id}"
    text = st.query_params.get(PINNED_KEY)
    if st.session_state.get(flag) or text is None:
        return
    try:
        estimator_id, hyper, data = parse_pinned(family, text)
        key = Setting.of(
            family.id,
            estimator_id,
            hyper,
            data=choice.data,
            data_key=choice.data_key,
            target=choice.target,
            **data,
        )
        # The estimate is kept, so a rerun while the notice waits does not probe again.
        estimates = st.session_state.setdefault(_PINNED_ESTIMATES, {})
        fit = None
        if repr(key) not in estimates:
            try:
                fit = cached_fit(key, choice.dataset, LONG_WORK_SECONDS)
            except FitTooSlow as exc:
                estimates[repr(key)] = exc.seconds
        if fit is None:
            seconds = estimates[repr(key)]
            if not confirm_long_work(repr(key), seconds, "Refitting the link's pinned A"):
                return  # not pinned yet: the notice and its button stay until clicked
            fit = cached_fit(key, choice.dataset)
    except ValueError as exc:
        st.session_state[flag] = True
        st.warning(
            escape_markdown(f"The link's pinned setting A was ignored: {exc}."),
            icon=":material/link_off:",
        )
        return
    st.session_state[flag] = True
    learned = family.extract(fit)
    st.session_state[pin_key] = make_snapshot(fit, learned, key)


def apply_setting(family: FamilySpec, setting: dict[str, Any]) -> None:
    """Put a setting into the widgets' state (call from a callback, before widgets draw).

    Bound widgets then write it to the URL themselves.
    """
    for spec in setting_specs(family, setting.get("dataset"), setting.get("estimator")):
        if spec.name in setting:
            preset_widget(spec, setting[spec.name])
    if setting.get("target") is not None:
        st.session_state["target"] = setting["target"]


def _load_setting_file(family: FamilySpec) -> None:
    upload = st.session_state.get("setting_file")
    if upload is None:
        return
    try:
        current = st.session_state.get("dataset")
        setting, notes = parse_setting_json(upload.getvalue(), family, current)
    except ValueError as exc:
        st.session_state[_NOTES] = ("error", [str(exc)])
        return
    apply_setting(family, setting)
    st.session_state[_NOTES] = ("info", ["Loaded the setting from the file.", *notes])


def _link(family: FamilySpec, choice: DataChoice, setting: dict, pinned: Snapshot | None) -> None:
    query = share_query(family, setting, choice.default_target)
    same_data = pinned is not None and pinned.data_key == choice.fitted_on
    if same_data:
        extra = urlencode({PINNED_KEY: pinned_query_value(family, pinned.setting)})
        query = f"{query}&{extra}" if query else extra
    base = st.context.url or f"/{family.id}"
    st.markdown("**Link to this setting**" + (" and the pinned A" if same_data else ""))
    st.code(f"{base}?{query}" if query else base, language=None, wrap_lines=True)
    if pinned is not None and not same_data:
        st.caption("A was fitted on other data, so the link carries only the current setting.")
    if choice.dataset_id == UPLOAD_ID:
        st.caption(
            "Uploaded data cannot travel in a link: whoever opens it must upload the same file "
            "(choose 'upload'); every other value is restored."
        )
    else:
        st.caption("Use the copy button; opening the link restores this exact fit.")


def reproduce_section(
    family: FamilySpec,
    choice: DataChoice,
    fit_setting: Setting,
    fit: FitResult,
    learned: LearnedParameters,
) -> None:
    """The link, the generated script, downloads, and loading a saved setting."""
    setting = fit_setting.link()
    _link(family, choice, setting, st.session_state.get(f"pinned_{family.id}"))

    upload = choice.script_upload()
    try:
        script = python_script(family, setting, **upload)
    except ValueError as exc:
        st.warning(escape_markdown(f"No script for this setting: {exc}"))
        script = None
    if script is not None:
        with st.expander("Python code that refits this model and prints its parameters"):
            st.code(script, language="python", line_numbers=True)
    cols = st.columns(4)
    stem = f"{family.id}_{choice.dataset_id}"
    if script is not None:
        cols[0].download_button(
            "Python script", script, f"{stem}.py", "text/x-python", icon=":material/code:"
        )
    cols[1].download_button(
        "Parameters (CSV)",
        parameters_csv(learned, family.id),
        f"{stem}_parameters.csv",
        "text/csv",
        icon=":material/table:",
    )
    cols[2].download_button(
        "Setting (JSON)",
        setting_json(family.id, setting),
        f"{stem}_setting.json",
        "application/json",
        icon=":material/tune:",
    )
    cols[3].download_button(
        "Model card (Markdown)",
        model_card_markdown(
            family,
            setting,
            learned,
            fit.metrics,
            choice.dataset.notes,
            fit.warnings,
            n_features=len(fit.feature_names),
        ),
        f"{stem}_model_card.md",
        "text/markdown",
        icon=":material/description:",
    )
    if family.own_file is not None:
        _own_file(family.own_file(fit), fit_setting)
    st.file_uploader(
        "Load a setting file (.json) saved from this page",
        type=["json"],
        key="setting_file",
        on_change=_load_setting_file,
        args=(family,),
        max_upload_size=1,
    )
    level, notes = st.session_state.pop(_NOTES, ("info", []))
    for note in notes:
        (st.error if level == "error" else st.info)(escape_markdown(note))


@st.cache_data(max_entries=4, show_spinner=False)
def _cached_file(key: Setting, file_name: str, _make: Callable[[], bytes]) -> bytes:
    """A family's own file for the fit ``key``, made once: a second click is a cache hit."""
    return _make()


def _own_file(own: FamilyFile, key: Setting) -> None:
    """The family's own download; its bytes are made only when it is clicked (on
    Streamlit's download thread), so opening the tab costs nothing."""
    st.download_button(
        own.label,
        data=lambda: _cached_file(key, own.file_name, own.make),
        file_name=own.file_name,
        mime=own.mime,
        on_click="ignore",
        icon=":material/download:",
        key="own_file",
        help=own.help,
    )


def _hyper_text(family: FamilySpec, estimator_id: str, values: dict[str, Any]) -> str:
    specs = family.hyperparameters_for(estimator_id)
    return ", ".join(f"{s.name}={s.format(values[s.name])}" for s in specs if s.name in values)


def record_run(
    family: FamilySpec,
    choice: DataChoice,
    fit_setting: Setting,
    fit: FitResult,
    learned: LearnedParameters,
    snapshot: Callable[[], Snapshot],
) -> None:
    """Log a fit in the session's history, once per distinct setting in a row (an unchanged
    rerun builds nothing: the snapshot and headline are made only for a new entry).
    ``snapshot()`` gives the fit's snapshot (the page builds it once for this and its
    compare tab)."""
    history: list[dict] = st.session_state.setdefault(_HISTORY, [])
    estimator_id, values = fit_setting.estimator_id, fit_setting.values
    if history and history[-1]["setting"] == fit_setting:
        return
    metrics = fit.metrics["test" if not fit.in_sample else "train"]
    history.append(
        {
            "run": (history[-1]["run"] + 1) if history else 1,
            "time": datetime.now().strftime("%H:%M:%S"),
            "family": family.id,
            "page": family.title,
            # The file's name for an upload, never a column of it (a dummy column's name).
            "data": choice.upload_name or choice.dataset.name,
            "target": choice.target,
            "estimator": estimator_id,
            "hyperparameters": _hyper_text(family, estimator_id, values),
            "parameters": learned.n_parameters,
            "metric": metrics.index[0],
            "score": float(metrics.iloc[0]),
            "in-sample": fit.in_sample,
            "learned": learned.headline(),
            "setting": fit_setting,
            "snapshot": snapshot(),
        }
    )
    del history[:-HISTORY_LIMIT]


def _pin(state_key: str, snapshot: Snapshot) -> None:
    st.session_state[state_key] = snapshot


def history_section(family: FamilySpec, pin_key: str) -> None:
    """The session's runs as a sortable table; a selected run can be restored or pinned."""
    history: list[dict] = st.session_state.get(_HISTORY, [])
    if not history:
        st.caption("Every fit you make in this session is listed here.")
        return
    table = pd.DataFrame(
        [
            {k: v for k, v in run.items() if k not in ("setting", "snapshot", "family")}
            for run in history
        ]
    )
    event = show_table(
        table,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="history_table",
        column_config={"score": st.column_config.NumberColumn(format="%.4g")},
    )
    st.download_button("Download history (CSV)", safe_csv(table), "run_history.csv", "text/csv")
    rows = event.selection.rows if event is not None else []
    if not rows:
        st.caption(f"Select a row to restore or pin it. The last {HISTORY_LIMIT} runs are kept.")
        return
    # Oldest first, so a selected row keeps pointing at the same run as new runs arrive.
    run = history[rows[0]]
    if run["family"] != family.id:
        st.caption(f"Run {run['run']} belongs to the {run['page']} page; open it there.")
        return
    c1, c2 = st.columns(2)
    c1.button(
        f"Restore run {run['run']}",
        on_click=apply_setting,
        args=(family, run["setting"].link()),
        key="history_restore",
        icon=":material/restore:",
        help="Uploaded data stay as they are: restoring an upload run needs the same file.",
    )
    c2.button(
        f"Pin run {run['run']} as A",
        on_click=_pin,
        args=(pin_key, run["snapshot"]),
        key="history_pin",
        icon=":material/push_pin:",
    )


__all__ = ["history_section", "record_run", "reproduce_section"]
