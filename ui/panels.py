"""Result panels shared by the family pages. They place what core built; no computing here."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.compare import Snapshot, compare_coefficients, compare_metrics, compare_settings
from core.figures import (
    coefficient_bar_figure,
    coefficient_heatmap_figure,
    comparison_bar_figure,
    confusion_matrix_figure,
)
from core.fitting import FitResult
from core.interpretation import Sentence
from core.parameters import LinearParameters
from core.registry import FamilySpec
from ui.text import escape_markdown
from ui.widgets import apply_pending_settings, setting_table, spec_widget

UNITS = {
    "coef_per_sd": "per standard deviation (comparable across features)",
    "coef": "per unit of each feature (its own units)",
}


def hyperparameter_panel(family: FamilySpec) -> tuple[str, dict[str, Any]]:
    """Estimator choice and its hyperparameter widgets; returns the id and the values."""
    apply_pending_settings((family.estimator_spec, *family.hyperparameters))
    estimator_id = spec_widget(family.estimator_spec)
    chosen = family.get_estimator(estimator_id)
    st.caption(f"**{chosen.label}** (`{chosen.estimator.__name__}`): {chosen.summary}")
    specs = family.hyperparameters_for(estimator_id)
    values: dict[str, Any] = {}
    for spec in specs:
        choices = spec.allowed(values) if spec.allowed else None
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
    st.dataframe(setting_table(specs, values), hide_index=True)
    return estimator_id, values


def fit_messages(fit: FitResult) -> None:
    """Show what scikit-learn warned about during the fit."""
    for text in fit.warnings:
        st.warning(
            "scikit-learn warned while fitting: " + escape_markdown(text),
            icon=":material/warning:",
        )


def linear_parameters_panel(
    params: LinearParameters, table: pd.DataFrame, target: str, key: str = "units"
) -> None:
    """Count, intercept, coefficient table and bar chart of a linear model."""
    intercept = params.intercept[0]
    c1, c2 = st.columns(2)
    c1.metric("Learned parameters", params.n_parameters)
    c2.metric(
        "Intercept (raw units)",
        f"{intercept:.4g}",
        help="The prediction when every feature is 0, in the target's units."
        + ("" if params.fit_intercept else " Not learned: fit_intercept is off."),
    )
    shown = table.rename(
        columns={
            "coef": "per unit",
            "coef_per_sd": "per SD",
            "true_coef": "true (per unit)",
            "true_coef_per_sd": "true (per SD)",
        }
    )
    st.dataframe(
        shown.drop(columns=["zero"]).assign(zero=table["zero"].map({True: "exactly 0", False: ""})),
        hide_index=True,
        column_config={
            "per unit": st.column_config.NumberColumn(format="%.5g"),
            "per SD": st.column_config.NumberColumn(format="%.5g"),
            "true (per unit)": st.column_config.NumberColumn(format="%.5g"),
            "true (per SD)": st.column_config.NumberColumn(format="%.5g"),
        },
    )
    column = st.radio(
        "Chart units",
        list(UNITS),
        format_func=UNITS.get,
        horizontal=True,
        key=key,
    )
    st.plotly_chart(coefficient_bar_figure(table, column), key=f"{key}_chart")
    st.caption(
        f"Coefficients for predicting {escape_markdown(target)}; blue raises the prediction, "
        "red lowers it, grey is exactly zero."
        + (" Diamonds mark the true coefficients." if "true_coef" in table else "")
    )


def class_parameters_panel(
    params: LinearParameters, table: pd.DataFrame, key: str = "units"
) -> None:
    """Count, intercepts, per-class coefficients with odds ratios, and a chart."""
    c1, c2 = st.columns(2)
    c1.metric("Learned parameters", params.n_parameters)
    if len(params.outputs) == 1:
        c2.metric(
            f"Intercept (log-odds of {escape_markdown(params.outputs[0])})",
            f"{params.intercept[0]:.4g}",
            help="The log-odds of the positive class when every feature is 0.",
        )
    else:
        c2.metric("Classes", len(params.outputs), help="One row of coefficients per class.")
    st.dataframe(
        table.rename(
            columns={
                "output": "class",
                "coef": "per unit",
                "coef_per_sd": "per SD",
                "versus": "odds against",
                "odds_ratio": "odds ratio",
                "odds_ratio_per_sd": "odds ratio per SD",
            }
        ).assign(zero=table["zero"].map({True: "exactly 0", False: ""})),
        hide_index=True,
        column_config={
            name: st.column_config.NumberColumn(format="%.4g")
            for name in ("per unit", "per SD", "odds ratio", "odds ratio per SD")
        },
    )
    if len(params.outputs) > 1:
        st.dataframe(
            pd.DataFrame({"class": params.outputs, "intercept": params.intercept}),
            hide_index=True,
        )
    column = st.radio("Chart units", list(UNITS), format_func=UNITS.get, horizontal=True, key=key)
    if len(params.outputs) == 1:
        single = table.drop(columns=["output"])
        st.plotly_chart(coefficient_bar_figure(single, column), key=f"{key}_chart")
        st.caption(
            f"Blue raises the log-odds of {escape_markdown(params.outputs[0])}, red lowers "
            "them, grey is exactly zero."
        )
    else:
        st.plotly_chart(coefficient_heatmap_figure(table, column), key=f"{key}_chart")
        st.caption("One row per class: blue raises that class's score, red lowers it.")


def confusion_panel(matrix, classes: list[str], in_sample: bool) -> None:
    """The confusion matrix of the held-out rows (all rows when there are none)."""
    title = "Confusion matrix, all rows (in-sample)" if in_sample else "Confusion matrix, test rows"
    st.plotly_chart(confusion_matrix_figure(matrix, classes, title), key="confusion")


def metrics_panel(fit: FitResult) -> None:
    """Train and test metrics, saying when they are in-sample only."""
    shown = fit.metrics.copy()
    if fit.in_sample:
        shown = shown[["train"]].rename(columns={"train": "all rows (in-sample)"})
    st.dataframe(shown.style.format("{:.4g}"))
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


def compare_panel(state_key: str, current: Snapshot) -> None:
    """Pin the current setting as A; with A pinned, show A and B side by side."""
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
    settings = compare_settings(pinned, current)
    st.markdown("**Setting** (changed rows first)")
    st.dataframe(settings.sort_values("changed", ascending=False, kind="stable"), hide_index=True)
    left, right = st.columns(2)
    with left:
        st.markdown("**Coefficients per SD**")
        coefs = compare_coefficients(pinned, current, "coef_per_sd")
        st.dataframe(coefs.style.format("{:.4g}", subset=["A", "B", "B - A"]), hide_index=True)
        st.plotly_chart(comparison_bar_figure(coefs), key=f"{state_key}_chart")
    with right:
        st.markdown("**Raw-unit coefficients and intercept**")
        raw = compare_coefficients(pinned, current, "coef")
        st.dataframe(raw.style.format("{:.4g}", subset=["A", "B", "B - A"]), hide_index=True)
        st.markdown("**Metrics**")
        metrics = compare_metrics(pinned, current)
        st.dataframe(metrics.style.format("{:.4g}", subset=["A", "B", "B - A"]), hide_index=True)
