"""The Tune tab: how hyperparameters are chosen, and how optimistic the chosen score is.

The controls set up a search (one or two hyperparameters, grid points, strategy, inner and
outer folds), all bound to the link; the search runs only on a click, with its estimate on
the button and a progress bar. Everything it shows comes from :mod:`core.search`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st
from joblib import effective_n_jobs

from core.codegen_search import search_script
from core.data.tables import Dataset
from core.fitting import FitError, FitResult, max_folds, split_data
from core.registry import get_family
from core.search import (
    STRATEGIES,
    SearchPlan,
    SearchResult,
    default_tune_param,
    make_plan,
    run_search,
    search_seconds,
    tunable_specs,
)
from core.search_figures import search_curve_figure, search_heatmap_figure
from core.search_specs import (
    NO_SECOND,
    TUNE_FOLDS,
    TUNE_ITER,
    TUNE_OUTER,
    TUNE_POINTS,
    TUNE_POINTS2,
    TUNE_STRATEGY,
)
from core.setting import Setting
from core.specs import ParamSpec
from core.text import escape_markdown, plural
from ui.data import DataChoice
from ui.tables import show_table
from ui.widgets import progress_bar, request_setting

#: Workers for the search's fits: every core (joblib's loky backend).
N_JOBS = -1
#: Session-state key of the searches the user ran (a link never runs one).
RUNS = "tune_runs"


@st.cache_data(max_entries=8, show_spinner=False)
def cached_search(key: Setting, plan: SearchPlan, _dataset: Dataset) -> SearchResult:
    """One search of :func:`core.search.run_search`, keyed by the setting it starts from
    (the searched values left out) and the plan; its progress bar replays on a hit."""
    bar, progress = progress_bar("Searching…", (plan.outer or 0) + 1)
    try:
        return run_search(
            get_family(key.family_id), key, _dataset, plan, n_jobs=N_JOBS, progress=progress
        )
    finally:
        bar.empty()


def _bounds(spec: ParamSpec, most: int | None = None) -> dict[str, Any]:
    """A whole-number box's bounds and start from its spec, the top lowered to ``most``."""
    high = int(spec.high) if most is None else max(int(spec.low), min(int(spec.high), most))
    return {
        "min_value": int(spec.low),
        "max_value": high,
        "value": min(int(spec.default), high),
        "step": 1,
        "help": spec.help,
    }


def _controls(
    family: Any, setting: Setting, fit: FitResult, dataset: Dataset
) -> tuple[list[str], list[int], str, int, int, int] | None:
    """The search's controls, each bound to its link key; ``None`` when nothing is tunable
    in this setting."""
    estimator_id = setting.estimator_id
    specs = tunable_specs(family, estimator_id, setting.values)
    if not specs:
        st.info(
            f"{family.get_estimator(estimator_id).label} has no hyperparameter a search can "
            "choose here: nothing to tune. Its parameters are still fitted by the optimiser "
            "on the training rows.",
            icon=":material/info:",
        )
        return None
    names = [s.name for s in specs]
    default = default_tune_param(family, estimator_id, setting.values)
    c1, c2 = st.columns(2)
    first = c1.selectbox(
        "Hyperparameter to tune",
        names,
        index=names.index(default) if default in names else 0,
        key="tune",
        bind="query-params",
        help="Its values are tried on validation folds of the training rows.",
    )
    seconds = [NO_SECOND, *(n for n in names if n != first)]
    second = c2.selectbox(
        "Second hyperparameter (optional)",
        seconds,
        index=0,
        key="tune2",
        bind="query-params",
        help="With a second, every pair of values is a candidate: a heatmap.",
    )
    chosen = [first] + ([second] if second != NO_SECOND else [])
    by_name = {s.name: s for s in specs}
    c1, c2, c3, c4, c5, c6 = st.columns(6)
    first_points = c1.number_input(
        TUNE_POINTS.label,
        disabled=by_name[first].kind == "choice",
        key="tune_points",
        bind="query-params",
        **_bounds(TUNE_POINTS),
    )
    points = [int(first_points)]
    if second != NO_SECOND:
        second_points = c2.number_input(
            TUNE_POINTS2.label,
            disabled=by_name[second].kind == "choice",
            key="tune_points2",
            bind="query-params",
            **_bounds(TUNE_POINTS2),
        )
        points.append(int(second_points))
    strategy = c3.selectbox(
        TUNE_STRATEGY.label,
        list(TUNE_STRATEGY.choices),
        key="tune_strategy",
        bind="query-params",
        help=TUNE_STRATEGY.help,
    )
    # Every fold needs rows of every class (stratified), in the outer and the inner split.
    most = max(2, max_folds(fit, dataset))
    inner = c4.number_input(
        TUNE_FOLDS.label, key="tune_folds", bind="query-params", **_bounds(TUNE_FOLDS, most)
    )
    outer = c5.number_input(
        TUNE_OUTER.label, key="tune_outer", bind="query-params", **_bounds(TUNE_OUTER, most)
    )
    n_iter = c6.number_input(
        TUNE_ITER.label,
        disabled=strategy != "random",
        key="tune_iter",
        bind="query-params",
        **_bounds(TUNE_ITER),
    )
    return chosen, points, strategy, int(inner), int(outer), int(n_iter)


def tune_section(family: Any, choice: DataChoice, setting: Setting, fit: FitResult) -> None:
    """The Tune tab: set up a search, run it on a click, read the three numbers and the
    outer folds' choices, and make the chosen values the page's setting."""
    st.caption(
        "Parameters are fitted on training rows by the optimiser; hyperparameters are chosen "
        "on validation folds by a search; the test rows judge once, at the end."
    )
    dataset = choice.dataset
    controls = _controls(family, setting, fit, dataset)
    if controls is None:
        return
    names, points, strategy, inner, outer, n_iter = controls
    # The search starts from the page's other values: the searched ones are left out of
    # its key, so making the chosen values current keeps the result on screen.
    start = setting
    for name in names:
        start = start.without(name)
    try:
        plan = make_plan(
            family,
            start,
            dataset,
            names,
            points + [2] * (len(names) - len(points)),
            strategy=strategy,
            inner=inner,
            outer=outer,
            n_iter=n_iter,
        )
    except (FitError, ValueError) as exc:
        st.warning(escape_markdown(str(exc)), icon=":material/tune:")
        return
    seconds = search_seconds(
        family, start, dataset, plan, fit_seconds=fit.fit_seconds, n_jobs=effective_n_jobs(N_JOBS)
    )
    runs = st.session_state.setdefault(RUNS, set())
    key = repr((start, plan))
    searches = outer + 1
    st.caption(
        f"{plural(plan.candidates, 'candidate')} × {inner} inner folds × ({outer} outer "
        f"+ 1) searches: about {plural(plan.candidates * inner * searches, 'fit')}"
        + (" at most (halving drops candidates as it goes)" if strategy == "halving" else "")
        + f", on {effective_n_jobs(N_JOBS)} cores (the first search also starts the workers: "
        "a few seconds more)."
    )
    if key not in runs:
        # In a slot, so the button goes as soon as the search it asked for runs.
        slot = st.empty()
        if not slot.button(
            f"Run the search (about {max(seconds, 1):.0f} s)",
            key="tune_run",
            icon=":material/play_arrow:",
            type="primary",
        ):
            return
        runs.add(key)
        slot.empty()
    try:
        result = cached_search(start, plan, dataset)
    except (FitError, ValueError) as exc:
        st.error(escape_markdown(str(exc)))
        return
    _result_view(family, choice, setting, start, fit, result)


def _surface_chart(specs: dict[str, ParamSpec], result: SearchResult) -> None:
    params = result.plan.params
    if len(params) == 1:
        figure = search_curve_figure(result, specs[params[0]])
        what = (
            "a curve: the mean inner-CV score of each value, the band ±1 sd over folds; "
            "the star marks the chosen value"
        )
    else:
        figure = search_heatmap_figure(result, specs[params[0]], specs[params[1]])
        what = (
            "a heatmap: each cell the mean inner-CV score of a pair, ± its sd over folds; "
            "the framed cell is the chosen pair"
        )
    st.plotly_chart(figure, key="tune_chart")
    tried = len(result.surface)
    st.caption(
        f"The score surface, {what}. "
        f"{plural(tried, 'candidate')} of {result.plan.size} in the grid were scored"
        + (
            " (halving shows each at its last round, on the most rows it reached)"
            if result.plan.strategy == "halving"
            else ""
        )
        + "."
    )


def _values_text(values: dict[str, Any], specs: dict[str, ParamSpec]) -> str:
    return ", ".join(f"{k} = {specs[k].format(v)}" for k, v in values.items())


def _three_numbers(result: SearchResult, n_train: int, n_test: int, chosen: str) -> None:
    score = result.score_name
    plan = result.plan
    c1, c2, c3 = st.columns(3)
    c1.metric("Best inner-CV score (optimistic)", f"{result.best_score:.4f}")
    c1.markdown(
        escape_markdown(
            f"The best of {plural(plan.candidates, 'candidate')}, {chosen}, averaged "
            f"{score} = {result.best_score:.4f} over {plan.inner} folds of the {n_train} "
            "training rows. The search picked it because it scored highest on these folds, "
            "so part of its lead is luck: it is optimistic."
        )
    )
    if plan.outer:
        scores = result.outer_scores[np.isfinite(result.outer_scores)]
        gap = result.best_score - result.nested
        c2.metric(
            "Nested-CV estimate (honest)", f"{result.nested:.4f}", f"{-gap:+.4f} vs best inner"
        )
        text = (
            f"The whole search, run again inside each of {plan.outer} outer folds and each "
            f"choice scored on rows that search never saw, gives {score} = "
            f"{result.nested:.4f}"
            + (f" (folds from {scores.min():.4f} to {scores.max():.4f})" if len(scores) else "")
            + f": what tuning, then fitting, is worth on new rows. The best inner score is "
            f"{abs(gap):.4f} {'above' if gap >= 0 else 'below'} it"
            + (": the optimism of picking the best." if gap > 0 else ".")
        )
        if gap == 0 and plan.inner == plan.outer:
            text += (
                " They are equal here because every outer fold chose the same values and the "
                "outer folds are the final search's inner folds (both plain "
                f"{plan.inner}-fold splits of the same rows); other fold counts separate them."
            )
        c2.markdown(escape_markdown(text))
    if np.isfinite(result.test_score):
        c3.metric("Test score (touched once)", f"{result.test_score:.4f}")
        c3.markdown(
            escape_markdown(
                f"The model refitted at {chosen} on all {n_train} training rows scores "
                f"{score} = {result.test_score:.4f} on the {n_test} test rows, which no "
                "choice saw. Read it once: choosing again after reading it would make it "
                "optimistic too."
            )
        )
    else:
        c3.metric("Test score (touched once)", "none")
        c3.caption("The test share is 0: no rows were held out, so there is no test score.")


def _result_view(
    family: Any,
    choice: DataChoice,
    setting: Setting,
    start: Setting,
    fit: FitResult,
    result: SearchResult,
) -> None:
    specs = {s.name: s for s in tunable_specs(family, setting.estimator_id)}
    split = split_data(choice.dataset, setting.test_size, setting.seed)
    n_train = len(split.train)
    n_test = 0 if split.test is None else len(split.test)
    chosen = _values_text(result.best, specs)
    _surface_chart(specs, result)
    _three_numbers(result, n_train, n_test, chosen)
    current = {k: setting.values.get(k) for k in result.best}
    is_current = all(current[k] == v for k, v in result.best.items())
    st.button(
        f"Use these values ({chosen})",
        key="tune_use",
        on_click=_use_values,
        args=(result.best,),
        icon=":material/star:",
        disabled=is_current,
        help="Make the chosen values the page's setting: the learned parameters redraw.",
    )
    if is_current:
        st.caption(f"The page uses the chosen values ({escape_markdown(chosen)}).")
    if result.plan.outer:
        st.markdown("**What each outer fold chose**")
        table = result.outer_choices.copy()
        for name in result.plan.params:
            table[name] = [
                "failed" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                for v in table[name]
            ]
        show_table(table, hide_index=True, key="tune_outer_table")
        st.markdown(escape_markdown(result.stability))
    for note in result.notes:
        st.info(escape_markdown(note), icon=":material/info:")
    if result.warnings:
        st.caption(
            escape_markdown(
                "scikit-learn warned during the search"
                + (
                    f" ({len(result.warnings)} kinds; the first)"
                    if len(result.warnings) > 1
                    else ""
                )
                + ": "
                + result.warnings[0]
            )
        )
    _script_download(family, choice, start, result)
    st.caption(
        f"{result.plan.strategy} search by scikit-learn's "
        + STRATEGIES[result.plan.strategy].__name__
        + f" over the page's pipeline ({plural(result.n_fits, 'fit')}), integer cv: KFold "
        "without shuffling, StratifiedKFold for classes. Nested cross-validation after Cawley "
        "and Talbot (2010), as in scikit-learn's example \"Nested versus non-nested "
        'cross-validation".'
    )


def _use_values(values: dict[str, Any]) -> None:
    for name, value in values.items():
        request_setting(name, value)


def _script_download(family: Any, choice: DataChoice, start: Setting, result: SearchResult) -> None:
    upload = choice.script_upload()
    try:
        script = search_script(family, start, result.plan, **upload)
    except ValueError as exc:
        st.caption(escape_markdown(f"No script for this search: {exc}"))
        return
    st.download_button(
        "Search script (Python)",
        script,
        f"{family.id}_{choice.dataset_id}_search.py",
        "text/x-python",
        key="tune_script",
        icon=":material/code:",
        help="Refits the page's model, runs this search and prints the same best values "
        "and three scores.",
    )
