"""Result panels shared by the family pages. They place what core built; no computing here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from core.compare import Snapshot, compare_metrics, compare_settings, compare_terms
from core.compare_figures import comparison_bar_figure
from core.data.tables import Task
from core.family import FamilySpec
from core.fitting import FitResult
from core.learned import LearnedParameters
from core.text import Sentence, escape_markdown
from ui.tables import show_table
from ui.widgets import apply_pending_settings, default_values_text, setting_table, spec_widget


def hyperparameter_panel(family: FamilySpec, task: Task) -> tuple[str, dict[str, Any]]:
    """Estimator choice (among those for the task) and its hyperparameter widgets; returns
    the id and the values."""
    estimator_spec = family.estimator_spec(task)
    apply_pending_settings((estimator_spec,))
    estimator_id = spec_widget(estimator_spec)
    chosen = family.get_estimator(estimator_id)
    apply_pending_settings(family.hyperparameters_for(estimator_id))
    st.caption(f"`{chosen.estimator.__name__}`: {chosen.summary}")
    specs = family.hyperparameters_for(estimator_id)
    values: dict[str, Any] = {}
    # Two columns: what shapes the model beside what only steers its search (the family
    # names it), so the split between the two kinds of knob is visible (and the page stays
    # short).
    model_col, optimizer_col = st.columns(2)
    model_col.caption("**Shape the model**")
    if any(s.role == "optimizer" for s in specs):
        optimizer_col.caption(f"**{family.steering}**")
    unused = []
    for spec in specs:
        if not spec.is_used(values):
            values[spec.name] = spec.initial  # not read by the estimator here: no widget
            unused.append(spec.name)
            continue
        choices = spec.allowed(values) if spec.allowed else None
        with optimizer_col if spec.role == "optimizer" else model_col:
            values[spec.name] = spec_widget(spec, choices=choices)
    if not specs:
        st.caption("This estimator has no hyperparameters here besides the data settings.")
    try:
        resolved = chosen.estimator_params(values)
    except ValueError:
        resolved = values  # the fit says what is wrong
    for name, value in values.items():
        if value == "auto" and resolved.get(name, value) != value:
            st.caption(f"{name} 'auto' chose **{resolved[name]}** for this setting.")
    read = tuple(s for s in specs if s.name not in unused)
    changed = setting_table(read, values)
    if len(changed):
        st.markdown("**Changed from scikit-learn's defaults**")
        show_table(changed, hide_index=True)
    # One line for the rest: the values at their defaults, then the ones this setting ignores.
    notes = [default_values_text(read, values)]
    if unused:
        them = "it" if len(unused) == 1 else "them"
        notes.append(f"Not shown: {', '.join(unused)} (this setting does not read {them}).")
    if line := " ".join(n for n in notes if n):
        st.caption(escape_markdown(line))
    return estimator_id, values


def fit_messages(fit: FitResult, family: FamilySpec) -> None:
    """Show what scikit-learn warned about during the fit: in the family's own sentences
    with the user's numbers when it has them, else scikit-learn's words."""
    if fit.warnings and family.explain_warnings is not None:
        for text in family.explain_warnings(fit):
            st.warning(escape_markdown(text), icon=":material/warning:")
        return
    for text in fit.warnings:
        st.warning(
            "scikit-learn warned while fitting: " + escape_markdown(text),
            icon=":material/warning:",
        )


def confusion_panel(matrix, classes: list[str], in_sample: bool) -> None:
    """The confusion matrix of the held-out rows (all rows when there are none), as a
    table: rows are the true classes, columns the predicted ones."""
    title = "all rows (in-sample)" if in_sample else "test rows"
    st.markdown(f"**Confusion matrix**, {title}: rows true class, columns predicted")
    frame = pd.DataFrame(matrix, index=classes, columns=classes)
    frame.index.name = "true"
    show_table(frame)


def metrics_panel(fit: FitResult) -> None:
    """Train and test metrics, saying when they are in-sample only."""
    shown = fit.metrics.copy()
    if fit.in_sample:
        shown = shown[["train"]].rename(columns={"train": "all rows (in-sample)"})
    show_table(shown.style.format("{:.4g}"))
    n_train = len(fit.split.train)
    if fit.in_sample:
        st.caption(
            f"Fitted on all {n_train} rows (test share 0): these metrics are in-sample and "
            "cannot show over-fitting."
        )
    else:
        st.caption(f"{n_train} training rows, {len(fit.split.test)} test rows.")


def interpretation_panel(sentences: list[Sentence]) -> None:
    """The generated sentences, warnings highlighted."""
    for sentence in sentences:
        text = escape_markdown(sentence.text)
        if sentence.level == "warning":
            st.warning(text, icon=":material/info:")
        else:
            st.markdown("- " + text)


def learned_summary_panel(learned: LearnedParameters) -> None:
    """Any family's learned parameters: the count, the groups with their shapes, and every
    value (the default panel; a family module may draw a richer one)."""
    c1, c2 = st.columns(2)
    c1.metric("Learned parameters", f"{learned.n_parameters:,}")
    if learned.stored is not None:
        c2.metric(
            "Stored values instead",
            f"{learned.stored.n_values:,}",
            help=f"{learned.stored.n_rows:,} rows × {learned.stored.n_features} features, "
            f"{learned.stored.n_bytes / 1024:,.0f} KiB.",
        )
        st.markdown(escape_markdown(learned.stored.description))
    if learned.groups:
        show_table(learned.shapes(), hide_index=True)
        table = learned.table()
        show_table(
            table.drop(columns=["learned"]),
            hide_index=True,
            height=min(35 * len(table) + 38, 300),
            column_config={
                c: st.column_config.NumberColumn(format="%.4g")
                for c in ("value", "value_per_sd", "value_fitted")
            },
        )
    for note in learned.notes:
        st.caption(escape_markdown(note))


def compare_panel(
    state_key: str, current: Snapshot, text: Callable[[str, Any], str] | None = None
) -> None:
    """Pin the current setting as A; with A pinned, show A and B side by side (values
    written by ``text(name, value)``, see :func:`core.compare.compare_settings`)."""
    pinned: Snapshot | None = st.session_state.get(state_key)
    c1, c2 = st.columns([1, 1])
    if c1.button("Pin this setting as A", icon=":material/push_pin:", key=f"{state_key}_pin"):
        st.session_state[state_key] = current
        pinned = current
    if pinned is not None and c2.button("Clear A", key=f"{state_key}_clear"):
        del st.session_state[state_key]
        pinned = None
    if pinned is None:
        st.caption(
            "Pin a setting, then change hyperparameters: A and the current setting B appear "
            "side by side with their differences."
        )
        return
    if pinned.data_key != current.data_key:
        st.warning(
            "A was fitted on different data (data set, options or target); the comparison "
            "mixes data as well as hyperparameters."
        )
    settings = compare_settings(pinned, current, text)
    st.markdown("**Setting** (changed rows first)")
    show_table(settings.sort_values("changed", ascending=False, kind="stable"), hide_index=True)
    left, right = st.columns(2)
    per_sd = compare_terms(pinned, current, "value_per_sd")
    raw = compare_terms(pinned, current, "value")
    with left:
        if len(per_sd):
            st.markdown("**Learned values per SD of their feature**")
            chart = per_sd
        else:
            st.markdown("**Learned values**")
            chart = raw
        if len(chart):
            st.plotly_chart(
                comparison_bar_figure(chart, "value_per_sd" if len(per_sd) else "value"),
                key=f"{state_key}_chart",
            )
        else:
            st.caption("Neither A nor B learned any parameters.")
    with right:
        st.markdown("**Metrics and counts**")
        metrics = compare_metrics(pinned, current)
        show_table(metrics.style.format("{:.4g}", subset=["A", "B", "B - A"]), hide_index=True)
        if len(raw):
            st.markdown("**Learned values, raw units**")
            show_table(
                raw.style.format("{:.4g}", subset=["A", "B", "B - A"]),
                hide_index=True,
                height=min(35 * len(raw) + 38, 300),
            )
