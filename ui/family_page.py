"""The frame every family page shares: data and setting on top, compare and share below.

A page calls :func:`fit_section`, places its own learned-parameter panels, interpretation
and views, then calls :func:`closing_sections`, so pages hold only what differs by family.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.compare import make_snapshot
from core.fitting import FitError, FitResult
from core.parameters import LinearParameters
from core.registry import FamilySpec
from ui.cache import cached_fit
from ui.data import DataChoice, data_section
from ui.inference_panel import inference_section
from ui.panels import compare_panel, fit_messages, hyperparameter_panel, metrics_panel
from ui.reproduce import (
    history_section,
    link_notes,
    record_run,
    reproduce_section,
    restore_pinned_from_link,
)
from ui.sweep_panel import sweep_section
from ui.text import escape_markdown


@dataclass(frozen=True, eq=False)
class PageFit:
    """The current setting of a page and its fit.

    ``key`` identifies the fit in every cache: family and estimator ids, hyperparameters,
    data key, target, scale, test share and seed.
    """

    family: FamilySpec
    choice: DataChoice
    estimator_id: str
    values: dict[str, Any]
    fit: FitResult
    key: tuple
    set_col: DeltaGenerator
    learned_col: DeltaGenerator

    @property
    def pin_key(self) -> str:
        """Session-state key of this page's pinned setting A."""
        return f"pinned_{self.family.id}"


def fit_section(family: FamilySpec) -> PageFit:
    """Title, data, the hyperparameter widgets and the fit, with its scores.

    Stops the page after a clear message when the data or the setting cannot be fitted;
    the widgets stay, so the user can change them.
    """
    st.title(family.title)
    st.caption(family.summary + f" Learned parameters: {family.learned}.")
    link_notes(family)
    st.subheader("Data", divider="gray")
    choice = data_section(family.task)
    if choice is None:
        st.stop()
    set_col, learned_col = st.columns(2, gap="large")
    with set_col:
        st.subheader("Hyperparameters you set", divider="blue")
        estimator_id, values = hyperparameter_panel(family)
    key = (
        family.id,
        estimator_id,
        tuple(sorted(values.items())),
        choice.data_key,
        choice.target,
        choice.scale,
        choice.test_size,
        choice.seed,
    )
    try:
        fit = cached_fit(*key, choice.dataset)
    except (FitError, ValueError) as exc:
        learned_col.error(escape_markdown(str(exc)))
        st.stop()
    restore_pinned_from_link(family, choice, f"pinned_{family.id}")
    with set_col:
        st.markdown("**Scores**")
        metrics_panel(fit)
    with learned_col:
        st.subheader("Parameters the model learned", divider="orange")
        fit_messages(fit)
    return PageFit(family, choice, estimator_id, values, fit, key, set_col, learned_col)


def views_sections(page: PageFit, params: LinearParameters) -> None:
    """How hyperparameters move the parameters, then inference and stability."""
    st.subheader("How the hyperparameters move the parameters", divider="gray")
    sweep_section(page.family, page.estimator_id, page.values, page.choice, page.key, page.fit)
    st.subheader("Inference and stability", divider="gray")
    inference_section(page.fit, params, page.choice, page.key, page.values)


def closing_sections(page: PageFit, params: LinearParameters) -> None:
    """Log the run, then compare, share and reproduce, and the run history."""
    choice = page.choice
    snapshot = make_snapshot(page.fit, params, choice.fitted_on, choice.setting)
    record_run(page.family, choice, page.estimator_id, page.values, page.fit, params, snapshot)
    st.subheader("Compare: pin A, change to B", divider="gray")
    compare_panel(page.pin_key, snapshot)
    st.subheader("Share and reproduce", divider="gray")
    reproduce_section(page.family, choice, page.estimator_id, page.values, page.fit, params)
    st.subheader("Run history", divider="gray")
    history_section(page.family, page.pin_key)
