"""Views only the gradient-descent family has: the loss surface of a two-parameter model with
the optimiser's path (and a second setting B on the same surface), and the page's own SGD fit
replayed one ``partial_fit`` call per epoch.

Everything shown is built by :mod:`core.families.gradient_descent` and
:mod:`core.families.gradient_descent.figures`; this
module draws the knobs, caches the work by the page's key and the knobs' values, and places
the results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import streamlit as st

from core.data.tables import Dataset
from core.families.gradient_descent.convergence import ConvergenceCheck, convergence_check
from core.families.gradient_descent.family import class_table, ran_out_of_epochs
from core.families.gradient_descent.figures import (
    learning_rate_figure,
    loss_curve_figure,
    loss_surface_figure,
    parameter_steps_figure,
    sgd_objective_figure,
    sgd_trajectory_figure,
)
from core.families.gradient_descent.problem import DescentError
from core.families.gradient_descent.report import (
    DescentReport,
    descent_report,
    estimated_seconds,
    problem_from_values,
)
from core.families.gradient_descent.sgd_replay import (
    SGDTrajectory,
    replay_seconds,
    sgd_trajectory_for_fit,
)
from core.families.gradient_descent.view_specs import (
    GD_COMPARE,
    descent_settings,
    knob_table,
    settings_from_values,
    variant_specs,
)
from core.fitting import FitResult
from core.learned import LearnedParameters
from core.links import EPOCH_UNITS, data_link_problems, view_link_problems
from core.setting import Setting
from core.specs import ParamSpec
from core.text import escape_markdown
from ui.family_page import PageFit
from ui.linear.panels import class_parameters_panel, regression_panel
from ui.panels import interpretation_panel
from ui.tables import show_table
from ui.widgets import confirm_long_work, drop_link_values, preset_key, spec_widget, view_radio

#: Replays expected to take longer than this show a progress bar.
PROGRESS_SECONDS = 1.0


# --- cached work ---------------------------------------------------------------------------
def rows_key(key: Setting) -> Setting:
    """A fit's key without what leaves its training rows unchanged (the hyperparameters and
    the page's scaling): the two-parameter view depends only on the data and the split, and
    on the estimator (which fixes the task)."""
    return replace(key, hyperparameters=(), scale=False)


@st.cache_data(max_entries=16, show_spinner="Walking downhill…")
def cached_descent(
    key: Setting, values: tuple[tuple[str, Any], ...], _dataset: Dataset, _rows: np.ndarray
) -> DescentReport:
    """The two-parameter view for a page's training rows (``key``: :func:`rows_key`) and the
    view's ``gd_*`` values. Raises :class:`DescentError` for a feature with no optimum."""
    settings = dict(values)
    problem = problem_from_values(_dataset, settings, _rows)
    runs = [("A", settings_from_values(settings))]
    if settings.get(GD_COMPARE.name):
        runs.append(("B", settings_from_values(settings, "_b")))
    return descent_report(problem, runs)


@st.cache_data(max_entries=8, show_spinner="Replaying the fit epoch by epoch…")
def cached_replay(key: Setting, _fit: FitResult, _dataset: Dataset) -> SGDTrajectory:
    """The page's SGD fit replayed one ``partial_fit`` call per epoch, keyed by the fit."""
    if replay_seconds(_fit) <= PROGRESS_SECONDS:
        return sgd_trajectory_for_fit(_fit, _dataset)
    # Created inside the cached function, so a cache hit replays it (and its removal)
    # instead of referring to an element of an earlier run.
    bar = st.progress(0.0, text="Replaying the fit, one partial_fit call per epoch…")
    shown = [-1]

    def progress(done: int, total: int) -> None:
        percent = 100 * done // total
        if percent >= shown[0] + 5 or done == total:  # about twenty updates in all
            shown[0] = percent
            bar.progress(done / total, text=f"Epoch {done} of {total}…")

    trajectory = sgd_trajectory_for_fit(_fit, _dataset, progress=progress)
    bar.empty()
    return trajectory


@st.cache_data(max_entries=16, show_spinner="Checking what would let SGD finish…")
def cached_convergence_check(
    key: Setting, _fit: FitResult, _dataset: Dataset
) -> ConvergenceCheck | None:
    """What lets a fit that used all its epochs finish, from refits (keyed by the fit)."""
    return convergence_check(_fit, _dataset)


# --- the learned-parameters column -----------------------------------------------------------
def learned_panel(page: PageFit, learned: LearnedParameters) -> None:
    """SGD learns a linear model's parameters: the linear panels, one chart. A fit that
    used all its epochs first gets what would let it finish, checked by refitting."""
    if ran_out_of_epochs(page.fit):
        check = cached_convergence_check(page.setting, page.fit, page.choice.dataset)
        if check is not None:
            st.info(escape_markdown(check.sentence), icon=":material/lightbulb:")
    if page.choice.task == "regression":
        regression_panel(page, learned)
    else:
        params = learned.detail
        classes = tuple(str(c) for c in page.fit.model.classes_)
        class_parameters_panel(params, class_table(params, classes))
    st.caption(
        "How SGD walked to these numbers: **Descent** draws the walk of a two-parameter model "
        "on its loss surface; **Epochs** replays this fit one epoch at a time."
    )


# --- the two-parameter view --------------------------------------------------------------------
def _optimiser_widgets(specs: dict[str, ParamSpec], suffix: str = "") -> dict[str, Any]:
    """The optimiser's knobs in four columns (step size, momentum, batches, start); a
    schedule's own parameters appear only with that schedule, the seed only with batches."""
    values: dict[str, Any] = {}

    def widget(name: str) -> None:
        spec = specs[f"{name}{suffix}"]
        values[spec.name] = spec_widget(spec)

    step, momentum, batches, start = st.columns(4)
    with step:
        widget("gd_eta0")
        widget("gd_schedule")
        schedule = values[f"gd_schedule{suffix}"]
        if schedule == "invscaling":
            widget("gd_power_t")
        elif schedule == "step_decay":
            widget("gd_drop")
            widget("gd_every")
    with momentum:
        widget("gd_momentum")
        widget("gd_nesterov")
    with batches:
        widget("gd_batch_size")
        widget("gd_epochs")
        if values[f"gd_batch_size{suffix}"] != "full":
            widget("gd_seed")
    with start:
        widget("gd_slope0")
        widget("gd_intercept0")
    return values


def _copy_a_to_b(specs: Sequence[ParamSpec]) -> None:
    """Button callback (runs before the widgets): B's knobs take A's current values."""
    for spec in specs:
        if spec.name in st.session_state:
            preset_key(f"{spec.name}_b", st.session_state[spec.name])


def _drop_bad_link_values(specs: Sequence[ParamSpec]) -> None:
    """Before the view's widgets: drop a link's values they cannot take, with the link
    registry's sentence (the page frame checked the static keys already; the feature and
    class choices are known only here). Only values no widget holds yet are checked."""
    drop_link_values(view_link_problems(specs, st.query_params.to_dict(), st.session_state))


def _view_settings(dataset: Dataset) -> dict[str, Any] | None:
    """The view's knobs: data (feature, class, scaling), A's optimiser, and B's when
    compared. ``None`` after a message when the data offer no usable feature."""
    try:
        specs = descent_settings(dataset)
    except DescentError as exc:
        st.info(escape_markdown(str(exc)))
        return None
    by_name = {s.name: s for s in specs}
    data_specs = [s for s in specs if s.role == "data"]
    optimiser = [s for s in specs if s.role == "optimizer"]
    b_specs = {s.name: s for s in variant_specs(optimiser, "_b")}
    _drop_bad_link_values([*specs, GD_COMPARE, *b_specs.values()])
    values: dict[str, Any] = {}
    for spec, column in zip(data_specs, st.columns(len(data_specs)), strict=True):
        with column:
            values[spec.name] = spec_widget(spec)
    st.markdown("**The optimiser** (A)")
    values.update(_optimiser_widgets(by_name))
    values[GD_COMPARE.name] = spec_widget(GD_COMPARE)
    if values[GD_COMPARE.name]:
        with st.container(border=True):
            c1, c2 = st.columns([3, 1], vertical_alignment="center")
            c1.markdown("**Setting B**, drawn on the same surface in orange")
            c2.button(
                "Start B from A's values",
                key="gd_copy_a",
                on_click=_copy_a_to_b,
                args=(optimiser,),
                help="Copy every knob of A into B, then change one to see what it does.",
            )
            values.update(_optimiser_widgets(b_specs, "_b"))
    return values


def descent_view(page: PageFit, learned: LearnedParameters) -> None:
    """The loss surface of a one-feature model over (slope, intercept), the exact optimum,
    and the optimiser's path step by step, with A/B on the same surface."""
    st.caption(
        "With one feature a linear model has two parameters, a slope w and an intercept b, so "
        "its whole loss surface fits on one chart. Set the optimiser's knobs and watch it walk "
        f"from the start point toward the exact optimum (the star), on the page's "
        f"{len(page.fit.split.train)} training rows."
    )
    values = _view_settings(page.choice.dataset)
    if values is None:
        return
    settings = [settings_from_values(values)]
    if values[GD_COMPARE.name]:
        settings.append(settings_from_values(values, "_b"))
    rows = page.fit.split.train
    key = rows_key(page.setting)
    items = tuple(sorted(values.items()))
    log_loss = page.choice.task == "classification"
    seconds = estimated_seconds(len(rows), settings, log_loss)
    if not confirm_long_work(f"descent:{key}:{items}", seconds, "This walk"):
        return
    try:
        report = cached_descent(key, items, page.choice.dataset, rows)
    except DescentError as exc:
        st.error(escape_markdown(str(exc)), icon=":material/block:")
        return
    _descent_results(report)


def _descent_results(report: DescentReport) -> None:
    """The numbers, the surface with the paths, the sentences, and the per-step charts."""
    problem, opt = report.problem, report.optimum
    for note in problem.notes:
        st.caption(escape_markdown(note))
    st.caption(escape_markdown(problem.loss_definition))
    diagnostics = report.runs[0].diagnostics
    cells = st.columns(3 + len(report.runs))
    cells[0].metric(
        "Condition number",
        f"{diagnostics.condition_number:.3g}",
        help="Largest over smallest curvature of the loss: how much narrower the valley is "
        "across than along (1 is a round bowl)"
        + (", at the optimum (log loss)." if diagnostics.local else "."),
    )
    cells[1].metric(
        "Largest stable rate 2/λmax",
        f"{diagnostics.max_stable_eta:.4g}",
        help="Full-batch gradient descent without momentum diverges above this learning rate"
        + (" (near the optimum: the log loss's curvature changes)." if diagnostics.local else "."),
    )
    cells[2].metric(
        "Optimum w, b",
        f"{opt.slope:.4g}, {opt.intercept:.4g}",
        help=f"The exact minimum of the loss: {opt.method}. Loss there: {opt.loss:.6g}.",
    )
    for cell, run in zip(cells[3:], report.runs, strict=True):
        cell.metric(
            f"{run.label}: {run.verdict.kind}",
            f"{run.verdict.distance:.3g} away",
            help=f"Where {run.label} stopped, as a distance from the optimum in (w, b); its loss "
            f"is {run.verdict.loss_gap:.3g} above the optimum's.",
        )
    runs = report.labelled_paths
    chart, words = st.columns([3, 2], gap="medium")
    with chart:
        st.plotly_chart(loss_surface_figure(report.surface, runs, problem), key="gd_surface_chart")
        st.caption(
            "Colour: log10 of the loss above the optimum's, so the valley floor and its walls "
            "both show. Open circle: start; cross: where the run stopped; star: the exact "
            "optimum."
        )
        st.markdown("**Loss above the optimum, per update**")
        st.plotly_chart(loss_curve_figure(runs, opt), key="gd_loss_chart")
    with words:
        # The surface first (a narrow valley explains the path), then each run.
        interpretation_panel(list(report.sentences))
        for run in report.runs:
            interpretation_panel(list(run.sentences))
    params_col, rate_col = st.columns(2, gap="medium")
    with params_col:
        st.markdown("**Each parameter per update, approaching the optimum (dashed)**")
        st.plotly_chart(parameter_steps_figure(runs, opt), key="gd_params_chart")
    with rate_col:
        st.markdown("**Learning rate, per update**")
        rates = np.concatenate([path.learning_rate for _, path in runs])
        # A log axis only when the rate spans a decade: a constant rate reads better flat.
        spread = rates.size and rates.min() > 0 and rates.max() / rates.min() > 10
        st.plotly_chart(learning_rate_figure(runs, log=bool(spread)), key="gd_rate_chart")


# --- scikit-learn's SGD, epoch by epoch ----------------------------------------------------------
#: Chart units: the option shown (and written to the link) and core's name for it.
UNITS = {"per SD": "per_sd", "per unit": "raw", "as fitted": "fitted"}


def epochs_view(page: PageFit, learned: LearnedParameters) -> None:
    """The page's own fit replayed by real ``partial_fit`` calls, one per epoch, each
    coefficient heading for the closed-form optimum of the same objective."""
    fit, dataset = page.fit, page.choice.dataset
    seconds = replay_seconds(fit)
    if not confirm_long_work(f"replay:{page.setting}", seconds, "Replaying the fit epoch by epoch"):
        return
    try:
        trajectory = cached_replay(page.setting, fit, dataset)
    except DescentError as exc:
        st.error(escape_markdown(str(exc)), icon=":material/block:")
        return
    for text in trajectory.warnings:
        st.warning(
            "scikit-learn warned while replaying: " + escape_markdown(text),
            icon=":material/warning:",
        )
    if not len(trajectory.epochs):
        st.warning("SGD failed in its first epoch: there is no epoch to draw.")
        interpretation_panel(list(trajectory.sentences))
        return
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    with c1:
        units = view_radio(EPOCH_UNITS)
    output = 0
    if len(trajectory.outputs) > 1:
        bounds = {"outputs": list(trajectory.outputs)}
        query = st.query_params.to_dict()
        drop_link_values(data_link_problems(query, bounds, st.session_state))
        with c2:
            name = st.selectbox(
                "Class (one model against the rest each)",
                list(trajectory.outputs),
                key="epoch_class",
                bind="query-params",
            )
        output = trajectory.outputs.index(name)
    with c3:
        intercept = st.checkbox("Intercept too", key="epoch_intercept", bind="query-params")
    chart, objective = st.columns([3, 2], gap="medium")
    with chart:
        st.markdown("**Coefficients after each epoch; dashed: the exact optimum**")
        st.plotly_chart(
            sgd_trajectory_figure(
                trajectory, units=UNITS[units], output=output, intercept=intercept
            ),
            key="epoch_chart",
        )
    with objective:
        st.markdown("**What SGD minimises, above the optimum's value**")
        st.plotly_chart(sgd_objective_figure(trajectory), key="epoch_objective_chart")
    interpretation_panel(list(trajectory.sentences))
    table = trajectory.table(UNITS[units])
    last = table[table["epoch"] == table["epoch"].max()].drop(columns=["epoch"])
    last = last.assign(gap=last["value"] - last["reference"])
    if len(trajectory.outputs) == 1:
        last = last.drop(columns=["output"])
    st.markdown(f"**Epoch {int(trajectory.epochs[-1])} against the optimum ({units})**")
    show_table(
        last.rename(
            columns={"value": "last epoch", "reference": "optimum", "gap": "last − optimum"}
        ),
        hide_index=True,
        height=min(35 * len(last) + 38, 320),
        column_config={
            c: st.column_config.NumberColumn(format="%.5g")
            for c in ("last epoch", "optimum", "last − optimum")
        },
    )
    st.caption("Optimum: " + escape_markdown(trajectory.reference.label) + ".")
    st.markdown("**Which knob belongs to which optimiser**")
    show_table(knob_table(), hide_index=True)
    st.caption(
        "The page's fit and this replay are scikit-learn's SGD (one row per update, no "
        "momentum); the Descent tab's optimiser is written out for two parameters and adds "
        "momentum, Nesterov and batches."
    )
