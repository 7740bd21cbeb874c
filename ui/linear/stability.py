"""The inference and stability section: classical intervals, or the spread across resamples."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.fitting import FitResult, training_features
from core.linear.inference import InferenceError, inference_applies
from core.linear.inference_figures import coefficient_spread_figure
from core.linear.interpretation import CONDITION_WARN, VIF_WARN, condition_number, vif_table
from core.linear.resampling import resample_warning_note, terms_reader
from core.links import N_RESAMPLES, RESAMPLE_METHOD
from core.registry import get_family
from core.setting import Setting
from core.text import escape_markdown
from ui.cache import cached_warm_fit_seconds
from ui.data import DataChoice
from ui.linear.cache import cached_inference, cached_resamples
from ui.tables import show_table
from ui.widgets import confirm_long_work, spec_widget


def _collinearity(X: pd.DataFrame) -> None:
    vifs = vif_table(X)
    cond = condition_number(X)
    c1, c2 = st.columns([1, 2])
    c1.metric(
        "Condition number",
        "∞" if cond == float("inf") else f"{cond:.3g}",
        help="Of the standardised training features: sqrt(largest / smallest eigenvalue of "
        f"their correlation matrix). Above about {CONDITION_WARN:g} single coefficients are "
        "poorly determined.",
    )
    high = int((vifs["vif"] > VIF_WARN).sum())
    c1.metric("Features with VIF > 10", high)
    with c2:
        show_table(
            vifs.sort_values("vif", ascending=False),
            hide_index=True,
            column_config={"vif": st.column_config.NumberColumn("VIF", format="%.3g")},
            height=min(35 * len(vifs) + 38, 260),
        )
    st.caption(
        "When features move together the data cannot tell their separate effects apart: many "
        "combinations of their coefficients predict almost equally well, so each single "
        "coefficient (and its standard error) swings with small changes in the rows. The "
        "variance inflation factor says how many times larger a coefficient's variance is "
        "than it would be with uncorrelated features."
    )


def inference_section(fit: FitResult, choice: DataChoice, fit_key: Setting) -> None:
    """Classical standard errors when they apply; the spread across resamples otherwise.

    The spread reads the terms the family's ``resampled_terms`` names, off each refit and
    off ``fit`` itself.
    """
    applies, reason = inference_applies(fit, choice.dataset)
    if applies:
        try:
            result = cached_inference(fit_key, fit, choice.dataset)
        except InferenceError as exc:
            st.warning(escape_markdown(str(exc)), icon=":material/warning:")
            applies = False
        else:
            st.markdown(
                f"**Classical inference** (statsmodels {result.method}, {result.n_obs} training "
                f"rows, {result.level:.0%} intervals, raw units)"
            )
            shown = result.table.drop(columns=["coef_sklearn"], errors="ignore")
            show_table(
                shown,
                hide_index=True,
                column_config={
                    c: st.column_config.NumberColumn(format="%.4g")
                    for c in shown.columns
                    if c not in ("output", "term")
                },
            )
            if result.summary:
                st.caption(" · ".join(f"{k}: {v:.4g}" for k, v in result.summary.items()))
            for note in result.notes:
                st.caption(escape_markdown(note))
    if not applies:
        if reason:
            st.info(escape_markdown(reason), icon=":material/info:")
        st.markdown(
            "**Stability across resamples**: how far each coefficient moves when the model "
            "is refitted with the same hyperparameters on slightly different rows."
        )
        _resampled_spread(fit, choice, fit_key)
    st.markdown("**Collinearity**")
    _collinearity(training_features(fit, choice.dataset))


def _resampled_spread(fit: FitResult, choice: DataChoice, fit_key: Setting) -> None:
    read_terms = terms_reader(get_family(fit_key.family_id))
    if read_terms is None:
        return
    c1, c2 = st.columns(2)
    with c1:
        method = spec_widget(RESAMPLE_METHOD)
    with c2:
        n_resamples = spec_widget(N_RESAMPLES)
    work = repr((fit_key, method, n_resamples))

    def warm() -> float:
        return cached_warm_fit_seconds(fit_key, choice.dataset) * n_resamples

    if not confirm_long_work(
        work, fit.fit_seconds * n_resamples, f"{n_resamples} refits", recheck=warm
    ):
        return
    # The fit's own terms, read the way every refit's are, for the intervals' fitted column.
    fitted = read_terms(fit.pipeline, fit.feature_names, fit.target)
    try:
        samples, intervals = cached_resamples(fit_key, method, n_resamples, choice.dataset, fitted)
    except ValueError as exc:  # FitError too: a resample scikit-learn cannot fit
        st.warning(escape_markdown(f"The resampled fits failed: {exc}"), icon=":material/warning:")
        return
    note = resample_warning_note(samples)
    if note:
        st.warning(escape_markdown(note), icon=":material/warning:")
    outputs = list(dict.fromkeys(intervals["output"]))
    output = outputs[0]
    if len(outputs) > 1:
        output = st.selectbox("Class", outputs, key="spread_class")
    st.plotly_chart(
        coefficient_spread_figure(samples, intervals, output=output), key="spread_chart"
    )
    show_table(
        intervals[intervals["output"] == output],
        hide_index=True,
        column_config={
            **{
                c: st.column_config.NumberColumn(format="%.4g")
                for c in ("mean", "sd", "low", "high", "fitted")
            },
            # Words, not ids, in the headers; the data keep their names for the CSV.
            "feature_sd": st.column_config.NumberColumn("feature SD", format="%.4g"),
            "share_zero": st.column_config.NumberColumn("share at zero", format="%.3g"),
            "share_sign_flip": st.column_config.NumberColumn(
                "share with the other sign", format="%.3g"
            ),
        },
    )
    st.caption(
        "Intervals are the central 95% of the resampled coefficients (raw units). "
        "'Share with the other sign' is the share of resamples on the less common side of "
        "zero: a large share means even the sign is not settled by the data."
    )
