"""The network's refit views: the same network from other seeds, and capacity (weight
norms against alpha, scores against the first layer's width)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from core.data.tables import Dataset
from core.families.neural_network.layers import warning_sentences
from core.families.neural_network.refits import SeedVariability, seed_variability, width_values
from core.fitting import FitResult, max_folds
from core.learned import LearnedParameters
from core.setting import Setting
from core.sweeps import sweep_seconds
from core.text import escape_markdown
from ui.families.neural_network import (
    NUMBER,
    cached_epoch_metrics,
    cached_epoch_surface,
    cached_snapshot_scores,
    cached_trace,
)
from ui.family_page import PageFit
from ui.tables import show_table
from ui.widgets import confirm_long_work, progress_bar

#: How many ``random_state`` values the Seeds view refits at most.
MAX_SEEDS = 8
#: The alphas of the weight-norm sweep: decades, plus the page's own value.
ALPHA_DECADES = tuple(10.0**k for k in range(-5, 2))
#: Folds of the width curve (each point trains one network per fold).
WIDTH_FOLDS = 3


# --- cached work ---------------------------------------------------------------------------
@st.cache_data(max_entries=8, show_spinner=False)
def cached_seeds(
    key: Setting, seeds: tuple[int, ...], _fit: FitResult, _dataset: Dataset
) -> SeedVariability:
    """The setting refitted with each seed; ``key`` leaves ``random_state`` out."""
    bar, progress = progress_bar("Refitting with another random_state:", len(seeds))
    result = seed_variability(_fit, _dataset, seeds, progress=progress)
    bar.empty()
    return result


@st.cache_data(max_entries=8, show_spinner=False)
def cached_alpha_norms(
    key: Setting, alphas: tuple[float, ...], _fit: FitResult, _dataset: Dataset
) -> pd.DataFrame:
    """Weight norms per layer over ``alphas``; ``key`` leaves ``alpha`` out."""
    from core.families.neural_network.refits import alpha_norm_table

    bar, progress = progress_bar("Refitting with another alpha:", len(alphas))
    table = alpha_norm_table(_fit, _dataset, key, alphas, progress=progress)
    bar.empty()
    return table


@st.cache_data(max_entries=8, show_spinner=False)
def cached_width_curve(
    key: Setting,
    other_layers: tuple[int, ...],
    widths: tuple[int, ...],
    _fit: FitResult,
    _dataset: Dataset,
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The width curve (by the one sweep engine) and the warnings its fits raised; ``key``
    leaves ``hidden_layer_sizes`` out, ``other_layers`` holds the layers after the first."""
    from core.families.neural_network.refits import width_curve_table

    bar, progress = progress_bar("Cross-validating another width:", len(widths))
    table = width_curve_table(_fit, _dataset, key, widths, cv=WIDTH_FOLDS, progress=progress)
    bar.empty()
    shown = [w.split(" (and ")[0] for ws in table["warnings"] for w in ws]
    return table, tuple(dict.fromkeys(shown))


def clear_network_caches() -> None:
    """Empty this module's caches (tests)."""
    for cached in (
        cached_trace,
        cached_snapshot_scores,
        cached_epoch_metrics,
        cached_epoch_surface,
        cached_seeds,
        cached_alpha_norms,
        cached_width_curve,
    ):
        cached.clear()


# --- Seeds view ------------------------------------------------------------------------------
def seeds_view(page: PageFit, learned: LearnedParameters) -> None:
    """Refit with a few ``random_state`` values: the weights differ (hidden units swap
    places), the count never does, and the loss and predictions end up alike."""
    from ui.sweep_panel import use_value_button  # plotly: when the view opens

    fit, dataset = page.fit, page.choice.dataset
    st.caption(
        "random_state sets the random starting weights (and the order rows are visited in). "
        "The data split stays the same: only the network's starting point changes."
    )
    n = st.slider("How many random_state values", 2, MAX_SEEDS, 5, key="nn_seed_count")
    reference = page.values.get("random_state")
    reference = 0 if reference is None else int(reference)
    seeds = tuple((reference + i) % 2**32 for i in range(n))
    key = page.setting.without("random_state")
    seconds = n * max(fit.fit_seconds, 0.05)
    listed = ", ".join(map(str, seeds))
    if not _requested(
        repr(("seeds", key, seeds)),
        f"Refit with random_state = {listed} (about {math.ceil(seconds)} s)",
    ):
        return
    result = cached_seeds(key, seeds, fit, dataset)
    table = result.table
    score = result.score_name
    counts = sorted(set(table["n_parameters"]))
    moved = table["units_moved"].iloc[1:]
    rows = result.rows
    column = "test_score" if rows == "test" else "train_score"
    alike = (
        f"Every seed learns {counts[0]:,} parameters"
        if len(counts) == 1
        else f"The counts differ ({counts})"
    )
    alike += (
        f"; the {rows} {score} {_span(table[column], '.3f')} and the final training loss "
        f"{_span(table['loss'], '.4g')}."
    )
    others = table.iloc[1:]
    if dataset.task == "classification":
        least = float(others["agreement"].min())
        share = (
            f"every one of the {rows} rows"
            if least == 1
            else f"{least:.0%} or more of the {rows} rows"
        )
        similar = f"The predicted classes agree with random_state = {seeds[0]}'s on {share}."
    else:
        spread = float(dataset.y.iloc[fit.split.train].std())
        largest = float(others["max_prediction_difference"].max())
        similar = (
            f"Predictions differ from random_state = {seeds[0]}'s by at most {largest:.4g} "
            f"on the {rows} rows ({largest / spread:.2g} SDs of {dataset.target})."
        )
    width = learned.detail.units[1]
    units_moved = (
        f"{int(moved.min())}"
        if moved.min() == moved.max()
        else f"{int(moved.min())} to {int(moved.max())}"
    )
    st.markdown(escape_markdown(f"{alike} {similar}"))
    st.markdown(
        escape_markdown(
            f"The weights themselves differ: their norm {_span(table['weight_norm'], '.3g')}, "
            f"and matched by their incoming weights, {units_moved} of the {width} first-layer "
            "units sit at another position than in the reference. A hidden unit has no fixed "
            "place, so compare seeds by count, loss and predictions, not weight by weight."
        )
    )
    show_table(
        table.drop(columns=["first_layer_norm"]),
        hide_index=True,
        column_config={
            "random_state": st.column_config.NumberColumn(format="%d"),
            "weight_norm": st.column_config.NumberColumn("weight norm", format="%.4g"),
            "train_score": st.column_config.NumberColumn(f"train {score}", format="%.4g"),
            "test_score": st.column_config.NumberColumn(f"test {score}", format="%.4g"),
            "loss": NUMBER,
            "agreement": st.column_config.NumberColumn(format="%.3f"),
            "max_prediction_difference": st.column_config.NumberColumn(
                "largest prediction difference", format="%.4g"
            ),
        },
    )
    matched = st.radio(
        "First-layer weights",
        [False, True],
        format_func=lambda m: (
            f"units matched to random_state = {seeds[0]}"
            if m
            else "units as each fit numbered them"
        ),
        horizontal=True,
        key="nn_seed_matched",
    )
    from core.families.neural_network import refit_figures as figures  # plotly, when it opens

    st.plotly_chart(
        figures.seed_weights_figure(result, page.fit.feature_names, matched=matched),
        key="nn_seed_weights",
        config={"displayModeBar": False},
    )
    st.caption(
        "Each block is coefs_[0] of one seed: features down, first-layer units across. "
        + (
            "Matched, each unit sits under the reference unit it resembles most (its own name "
            "below): what still differs is real."
            if matched
            else "As fitted, unit h1_1 of one seed has nothing to do with h1_1 of another."
        )
    )
    with st.expander("Which unit matched which"):
        show_table(
            result.matching,
            hide_index=True,
            column_config={"correlation": st.column_config.NumberColumn(format="%.3f")},
        )
    others = [s for s in seeds if s != page.values.get("random_state")]
    chosen = st.selectbox("random_state to use", others, key="nn_seed_pick")
    use_value_button(
        "random_state", int(chosen), key="nn_seed_use", label=f"Use random_state = {chosen}"
    )


# --- Capacity view ---------------------------------------------------------------------------
def capacity_view(page: PageFit, learned: LearnedParameters) -> None:
    """How the architecture and the penalty move what is learned: the validation curve over
    the first hidden layer's width, and each layer's weight norm as alpha grows."""
    st.caption(
        "The shared Sweeps tab sweeps one number at a time; here are the two knobs of a "
        "network's capacity. Every point is a real refit on the page's training rows with "
        "every other setting kept; the dotted line marks the current setting."
    )
    left, right = st.columns(2, gap="large")
    with left:
        _width_part(page)
    with right:
        _alpha_part(page, learned.n_parameters)


def _width_part(page: PageFit) -> None:
    from ui.sweep_panel import use_value_button  # plotly: when the view opens

    st.markdown("**Over the first hidden layer's width**")
    fit, dataset = page.fit, page.choice.dataset
    current = tuple(int(w) for w in page.values["hidden_layer_sizes"])
    sizes = width_values(current)
    widths = tuple(s[0] for s in sizes)
    folds = min(WIDTH_FOLDS, max_folds(fit, dataset))
    if folds < WIDTH_FOLDS:
        st.info(
            f"A {WIDTH_FOLDS}-fold curve needs every class {WIDTH_FOLDS} times among the "
            "training rows; these rows have fewer of one class.",
            icon=":material/info:",
        )
        return
    n_train = len(fit.split.train) * (WIDTH_FOLDS - 1) // WIDTH_FOLDS
    st.caption(
        f"Widths {', '.join(map(str, widths))} with the other layers kept "
        f"({','.join(map(str, current[1:])) or 'none'}): {len(sizes)} networks, each "
        f"trained on the training rows and on {WIDTH_FOLDS} cross-validation folds of them."
    )
    key = page.setting.without("hidden_layer_sizes")
    # The engine's estimate counts every fit running all max_iter epochs (most stop much
    # earlier), so it is an upper bound.
    seconds = sweep_seconds(
        page.family, page.setting, dataset, "hidden_layer_sizes", sizes, cv=WIDTH_FOLDS
    )
    if not confirm_long_work(repr(("width", key, current[1:], widths)), seconds, "The width curve"):
        return
    table, shown = cached_width_curve(key, current[1:], widths, fit, dataset)
    from core.families.neural_network.refit_figures import (
        width_curve_figure,  # plotly, when it opens
    )

    for width, why in table.attrs.get("refused", {}).items():
        st.caption(escape_markdown(f"Width {width} is left out: {why}"))
    if table.empty:
        return

    st.plotly_chart(
        width_curve_figure(table, current=current[0]),
        key="nn_width_curve",
        config={"displayModeBar": False},
    )
    best = table.loc[table["cv_mean"].idxmax()]
    st.caption(
        escape_markdown(
            f"Wider layers learn more parameters ({table['n_parameters'].min():,} to "
            f"{table['n_parameters'].max():,}) and fit the training rows more closely; the "
            f"cross-validated score is best at width {int(best['value'])} "
            f"({best['cv_mean']:.3f})."
        )
    )
    _warned(shown, page.values, n_train)
    labels = dict(zip(table["value"], table["hidden_layer_sizes"], strict=True))
    params = dict(zip(table["value"], table["n_parameters"], strict=True))
    chosen = st.select_slider(
        "Width to use",
        options=list(table["value"]),
        value=current[0],
        format_func=lambda w: f"{labels[w]} ({params[w]:,} parameters)",
        key="nn_width_pick",
    )
    value = (int(chosen), *current[1:])
    use_value_button(
        "hidden_layer_sizes",
        value,
        key="nn_width_use",
        label=f"Use hidden_layer_sizes = {labels[chosen]}",
        disabled=value == current,
    )


def _alpha_part(page: PageFit, n_parameters: int) -> None:
    from ui.sweep_panel import use_value_button  # plotly: when the view opens

    st.markdown("**Weight norm per layer as alpha grows**")
    fit, dataset = page.fit, page.choice.dataset
    alpha = float(page.values["alpha"])
    alphas = tuple(sorted({*ALPHA_DECADES, alpha}))
    key = page.setting.without("alpha")
    seconds = len(alphas) * 1.2 * fit.fit_seconds
    if not confirm_long_work(repr(("alpha", key, alphas)), seconds, "The alpha sweep"):
        return
    table = cached_alpha_norms(key, alphas, fit, dataset)
    from core.families.neural_network.refit_figures import (
        alpha_norm_figure,  # plotly, when it opens
    )

    st.plotly_chart(
        alpha_norm_figure(table, current=alpha),
        key="nn_alpha_norms",
        config={"displayModeBar": False},
    )
    warned = int((table.groupby("alpha")["warnings"].first() > 0).sum())
    st.caption(
        "alpha adds alpha·Σw²/(2·rows) to the loss (biases are not penalised), so a larger "
        f"alpha pulls every weight matrix toward 0. The count stays {n_parameters:,} at every "
        "alpha: the penalty decides the values, not how many there are."
        + (
            f" {warned} of the {len(alphas)} refits warned (usually: max_iter reached before "
            "the loss settled)."
            if warned
            else ""
        )
    )
    with st.expander("Scores at each alpha"):
        scores = table.groupby("alpha", as_index=False)[
            ["train_score", "test_score", "n_iter", "warnings"]
        ].first()
        show_table(
            scores,
            hide_index=True,
            column_config={
                "alpha": st.column_config.NumberColumn(format="%.3g"),
                "train_score": st.column_config.NumberColumn("train score", format="%.4g"),
                "test_score": st.column_config.NumberColumn("test score", format="%.4g"),
                "n_iter": st.column_config.NumberColumn("iterations", format="%d"),
            },
        )
    chosen = st.select_slider(
        "alpha to use",
        options=list(alphas),
        value=alpha,
        format_func=lambda a: f"{a:g}",
        key="nn_alpha_pick",
    )
    use_value_button(
        "alpha",
        float(chosen),
        key="nn_alpha_use",
        label=f"Use alpha = {chosen:g}",
        disabled=bool(np.isclose(chosen, alpha)),
    )


def _requested(key: str, label: str, help: str | None = None) -> bool:
    """Whether the work ``key`` names was asked for by a click in this session (a rerun
    keeps showing it; another setting asks again)."""
    done = st.session_state.setdefault("nn_requested", set())
    if key in done:
        return True
    slot = st.empty()
    if slot.button(label, key=f"nn_run_{abs(hash(key))}", help=help, icon=":material/play_arrow:"):
        done.add(key)
        slot.empty()  # asked for: the results take its place
        return True
    return False


def _warned(shown: tuple[str, ...] | list[str], values: dict[str, Any], rows: int) -> None:
    """Warnings of refits, once each, as sentences with the user's numbers."""
    for sentence in warning_sentences(list(dict.fromkeys(shown)), values, rows)[:2]:
        st.caption(escape_markdown(f"Some of these fits warned. {sentence.text}"))


def _span(values: pd.Series, fmt: str, every: str = "for every seed") -> str:
    """``"ranges from 0.95 to 0.97"``, or ``"is 1.000 for every seed"`` when all are equal."""
    low, high = format(float(values.min()), fmt), format(float(values.max()), fmt)
    return f"is {low} {every}" if low == high else f"ranges from {low} to {high}"
