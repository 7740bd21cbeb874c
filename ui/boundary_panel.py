"""The decision-boundary section of a classification page."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.boundary import boundary_lines
from core.figures import decision_boundary_figure
from core.fitting import FitError
from ui.cache import cached_boundary_sweep, cached_surface
from ui.data import DataChoice
from ui.text import escape_markdown

#: Values of C at which the boundary is drawn faintly, to show how C moves it.
C_LINES = (0.01, 0.1, 1.0, 10.0, 100.0)


def boundary_section(values: dict[str, Any], choice: DataChoice, fit_key: tuple) -> None:
    """Two feature pickers, then the two-feature model's probability surface and line(s).

    ``fit_key`` is the page fit's cache key without the data settings: family and
    estimator ids, hyperparameters, data key, target.
    """
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
        "own coefficients (raw units); dotted lines show the boundary at other values of C."
    )
    data = (choice.scale, choice.test_size, choice.seed, choice.dataset)
    try:
        surface = cached_surface(*fit_key, (fx, fy), *data)
    except (FitError, ValueError) as exc:
        st.error(escape_markdown(str(exc)))
        return
    others = []
    if len(surface.classes) == 2:
        # Lines at fixed values of C: their cache key leaves the current C out, so moving
        # C refits only the current boundary.
        sweep_key = (*fit_key[:2], tuple(kv for kv in fit_key[2] if kv[0] != "C"), *fit_key[3:])
        sweep = cached_boundary_sweep(*sweep_key, (fx, fy), "C", C_LINES, *data)
        others = [line for line in sweep if line[0] != f"C={values['C']:g}"]
    st.plotly_chart(decision_boundary_figure(surface, others), key="boundary")
    for label, w, b in boundary_lines(surface.params):
        st.caption(
            f"Boundary {escape_markdown(label)}: {w[0]:.4g}·{escape_markdown(fx)} "
            f"{w[1]:+.4g}·{escape_markdown(fy)} {b:+.4g} = 0"
        )
