"""Views only nearest neighbours have: what the model stores instead of parameters, the
validation curve and decision regions over ``n_neighbors``, and the search algorithms'
speed (one row's neighbours and vote are in the shared Predict tab).

Everything is placed from :mod:`core.families.nearest_neighbors`. The refits (the curve and
the regions over k, through the one sweep engine) and the timing of every search are
estimated first by the family's cost model; work longer than
:data:`ui.widgets.LONG_WORK_SECONDS` shows its estimate and waits for a click
(:func:`ui.widgets.confirm_long_work`), and runs with a progress bar. Results are cached
here, keyed by the page's setting without the hyperparameter they do not depend on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core.data.tables import Dataset
from core.families.nearest_neighbors.figures import k_curve_figure, regions_figure
from core.families.nearest_neighbors.k_curve import (
    KCurve,
    curve_grid,
    curve_seconds,
    k_curve_plan,
    k_validation_curve,
)
from core.families.nearest_neighbors.regions import (
    NeighborRegions,
    informative_pair,
    neighbor_regions,
    regions_seconds,
)
from core.families.nearest_neighbors.speed import (
    REPEAT_SECONDS,
    algorithm_comparison,
    comparison_seconds,
)
from core.fitting import FitResult
from core.learned import LearnedParameters
from core.setting import Setting
from core.text import escape_markdown
from ui.family_page import PageFit
from ui.tables import show_table
from ui.widgets import confirm_long_work, progress_bar

NUMBER = st.column_config.NumberColumn(format="%.4g")
#: Values of k whose two-feature decision regions are drawn (with the current k).
REGION_KS = (1, 3, 5, 15, 50)
#: Extra ``leaf_size`` values offered to the speed comparison.
LEAF_SIZES = (1, 5, 10, 100, 300)


# --- cached work ---------------------------------------------------------------------------
@st.cache_data(max_entries=16, show_spinner=False)
def cached_k_curve(
    curve_key: Setting, ks: tuple[int, ...], cv: str | int, _fit: FitResult, _dataset: Dataset
) -> KCurve:
    """:func:`core.families.nearest_neighbors.k_curve.k_validation_curve` at fixed ``ks``;
    ``curve_key`` leaves ``n_neighbors`` out (every k is refitted)."""
    bar, progress = progress_bar("Cross-validating each k:", len(ks))
    curve = k_validation_curve(_fit, _dataset, curve_key, ks, cv=cv, progress=progress)
    bar.empty()
    return curve


@st.cache_data(max_entries=16, show_spinner=False)
def cached_regions(
    regions_key: Setting,
    features: tuple[str, str],
    ks: tuple[int, ...],
    _fit: FitResult,
    _dataset: Dataset,
) -> NeighborRegions:
    """:func:`core.families.nearest_neighbors.regions.neighbor_regions`; ``regions_key``
    leaves ``n_neighbors`` out."""
    bar, progress = progress_bar("Drawing the regions at each k:", len(ks))
    regions = neighbor_regions(_fit, _dataset, regions_key, features, ks, progress=progress)
    bar.empty()
    return regions


@st.cache_data(max_entries=16, show_spinner=False)
def cached_comparison(
    speed_key: Setting, leaf_sizes: tuple[int, ...], _fit: FitResult, _dataset: Dataset
) -> pd.DataFrame:
    """:func:`core.families.nearest_neighbors.speed.algorithm_comparison`; ``speed_key``
    leaves ``algorithm`` out (every algorithm is fitted)."""
    bar, progress = progress_bar("Timing each search:", 1)
    table = algorithm_comparison(_fit, _dataset, leaf_sizes=leaf_sizes, progress=progress)
    bar.empty()
    return table


# --- the learned-parameters panel --------------------------------------------------------
def neighbors_panel(page: PageFit, learned: LearnedParameters) -> None:
    """None learned: say so, and show what the model stores instead beside a parametric
    model's count on the same data."""
    stored, detail = learned.stored, learned.detail
    parametric = detail.parametric
    c1, c2 = st.columns(2)
    c1.metric(
        "Learned parameters",
        f"{learned.n_parameters:,}",
        help="Fitting estimates nothing: it stores the training rows.",
    )
    c2.metric(
        "Stored values instead",
        f"{stored.n_values:,}",
        help=f"{stored.n_rows:,} rows × {stored.n_features} features, as the model saw them.",
    )
    c1.metric(
        # Short enough for a quarter of a 1280 px page; the model is named in the help.
        "Would be learned",
        f"{parametric.count:,}",
        help=f"What {parametric.model} would learn on the same data: {parametric.formula}.",
    )
    c2.metric(
        "Memory of the stored data",
        f"{stored.n_bytes / 1024:,.1f} KiB",
        help="The stored rows and targets as the model holds them (a kd_tree or ball_tree "
        "index adds its own arrays).",
    )
    st.markdown(
        f"**Nothing is learned.** Fitting kept all {stored.n_rows:,} training rows × "
        f"{stored.n_features} features ({stored.n_values:,} numbers) and their targets, "
        "and every prediction searches them. A "
        f"{parametric.model} on the same data would learn {parametric.count:,} numbers "
        f"({parametric.formula}); the stored values grow with every row added."
    )
    scaled = "scale" in page.fit.pipeline.named_steps
    # Short cells, so the three columns fit half of a 1280 px page without scrolling sideways;
    # the caption below says how the rows are kept.
    rows = [
        {
            "held by the model": f"rows (_fit_X), {stored.n_rows:,} × {stored.n_features}",
            "numbers": stored.n_values,
            "kind": "data, stored",
        },
        {
            "held by the model": f"targets (_y), {stored.n_rows:,}",
            "numbers": stored.n_rows,
            "kind": "data, stored",
        },
        {"held by the model": "learned parameters", "numbers": 0, "kind": "learned"},
        {
            "held by the model": parametric.model,
            "numbers": parametric.count,
            "kind": "would be learned",
        },
    ]
    show_table(pd.DataFrame(rows), hide_index=True)
    st.caption(
        f"The training rows are stored {'standardised' if scaled else 'as they are'}; "
        f"{parametric.model} is there for comparison. "
        f"Search: {detail.search}; distance: {escape_markdown(detail.effective_metric)}. "
        "Everything else on this page (k, the weights, the distance) was set, not learned; "
        "n_samples_fit_ and effective_metric_ are bookkeeping."
    )


# --- K view ------------------------------------------------------------------------------
def k_view(page: PageFit, learned: LearnedParameters) -> None:
    """The validation curve over n_neighbors, then the decision regions on two features as k
    changes; each at once when quick, else after its estimate and a click."""
    _curve_part(page)
    st.divider()
    _regions_part(page)


def _curve_part(page: PageFit) -> None:
    fit, dataset = page.fit, page.choice.dataset
    st.markdown("**Validation curve over n_neighbors**")
    ks, cv = curve_grid(len(fit.split.train))
    curve_key = page.setting.without("n_neighbors")
    try:
        plan = k_curve_plan(fit, dataset, ks, cv)
    except ValueError as exc:
        st.info(escape_markdown(str(exc)), icon=":material/info:")
        return
    seconds = curve_seconds(fit, dataset, page.setting, plan)
    if not confirm_long_work(repr(("k_curve", curve_key, ks, cv)), seconds, "The curve over k"):
        st.caption(
            f"k is never learned: it is chosen by how well held-out rows are predicted. The "
            f"curve refits every k ({len(plan.ks)} values, {plan.label}), so it waits for a "
            "click."
        )
        return
    try:
        curve = cached_k_curve(curve_key, ks, cv, fit, dataset)
    except ValueError as exc:
        st.info(escape_markdown(str(exc)), icon=":material/info:")
        return
    current = int(page.values.get("n_neighbors", fit.model.n_neighbors))
    st.plotly_chart(
        k_curve_figure(curve, current), key="k_curve_chart", config={"displayModeBar": False}
    )
    best_row = curve.table.set_index("n_neighbors").loc[curve.best]
    st.caption(
        f"Training and {escape_markdown(curve.cv)} {curve.score} on the training rows, the "
        "pipeline refitted in every fold"
        + (" (scaling included)" if page.choice.scale else "")
        + "; the dotted line marks the "
        f"current k = {current}. The best validation {curve.score} is "
        f"{best_row['validation']:.3f} at k = {curve.best}. At k = 1 every training row is "
        "its own neighbour, so the training score says nothing."
    )
    if curve.warnings:
        st.caption(escape_markdown(f"scikit-learn warned: {curve.warnings[0]}"))
    if curve.best != current:
        from ui.sweep_panel import use_value_button  # plotly: when the view opens

        use_value_button(
            "n_neighbors",
            curve.best,
            key="k_use_best",
            label=f"Use the best n_neighbors = {curve.best}",
            icon=":material/star:",
        )


def _regions_part(page: PageFit) -> None:
    fit, dataset = page.fit, page.choice.dataset
    st.markdown("**Decision regions on two features as k changes**")
    features = list(dataset.X.columns)
    if len(features) < 2:
        st.info("Decision regions need at least two features.")
        return
    X_train, y_train = fit.split.train_rows(dataset)
    first, second = informative_pair(X_train, y_train, dataset.task)
    c1, c2 = st.columns(2)
    fx = c1.selectbox(
        "x axis", features, index=features.index(first), key="regions_x", bind="query-params"
    )
    fy = c2.selectbox(
        "y axis", features, index=features.index(second), key="regions_y", bind="query-params"
    )
    st.caption(
        "The axes open on the two features with the largest one-way ANOVA F statistic "
        "against the classes (scikit-learn's f_classif): each on its own separates them best."
        if dataset.task == "classification"
        else "The axes open on the two features whose own linear fit to the target is "
        "strongest (the largest F statistic, scikit-learn's f_regression)."
    )
    if fx == fy:
        st.info("Pick two different features.")
        return
    n = len(fit.split.train)
    current = int(fit.model.n_neighbors)
    ks = tuple(sorted({k for k in (*REGION_KS, current) if k <= n}))
    regions_key = page.setting.without("n_neighbors")
    seconds = regions_seconds(fit, dataset, page.setting, (fx, fy), ks)
    work = repr(("regions", regions_key, (fx, fy), ks))
    if not confirm_long_work(work, seconds, "The regions at each k"):
        return
    try:
        regions = cached_regions(regions_key, (fx, fy), ks, fit, dataset)
    except ValueError as exc:
        st.info(escape_markdown(str(exc)), icon=":material/info:")
        return
    shown = st.select_slider(
        "k shown",
        list(regions.ks),
        value=current if current in regions.ks else regions.ks[0],
        key=f"regions_k_{'_'.join(map(str, regions.ks))}",
    )
    index = regions.ks.index(shown)
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(
            regions_figure(regions, index), key="regions_chart", config={"displayModeBar": False}
        )
    with right:
        show_table(
            regions.scores.assign(
                current=np.where(regions.scores["n_neighbors"] == current, "● current", "")
            ),
            hide_index=True,
            column_config={"train": NUMBER, "test": NUMBER},
        )
        st.caption(
            f"A separate model on {escape_markdown(fx)} and {escape_markdown(fy)} alone, with "
            "the same rows and every other setting, refitted at each k: small k draws "
            "islands around single rows, large k smooths toward the majority"
            + (" or the mean." if regions.classes is None else ".")
        )


# --- Speed view --------------------------------------------------------------------------
def speed_view(page: PageFit, learned: LearnedParameters) -> None:
    """Every search algorithm (and some leaf sizes) timed, and checked to find the same
    neighbours as brute force."""
    fit, dataset = page.fit, page.choice.dataset
    st.caption(
        "algorithm and leaf_size decide how the stored rows are searched: brute force "
        "compares the query with every row; kd_tree and ball_tree build an index first, "
        "with leaf_size rows per bucket. They change speed and memory, never the answer "
        "(up to neighbours tied at the same distance, where row order decides)."
    )
    current = int(fit.model.leaf_size)
    extra = st.multiselect(
        "Also try leaf_size",
        [s for s in LEAF_SIZES if s != current],
        default=[s for s in (5, 100) if s != current],
        key="speed_leaf_sizes",
    )
    leaf_sizes = tuple(sorted(int(s) for s in extra))
    speed_key = page.setting.without("algorithm")
    seconds = comparison_seconds(fit, dataset, leaf_sizes=leaf_sizes)
    if not confirm_long_work(
        repr(("speed", speed_key, leaf_sizes)), seconds, "Timing every search"
    ):
        st.caption(
            "Each search is fitted and queried up to three times, single-threaded, on "
            f"{len(fit.split.train):,} stored rows."
        )
        return
    table = cached_comparison(speed_key, leaf_sizes, fit, dataset)
    query = "test" if not fit.in_sample else "training"
    show_table(
        table.drop(columns=["tied_rows"]),
        hide_index=True,
        column_config={
            "leaf_size": st.column_config.NumberColumn(format="%d"),
            "used": st.column_config.TextColumn(help="The search auto picked."),
            "fit_ms": st.column_config.NumberColumn("fit (ms)", format="%.3g"),
            "query_ms": st.column_config.NumberColumn(f"query {query} rows (ms)", format="%.3g"),
            "max_distance_difference": st.column_config.NumberColumn(
                "largest distance difference", format="%.2g"
            ),
            "differing_predictions": "predictions that differ",
            "differing_untied": "of them untied",
            "same_answer": "same answer",
        },
    )
    ties = int(table["tied_rows"].iloc[0]) if len(table) else 0
    small = bool(table["query_ms"].max() < 100) if len(table) else True
    if bool(table["same_answer"].all()):
        text = (
            f"Every search found the same neighbours as brute force for the {query} rows "
            f"(largest distance difference {table['max_distance_difference'].max():.2g})."
        )
        st.success(text, icon=":material/check_circle:")
    else:
        st.warning(
            "A search found different neighbours on rows without a tie: unexpected; the "
            "table shows where.",
            icon=":material/warning:",
        )
    st.caption(
        "Times are the fastest of three single-threaded runs (one for a search that takes "
        f"over {REPEAT_SECONDS:g} s), on {len(fit.split.train):,} stored rows"
        + ("; on data this small the differences are small too. " if small else ". ")
        + f"{ties} of the "
        f"{query} rows {'has its' if ties == 1 else 'have their'} k-th and (k+1)-th "
        "neighbours at the same distance, where which one counts depends on row order "
        "(predictions may then differ without any error)."
    )
