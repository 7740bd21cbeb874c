"""The frame every family page shares: data, *set* beside *learned*, the interpretation, and
the deeper views as tabs that run only when opened.

A page is one call: :func:`family_page` with the family's spec, optionally its own learned-
parameters panel and its own views (``ui/<family>.py``). Everything else here asks what the
family can do (a coefficient path, classical inference, resampling), never which it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.compare import Snapshot, make_snapshot
from core.family import FamilySpec
from core.fitting import FitError, FitResult, FitTooSlow
from core.learned import LearnedParameters
from core.links import setting_specs, tune_bounds
from core.search import tunable_specs
from core.setting import Setting
from core.text import escape_markdown
from ui.cache import cached_fit
from ui.data import DataChoice, data_section
from ui.panels import (
    compare_panel,
    fit_messages,
    hyperparameter_panel,
    interpretation_panel,
    learned_summary_panel,
    metrics_panel,
)
from ui.reproduce import (
    data_link_notes,
    history_section,
    link_notes,
    record_run,
    reproduce_section,
    restore_pinned_from_link,
)
from ui.widgets import LONG_WORK_SECONDS


@dataclass(frozen=True, eq=False)
class PageFit:
    """The current setting of a page and its fit; ``setting`` identifies the fit in every
    cache."""

    family: FamilySpec
    choice: DataChoice
    setting: Setting
    fit: FitResult
    set_col: DeltaGenerator
    learned_col: DeltaGenerator

    @property
    def estimator_id(self) -> str:
        """The fitted estimator's id."""
        return self.setting.estimator_id

    @property
    def values(self) -> dict[str, Any]:
        """The page's hyperparameter values."""
        return self.setting.values

    @cached_property
    def learned(self) -> LearnedParameters:
        """The fit's learned parameters, in the family's terms."""
        return self.family.extract(self.fit)

    @cached_property
    def snapshot(self) -> Snapshot:
        """What a comparison keeps of this fit; built at most once per run, and only when
        asked (the compare tab, or a new entry in the run history)."""
        return make_snapshot(self.fit, self.learned, self.setting)

    @property
    def pin_key(self) -> str:
        """Session-state key of this page's pinned setting A."""
        return f"pinned_{self.family.id}"


#: A view draws into the current container from the page's fit and learned parameters.
ViewBody = Callable[[PageFit, LearnedParameters], None]


@dataclass(frozen=True)
class View:
    """One tab of a family page.

    ``label`` is also the ``view`` value in the page's link, so keep it short and stable;
    ``help`` says in a few words what the tab holds (the line above the tabs).
    """

    label: str
    body: ViewBody
    help: str = ""


#: The query key that holds the open tab.
VIEW_KEY = "view"


def fit_section(family: FamilySpec) -> PageFit:
    """Title, data, the hyperparameter widgets and the fit, with its scores.

    Stops the page after a clear message when the data or the setting cannot be fitted;
    the widgets stay, so the user can change them.
    """
    st.title(family.title)
    st.caption(family.summary + f" Learned parameters: {family.learned}.")
    link_notes(family)
    choice = data_section(family)
    if choice is None:
        st.stop()
    set_col, learned_col = st.columns(2, gap="large")
    with set_col:
        st.subheader("Hyperparameters you set", divider="blue")
        estimator_id, values = hyperparameter_panel(family, choice.task)
    setting = choice.setting_for(family.id, estimator_id, values)
    confirmed = st.session_state.setdefault("confirmed_work", set())
    budget = None if repr(setting) in confirmed else LONG_WORK_SECONDS
    try:
        fit = cached_fit(setting, choice.dataset, budget)
    except FitTooSlow as exc:
        # A link or a setting file can ask for minutes of solver work: ask first.
        with learned_col:
            st.info(escape_markdown(str(exc)), icon=":material/hourglass_top:")
            if st.button(f"Fit it anyway (about {exc.seconds:.0f} s)", key="fit_anyway"):
                confirmed.add(repr(setting))
                st.rerun()
        st.stop()
    except (FitError, ValueError) as exc:
        learned_col.error(escape_markdown(str(exc)))
        st.stop()
    restore_pinned_from_link(family, choice, f"pinned_{family.id}")
    with set_col:
        st.markdown("**Scores**")
        metrics_panel(fit)
    with learned_col:
        st.subheader("Parameters the model learned", divider="orange")
        # Warnings that make the parameters meaningless sit right beside them.
        fit_messages(fit, family)
    return PageFit(family, choice, setting, fit, set_col, learned_col)


def _sweeps_view(page: PageFit, learned: LearnedParameters) -> None:
    from ui.sweep_panel import sweep_section  # imported when the tab opens: plotly-heavy

    sweep_section(page.family, page.choice, page.setting, page.fit)


def _tune_view(page: PageFit, learned: LearnedParameters) -> None:
    from ui.tune_panel import tune_section  # imported when the tab opens: plotly-heavy

    tune_section(page.family, page.choice, page.setting, page.fit)


def _predict_view(page: PageFit, learned: LearnedParameters) -> None:
    from ui.predict_panel import predict_view  # imported when the tab opens

    predict_view(page, learned)


def _stability_view(page: PageFit, learned: LearnedParameters) -> None:
    from ui.linear.stability import inference_section

    inference_section(page.fit, page.choice, page.setting)


def _compare_view(page: PageFit, learned: LearnedParameters) -> None:
    compare_panel(page.pin_key, page.snapshot, setting_text(page.family))
    if st.session_state.get(page.pin_key) is not None:
        # Imported only with A pinned: it brings plotly, which a fresh page does without.
        from ui.predict_panel import compare_row_view

        compare_row_view(page)


def setting_text(family: FamilySpec) -> Callable[[str, Any], str]:
    """How a setting's value reads in a table: a choice by its label ("Ridge (L2)"), other
    values as the link writes them (``true``, ``0.5``, ``inf``), by the family's specs."""
    specs = {s.name: s for s in setting_specs(family)}

    def text(name: str, value: Any) -> str:
        spec = specs.get(name)
        if spec is None:
            return str(value)
        try:
            return spec.label_for(value) if spec.kind == "choice" else spec.format(value)
        except (TypeError, ValueError):
            return str(value)

    return text


def _reproduce_view(page: PageFit, learned: LearnedParameters) -> None:
    reproduce_section(page.family, page.choice, page.setting, page.fit, learned)


def _history_view(page: PageFit, learned: LearnedParameters) -> None:
    history_section(page.family, page.pin_key)


def shared_views(family: FamilySpec, own: Sequence[View]) -> list[View]:
    """The tabs of a family page: compare first (light, so a fresh page draws fast), then
    the sweeps, the search that chooses hyperparameters (Tune), one row through the model
    (Predict), the family's own views, stability when the family's terms can be resampled,
    then share and history."""
    views = [
        View("Compare", _compare_view, "pin A and compare"),
        View("Sweeps", _sweeps_view, "parameters and scores along any hyperparameter"),
        View("Tune", _tune_view, "how hyperparameters are chosen, and the honest score"),
        View("Predict", _predict_view, "one row through the learned parameters, with what-if"),
        *own,
    ]
    if family.resampled_terms is not None:
        views.append(View("Stability", _stability_view, "inference and resampling"))
    views += [
        View("Reproduce", _reproduce_view, "link, code, downloads"),
        View("History", _history_view, "every fit this session"),
    ]
    return views


def family_page(
    family: FamilySpec,
    *,
    learned_panel: ViewBody | None = None,
    views: Sequence[View] = (),
) -> PageFit:
    """Draw a whole family page.

    Parameters
    ----------
    family : FamilySpec
        The family.
    learned_panel : callable, optional
        ``learned_panel(page, learned)`` draws the learned parameters in their column
        (count, table, one chart); the default lists every group and value.
    views : sequence of View
        The family's own tabs (a network diagram, a tree drawing...), placed after the
        sweeps. Each runs only while its tab is open.
    """
    page = fit_section(family)
    learned = page.learned
    record_run(family, page.choice, page.setting, page.fit, learned, lambda: page.snapshot)
    with page.learned_col:
        (learned_panel or _default_panel)(page, learned)

    st.subheader("Interpretation", divider="gray")
    interpretation_panel(family.interpret(page.fit, page.choice.dataset, learned))

    tabs = shared_views(family, views)
    # The link's second check: values bounded by the data (a column, a row set) or the tabs.
    split = page.fit.split
    data_link_notes(
        {
            "columns": list(page.choice.dataset.X.columns),
            "tabs": [v.label for v in tabs],
            "row sets": ["training", "test"] if split.test is not None else ["training"],
            **tune_bounds([s.name for s in tunable_specs(family, page.estimator_id, page.values)]),
        }
    )
    st.caption(" · ".join(f"**{v.label}**: {v.help}" for v in tabs if v.help))
    containers = st.tabs([v.label for v in tabs], key=VIEW_KEY, bind="query-params")
    for view, container in zip(tabs, containers, strict=True):
        # Only the open tab's body runs: the others cost nothing until clicked.
        if container.open:
            with container:
                view.body(page, learned)
    return page


def _default_panel(page: PageFit, learned: LearnedParameters) -> None:
    learned_summary_panel(learned)
