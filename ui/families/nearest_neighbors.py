"""Views only nearest neighbours have: what the model stores instead of parameters, one row's
neighbours and vote, the validation curve and decision regions over ``n_neighbors``, and
the search algorithms' speed.

Everything is placed from :mod:`core.families.nearest_neighbors.stored`. The slow work (a
leave-one-out curve, the
timing of every search) runs on a click and is cached here, keyed by the page's fit key
without the hyperparameter it does not depend on.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from core.data.tables import Dataset
from core.families.nearest_neighbors.figures import k_curve_figure, regions_figure
from core.families.nearest_neighbors.k_curve import (
    CURVE_POINTS,
    KFOLD,
    LOO_POINTS,
    KCurve,
    choose_cv,
    default_ks,
    k_validation_curve,
)
from core.families.nearest_neighbors.regions import NeighborRegions, neighbor_regions
from core.families.nearest_neighbors.speed import algorithm_comparison
from core.families.nearest_neighbors.stored import neighbor_vote
from core.fitting import FitResult
from core.learned import LearnedParameters
from core.setting import Setting
from core.text import escape_markdown, format_number
from ui.family_page import PageFit
from ui.rows import pick_row
from ui.widgets import request_setting

NUMBER = st.column_config.NumberColumn(format="%.4g")
#: Values of k whose two-feature decision regions are drawn (with the current k).
REGION_KS = (1, 3, 5, 15, 50)
#: Extra ``leaf_size`` values offered to the speed comparison.
LEAF_SIZES = (1, 5, 10, 100, 300)


# --- cached work -------------------------------------------------------------------------
@st.cache_data(max_entries=16, show_spinner="Cross-validating every k…")
def cached_k_curve(
    curve_key: Setting, ks: tuple[int, ...], cv: str | int, _fit: FitResult, _dataset: Dataset
) -> KCurve:
    """:func:`core.families.nearest_neighbors.k_curve.k_validation_curve` at fixed ``ks``;
    ``curve_key`` leaves
    ``n_neighbors`` out (every k is refitted)."""
    return k_validation_curve(_fit, _dataset, ks, cv=cv)


@st.cache_data(max_entries=16, show_spinner="Drawing the regions at each k…")
def cached_regions(
    regions_key: Setting,
    features: tuple[str, str],
    ks: tuple[int, ...],
    _fit: FitResult,
    _dataset: Dataset,
) -> NeighborRegions:
    """:func:`core.families.nearest_neighbors.regions.neighbor_regions`; ``regions_key`` leaves
    ``n_neighbors`` out."""
    return neighbor_regions(_fit, _dataset, features, ks)


@st.cache_data(max_entries=16, show_spinner="Timing every search…")
def cached_comparison(
    speed_key: Setting, leaf_sizes: tuple[int, ...], _fit: FitResult, _dataset: Dataset
) -> pd.DataFrame:
    """:func:`core.families.nearest_neighbors.speed.algorithm_comparison`; ``speed_key`` leaves
    ``algorithm`` out
    (every algorithm is fitted)."""
    return algorithm_comparison(_fit, _dataset, leaf_sizes=leaf_sizes)


def _on_click(work: str, label: str, key: str, help: str | None = None) -> bool:
    """Whether to run ``work``: once its button has been pressed in this session (so the
    result is shown again when the tab is reopened)."""
    done = st.session_state.setdefault("knn_work_done", set())
    if work in done:
        return True
    slot = st.empty()
    if slot.button(label, key=key, help=help, icon=":material/play_arrow:"):
        slot.empty()  # the result replaces the button
        done.add(work)
        return True
    return False


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
        f"{parametric.model} would learn",
        f"{parametric.count:,}",
        help=f"{parametric.formula}.",
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
    rows = [
        {
            "held by the fitted model": f"training rows (_fit_X), {stored.n_rows:,} × "
            f"{stored.n_features}" + (", standardised" if scaled else ""),
            "numbers": stored.n_values,
            "kind": "data, stored",
        },
        {
            "held by the fitted model": f"their targets (_y), {stored.n_rows:,}",
            "numbers": stored.n_rows,
            "kind": "data, stored",
        },
        {"held by the fitted model": "learned parameters", "numbers": 0, "kind": "learned"},
        {
            "held by the fitted model": f"for comparison: {parametric.model}",
            "numbers": parametric.count,
            "kind": "would be learned",
        },
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    st.caption(
        f"Search: {detail.search}; distance: {escape_markdown(detail.effective_metric)}. "
        "Everything else on this page (k, the weights, the distance) was set, not learned; "
        "n_samples_fit_ and effective_metric_ are bookkeeping."
    )


# --- Neighbours view ---------------------------------------------------------------------
def neighbours_view(page: PageFit, learned: LearnedParameters) -> None:
    """One row's nearest stored rows, their distances and their votes."""
    fit, dataset = page.fit, page.choice.dataset
    position = pick_row(page)
    if position is None:
        return
    vote = neighbor_vote(fit, dataset, position)
    k = int(fit.model.n_neighbors)
    c1, c2, c3 = st.columns(3)
    c1.metric("Neighbours", k, help="n_neighbors: set by you.")
    c2.metric("Prediction", _value_text(vote.prediction))
    c3.metric("Actual", _value_text(dataset.y.iloc[position]), help="The row's target.")
    label = escape_markdown(dataset.X.index[position])
    text = f"Row {position} of the data set (label {label})"
    if vote.is_training_row:
        text += (
            " is a training row, so the model stored it: it is its own nearest neighbour, "
            "at distance 0"
            + (
                ", and with weights = distance it decides alone."
                if fit.model.weights == "distance"
                else "."
            )
        )
    else:
        text += " is a test row: the model never saw it."
    scaled = "scale" in fit.pipeline.named_steps
    text += " Distances are measured as the model sees the rows" + (
        " (standardised features)." if scaled else " (features in their own units)."
    )
    st.caption(text)
    left, right = st.columns([3, 2])
    with left:
        st.markdown(f"**The {k} nearest stored rows**")
        st.dataframe(
            vote.neighbors,
            hide_index=True,
            column_config={
                "rank": st.column_config.NumberColumn(help="1 is the nearest."),
                "train_index": st.column_config.NumberColumn(
                    help="Position among the stored training rows (kneighbors' index)."
                ),
                "row": st.column_config.NumberColumn(help="Position in the data set."),
                "distance": NUMBER,
                "weight": st.column_config.NumberColumn(
                    format="%.4g", help="Its say in the vote: 1, or 1 / distance."
                ),
            },
        )
    with right:
        if vote.votes is not None:
            st.markdown("**The vote**")
            st.dataframe(
                vote.votes.assign(**{"class": vote.votes["class"].astype(str)}),
                hide_index=True,
                column_config={
                    "weight": NUMBER,
                    "share": st.column_config.ProgressColumn(
                        format="%.2f", min_value=0.0, max_value=1.0
                    ),
                },
            )
            st.caption(
                f"The class with the largest summed weight wins: "
                f"{escape_markdown(vote.prediction)}. Ties go to the first class in the "
                "model's order."
            )
        else:
            st.markdown("**The average**")
            st.caption(
                f"The prediction is the {'weighted ' if fit.model.weights == 'distance' else ''}"
                f"mean of the {k} neighbours' targets: {format_number(vote.prediction)}."
            )
    with st.expander("Their features, in the features' own units"):
        rows = [position, *vote.neighbors["row"].tolist()]
        features = dataset.X.iloc[rows].reset_index(drop=True)
        features.insert(0, "", ["this row", *[f"#{r}" for r in vote.neighbors["rank"]]])
        st.dataframe(features, hide_index=True)


def _value_text(value: object) -> str:
    """A metric's value: a number shortened, a class label escaped (metric values are
    Markdown, and labels come from users' files)."""
    if isinstance(value, (float, np.floating)):
        return format_number(float(value))
    return escape_markdown(value)


# --- K view ------------------------------------------------------------------------------
def curve_plan(n_train: int) -> tuple[tuple[int, ...], str | int]:
    """The values of k and the cross-validation of the curve for ``n_train`` training rows.

    Leave-one-out at :data:`core.families.nearest_neighbors.k_curve.LOO_POINTS` values of k where
    :func:`core.families.nearest_neighbors.k_curve.choose_cv` allows it, else
    :data:`core.families.nearest_neighbors.k_curve.KFOLD` folds at
    :data:`core.families.nearest_neighbors.k_curve.CURVE_POINTS` values (values larger than a
    training fold are
    dropped by the curve). Fixed by the data alone, so the curve's cache key leaves the
    current k out and moving k redraws from the cache.
    """
    loo_ks = default_ks(n_train - 1, None, LOO_POINTS)
    if choose_cv(n_train, len(loo_ks)) == "loo":
        return tuple(loo_ks), "loo"
    fold_rows = n_train - math.ceil(n_train / KFOLD)
    return tuple(default_ks(fold_rows, None, CURVE_POINTS)), KFOLD


def k_view(page: PageFit, learned: LearnedParameters) -> None:
    """The validation curve over n_neighbors (on a click), then the decision regions on two
    features as k changes."""
    _curve_part(page)
    st.divider()
    _regions_part(page)


def _curve_part(page: PageFit) -> None:
    fit, dataset = page.fit, page.choice.dataset
    st.markdown("**Validation curve over n_neighbors**")
    n = len(fit.split.train)
    ks, cv = curve_plan(n)
    how = f"leave-one-out, {n} × {len(ks)} fits" if cv == "loo" else f"{cv}-fold, {len(ks)} k"
    curve_key = page.setting.without("n_neighbors")
    work = repr(("k_curve", curve_key, ks, cv))
    if not _on_click(
        work,
        f"Compute the curve ({how})",
        "k_curve_run",
        help="Refits the whole pipeline in every fold: it takes a few seconds.",
    ):
        st.caption(
            "k is never learned: it is chosen by how well held-out rows are predicted. "
            "The curve cross-validates the training rows at several k; it takes seconds, "
            "so it waits for a click."
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
        st.button(
            f"Use the best n_neighbors = {curve.best}",
            key="k_use_best",
            on_click=request_setting,
            args=("n_neighbors", curve.best),
            icon=":material/star:",
        )


def _regions_part(page: PageFit) -> None:
    fit, dataset = page.fit, page.choice.dataset
    st.markdown("**Decision regions on two features as k changes**")
    features = list(dataset.X.columns)
    if len(features) < 2:
        st.info("Decision regions need at least two features.")
        return
    c1, c2 = st.columns(2)
    fx = c1.selectbox("x axis", features, index=0, key="regions_x", bind="query-params")
    fy = c2.selectbox("y axis", features, index=1, key="regions_y", bind="query-params")
    if fx == fy:
        st.info("Pick two different features.")
        return
    n = len(fit.split.train)
    current = int(fit.model.n_neighbors)
    ks = tuple(sorted({k for k in (*REGION_KS, current) if k <= n}))
    try:
        regions = cached_regions(page.setting.without("n_neighbors"), (fx, fy), ks, fit, dataset)
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
        st.dataframe(
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
    work = repr(("speed", speed_key, leaf_sizes))
    if not _on_click(
        work,
        "Time the searches",
        "speed_run",
        help="Fits every search three times and times the fastest run.",
    ):
        return
    table = cached_comparison(speed_key, leaf_sizes, fit, dataset)
    query = "test" if not fit.in_sample else "training"
    st.dataframe(
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
        f"Times are the fastest of three single-threaded runs, on {len(fit.split.train):,} "
        f"stored rows; on data this small the differences are small too. {ties} of the "
        f"{query} rows {'has its' if ties == 1 else 'have their'} k-th and (k+1)-th "
        "neighbours at the same distance, where which one counts depends on row order "
        "(predictions may then differ without any error)."
    )
