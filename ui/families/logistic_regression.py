"""The decision-boundary view of a linear classifier: a two-feature model's line drawn from its
own coefficients, beside the lines at other penalties (refits by the one sweep engine,
estimated before they run)."""

from __future__ import annotations

import streamlit as st

from core.fitting import FitError
from core.learned import LearnedParameters
from core.linear.boundary import boundary_lines, two_feature_dataset
from core.linear.figures import decision_boundary_figure
from core.sweeps import sweep_seconds
from core.text import escape_markdown
from ui.family_page import PageFit
from ui.linear.cache import cached_boundary_sweep, cached_surface
from ui.widgets import confirm_long_work

#: Penalty values at which the boundary is drawn dotted beside the current one.
PENALTY_LINES = (0.01, 0.1, 1.0, 10.0, 100.0)


def boundary_view(page: PageFit, learned: LearnedParameters) -> None:
    """Two feature pickers, then the two-feature model's probability surface and line(s),
    with the boundary at other values of the estimator's penalty."""
    choice, fit_key, values = page.choice, page.setting, page.values
    penalty = page.fit.estimator_spec.penalty
    features = list(choice.dataset.X.columns)
    if len(features) < 2:
        st.info("The decision boundary needs at least two features.")
        return
    c1, c2 = st.columns(2)
    fx = c1.selectbox("x axis", features, index=0, key="boundary_x", bind="query-params")
    fy = c2.selectbox("y axis", features, index=1, key="boundary_y", bind="query-params")
    if fx == fy:
        st.info("Pick two different features.")
        return
    st.caption(
        "A boundary can be drawn only in two dimensions, so this is a separate model fitted "
        f"on {escape_markdown(fx)} and {escape_markdown(fy)} alone, with the same "
        "hyperparameters and rows. The black line is w1·x + w2·y + b = 0 from that model's "
        f"own coefficients (raw units); the dotted lines, darker as {penalty} grows, are the "
        f"boundary at other values of {penalty}, each labelled on the chart."
    )
    try:
        surface = cached_surface(fit_key, (fx, fy), choice.dataset)
    except (FitError, ValueError) as exc:
        st.error(escape_markdown(str(exc)))
        return
    others = []
    if len(surface.classes) == 2 and penalty is not None:
        # Lines at fixed penalties: their cache key leaves the current value out, so moving
        # it refits only the current boundary. Each refit costs about what the two-feature
        # fit just did; the engine's estimate decides whether they wait for a click.
        key = fit_key.without(penalty)
        seconds = sweep_seconds(
            page.family,
            fit_key,
            two_feature_dataset(choice.dataset, (fx, fy)),
            penalty,
            PENALTY_LINES,
            fit_seconds=surface.fit.fit_seconds,
        )
        what = f"The boundary at {len(PENALTY_LINES)} other values of {penalty}"
        if confirm_long_work(repr(("boundary", key, (fx, fy))), seconds, what):
            lines = cached_boundary_sweep(
                key, (fx, fy), penalty, PENALTY_LINES, fit_key, choice.dataset
            )
            others = [line for line in lines if line[0] != f"{penalty}={values[penalty]:g}"]
    st.plotly_chart(decision_boundary_figure(surface, others), key="boundary")
    for label, w, b in boundary_lines(surface.params):
        st.caption(
            f"Boundary {escape_markdown(label)}: {w[0]:.4g}·{escape_markdown(fx)} "
            f"{w[1]:+.4g}·{escape_markdown(fy)} {b:+.4g} = 0"
        )
