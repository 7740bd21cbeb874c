"""Views only the neural network has: the parameter count with its formula, the network
drawn, its training epoch by epoch, its weights across seeds, and how layer width and alpha
move what it learns.

Everything is computed in :mod:`core.network`, :mod:`core.network_epochs` and
:mod:`core.network_refits` and drawn by :mod:`core.network_figures`;
the refits are cached here, keyed by the page's fit key (without the hyperparameter a sweep
moves, so moving it along the sweep redraws from the cache). Work that refits many networks
waits for a click and shows a progress bar.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from core.data.tables import Dataset
from core.families.neural_network import NetworkLayout
from core.fitting import FitKey, FitResult, max_folds, recorded_warnings
from core.learned import LearnedParameters
from core.network import (
    estimated_training_seconds,
    layer_table,
    model_inputs,
    planned_layer_units,
    transition_label,
    unit_health_table,
    warning_sentences,
)
from core.network_epochs import (
    EpochTrace,
    Surface,
    epoch_caption,
    epoch_metrics,
    epoch_trace,
    epoch_trace_unavailable,
    prediction_surface,
    snapshot_scores,
)
from core.network_refits import SeedVariability, seed_variability, width_values
from core.text import escape_markdown
from ui.family_page import PageFit
from ui.widgets import confirm_long_work, request_setting

NUMBER = st.column_config.NumberColumn(format="%.4g")
#: The learned panel lists every weight and bias in a table up to this many values; beyond,
#: the Reproduce tab's CSV holds them all.
MAX_TABLE_VALUES = 2_000
#: How many ``random_state`` values the Seeds view refits at most.
MAX_SEEDS = 8
#: The alphas of the weight-norm sweep: decades, plus the page's own value.
ALPHA_DECADES = tuple(10.0**k for k in range(-5, 2))
#: Folds of the width curve (each point trains one network per fold).
WIDTH_FOLDS = 3
#: Edges the diagram may draw per weight matrix (the first is the figure's default).
EDGE_CHOICES = (150, 300, 600, 1200)


# --- cached work ---------------------------------------------------------------------------
def _bar(text: str, total: int):
    """A progress bar made inside a cached function (so a cache hit replays it and its
    removal) and the ``progress(done, total)`` callback that moves it."""
    bar = st.progress(0.0, text=text)

    def progress(done: int, total: int = total) -> None:
        bar.progress(done / total, text=f"{text} {done} of {total}")

    return bar, progress


@st.cache_data(max_entries=4, show_spinner="Training again, keeping the weights of every epoch…")
def cached_trace(key: FitKey, _fit: FitResult, _dataset: Dataset) -> EpochTrace:
    """:func:`core.network_epochs.epoch_trace` of the page's fit (at most 50 MB of weights each)."""
    return epoch_trace(_fit, _dataset)


@st.cache_data(max_entries=4, show_spinner="Scoring the epochs…")
def cached_snapshot_scores(
    key: FitKey, _fit: FitResult, _dataset: Dataset, _trace: EpochTrace
) -> pd.DataFrame:
    """Loss and score at up to 200 kept epochs (:func:`core.network_epochs.snapshot_scores`)."""
    return snapshot_scores(_fit, _dataset, _trace)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_epoch_metrics(
    key: FitKey, epoch: int, _fit: FitResult, _dataset: Dataset, _trace: EpochTrace
) -> pd.DataFrame:
    """The page's metrics for the weights after ``epoch``."""
    return epoch_metrics(_fit, _dataset, _trace, epoch)


@st.cache_data(max_entries=32, show_spinner=False)
def cached_epoch_surface(
    key: FitKey, epoch: int, _fit: FitResult, _dataset: Dataset, _trace: EpochTrace
) -> Surface:
    """The two-feature prediction surface of the weights after ``epoch``."""
    return prediction_surface(_fit, _dataset, _trace, epoch)


@st.cache_data(max_entries=8, show_spinner=False)
def cached_seeds(
    key: FitKey, seeds: tuple[int, ...], _fit: FitResult, _dataset: Dataset
) -> SeedVariability:
    """The setting refitted with each seed; ``key`` leaves ``random_state`` out."""
    bar, progress = _bar("Refitting with another random_state:", len(seeds))
    result = seed_variability(_fit, _dataset, seeds, progress=progress)
    bar.empty()
    return result


@st.cache_data(max_entries=8, show_spinner=False)
def cached_alpha_norms(
    key: FitKey, alphas: tuple[float, ...], _fit: FitResult, _dataset: Dataset
) -> pd.DataFrame:
    """Weight norms per layer over ``alphas``; ``key`` leaves ``alpha`` out."""
    from core.network_refits import alpha_norm_table

    bar, progress = _bar("Refitting with another alpha:", len(alphas))
    table = alpha_norm_table(_fit, _dataset, alphas, progress=progress)
    bar.empty()
    return table


@st.cache_data(max_entries=8, show_spinner=False)
def cached_width_curve(
    key: FitKey,
    other_layers: tuple[int, ...],
    widths: tuple[int, ...],
    _fit: FitResult,
    _dataset: Dataset,
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The width curve and the warnings its fits raised; ``key`` leaves
    ``hidden_layer_sizes`` out, ``other_layers`` holds the layers after the first."""
    from core.network_refits import width_curve_table

    bar, progress = _bar("Cross-validating another width:", len(widths))
    with recorded_warnings() as shown:
        table = width_curve_table(_fit, _dataset, widths, cv=WIDTH_FOLDS, progress=progress)
    bar.empty()
    return table, tuple(shown)


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


def _figures():
    """The figure builders (plotly: imported when a view opens, not on the first screen)."""
    import core.network_figures as figures

    return figures


def _warned(shown: tuple[str, ...] | list[str], values: dict[str, Any], rows: int) -> None:
    """Warnings of refits, once each, as sentences with the user's numbers."""
    for sentence in warning_sentences(list(dict.fromkeys(shown)), values, rows)[:2]:
        st.caption(escape_markdown(f"Some of these fits warned. {sentence.text}"))


# --- the learned-parameters column -----------------------------------------------------------
def count_sentences(page: PageFit, layout: NetworkLayout, n_parameters: int) -> tuple[str, str]:
    """What decides how many parameters the network has, and what decides only their
    values, with the user's numbers (plain text, to be escaped)."""
    units = layout.units
    n_classes = len(getattr(page.fit.model, "classes_", ()))
    if page.choice.task == "regression":
        outputs = f"{units[-1]} output unit{'s' if units[-1] > 1 else ''}, one per target"
    elif n_classes == 2:
        outputs = "1 output unit for the 2 classes (its logistic output is one class's probability)"
    else:
        outputs = f"{units[-1]} output units, one per class"
    widths = ",".join(str(u) for u in units[1:-1])
    others = [
        s.name
        for s in page.family.hyperparameters_for(page.estimator_id)
        if s.name != "hidden_layer_sizes"
    ]
    listed = ", ".join(others[:-1]) + f" and {others[-1]}" if len(others) > 1 else "".join(others)
    return (
        f"hidden_layer_sizes = {widths} (the hidden layers' widths) and the data: "
        f"{units[0]} inputs, one per feature; {outputs}.",
        f"{listed}: they change what the {n_parameters:,} numbers are, never how many.",
    )


def network_panel(page: PageFit, learned: LearnedParameters) -> None:
    """A network's learned parameters: the count and its formula, what decides it, a row per
    layer (shape, size of the weights, dead or saturated units) and every value."""
    layout: NetworkLayout = learned.detail
    fit, model = page.fit, page.fit.model
    counts = layout.counts
    c1, c2, c3 = st.columns([2, 1, 1])
    c1.metric(
        "Learned parameters",
        f"{learned.n_parameters:,}",
        help="Every weight and bias: for each layer, inputs × units weights plus one bias "
        "per unit.",
    )
    c2.metric("Weights", f"{int(counts['weights'].sum()):,}", help="coefs_: one per edge.")
    c3.metric("Biases", f"{int(counts['biases'].sum()):,}", help="intercepts_: one per unit.")
    st.markdown(
        f"Per layer n_in·n_out weights + n_out biases:  \n`{layout.formula}`",
        help="n_in: units of the layer before (the features for the first); n_out: units of "
        "the layer itself.",
    )
    sets_count, sets_values = count_sentences(page, layout, learned.n_parameters)
    st.markdown(
        f"- **Sets the count:** {escape_markdown(sets_count)}\n"
        f"- **Sets only the values:** {escape_markdown(sets_values)}"
    )
    # Non-convergence and the like stand above, in the frame's warnings (the family's own
    # sentences): not repeated here.
    rows = len(fit.split.train)
    X, _ = model_inputs(fit, page.choice.dataset, "train")
    health = unit_health_table(model, X, layout.labels)
    table = layer_table(model, health)
    shown = pd.DataFrame(
        {
            "layer": table["layer"],
            "shape": [f"{a} × {b}" for a, b in zip(counts["n_in"], counts["n_out"], strict=True)],
            "parameters": table["parameters"],
            "‖W‖": table["weight_norm"],
            "max |w|": table["largest_weight"],
        }
    )
    if layout.activation == "relu":
        shown["dead"] = table["dead"]
    elif layout.activation in ("tanh", "logistic"):
        shown["saturated"] = table["saturated"]
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "shape": st.column_config.TextColumn(help="coefs_[i]: n_in × n_out."),
            "parameters": st.column_config.NumberColumn(
                help="n_in·n_out weights + n_out biases.", format="%d"
            ),
            "‖W‖": st.column_config.NumberColumn(
                format="%.3g", help="Euclidean norm of the layer's weights (coefs_[i])."
            ),
            "max |w|": st.column_config.NumberColumn(format="%.3g"),
            "dead": st.column_config.NumberColumn(
                format="%d",
                help="Units of the layer fed (ReLU) that output 0 on every training row.",
            ),
            "saturated": st.column_config.NumberColumn(
                format="%d",
                help="Units of the layer fed within 0.01 of a limit on 90% of the training rows.",
            ),
        },
    )
    st.caption(_health_caption(layout, health, rows))
    with st.expander(f"Every hidden unit's activity ({len(health)} units)"):
        st.dataframe(
            health,
            hide_index=True,
            height=min(35 * len(health) + 38, 300),
            column_config={
                "active_share": st.column_config.ProgressColumn(
                    "active (output > 0)", format="%.2f", min_value=0.0, max_value=1.0
                ),
                "saturated_share": st.column_config.ProgressColumn(
                    "near a limit", format="%.2f", min_value=0.0, max_value=1.0
                ),
            },
        )
    n_values = sum(g.size for g in learned.groups)
    with st.expander(f"Every weight and bias ({n_values:,} values)"):
        if n_values <= MAX_TABLE_VALUES:
            values = learned.table(axes=True)
            st.dataframe(
                values[["group", "from", "to", "value"]],
                hide_index=True,
                height=min(35 * len(values) + 38, 300),
                column_config={"value": st.column_config.NumberColumn(format="%.5g")},
            )
        else:
            st.caption(
                f"{n_values:,} values are too many to list here: the Reproduce tab's "
                "parameters CSV holds every one, with its group, from-unit and to-unit."
            )
    for note in learned.notes:
        st.caption(escape_markdown(note))


def _health_caption(layout: NetworkLayout, health: pd.DataFrame, rows: int) -> str:
    hidden = len(health)
    if layout.activation == "relu":
        dead = int(health["dead"].sum()) if hidden else 0
        return (
            f"{dead} of {hidden} hidden ReLU units are dead (output 0 on all {rows:,} training "
            "rows): they learn nothing and pass nothing on."
            if dead
            else f"Every one of the {hidden} hidden ReLU units is active on some training row."
        )
    if layout.activation in ("tanh", "logistic"):
        saturated = int(health["saturated"].sum()) if hidden else 0
        return (
            f"{saturated} of {hidden} hidden {layout.activation} units are saturated (near a "
            "limit on 90% of the training rows, where their gradient is almost 0)."
        )
    return "Identity units never die or saturate: the network is one linear map."


# --- Network view ----------------------------------------------------------------------------
def network_view(page: PageFit, learned: LearnedParameters) -> None:
    """The diagram of the fitted network, every weight matrix as a heatmap, and the weights'
    distribution."""
    layout: NetworkLayout = learned.detail
    model = page.fit.model
    figures = _figures()
    largest = max(W.size for W in model.coefs_)
    max_edges = figures.MAX_EDGES
    if largest > max_edges:
        options = [n for n in EDGE_CHOICES if n < largest] + [largest]
        max_edges = st.radio(
            "Edges drawn per weight matrix (strongest first)",
            options,
            format_func=lambda n: f"all {n:,}" if n == largest else f"{n:,}",
            horizontal=True,
            key="nn_edges",
            help="Wide layers have too many edges to read: the strongest are drawn, the "
            "heatmaps below show every weight.",
        )
    fig, hidden = figures.network_diagram_figure(
        model.coefs_, model.intercepts_, layout.labels, max_edges=max_edges
    )
    st.plotly_chart(fig, key="nn_diagram", config={"displayModeBar": False})
    total = sum(W.size for W in model.coefs_)
    drawn = (
        f"{hidden:,} weaker edges hidden: the {max_edges:,} strongest of each weight matrix "
        f"are drawn ({total - hidden:,} of {total:,}); the heatmaps show every weight."
        if hidden
        else f"All {total:,} weights drawn."
    )
    st.caption(
        f"{drawn} An edge is one weight: blue positive, red negative, wider for a larger "
        "size. A unit's colour is its bias. Hover an edge's middle for its exact value."
    )
    left, right = st.columns(2, gap="large")
    n_layers = len(layout.units)
    with left:
        st.markdown("**One weight matrix**")
        layer = st.selectbox(
            "Weight matrix",
            list(range(len(model.coefs_))),
            format_func=lambda i: f"coefs_[{i}]: {transition_label(i, n_layers)}",
            key="nn_heatmap_layer",
            label_visibility="collapsed",
        )
        st.plotly_chart(
            figures.weight_heatmap_figure(model.coefs_, layout.labels, layer=layer),
            key="nn_heatmap",
            config={"displayModeBar": False},
        )
        st.caption("Rows: the units a weight comes from; columns: the units it goes to.")
    with right:
        st.markdown("**How the values are spread**")
        st.plotly_chart(
            figures.weight_distribution_figure(model.coefs_, model.intercepts_),
            key="nn_distribution",
            config={"displayModeBar": False},
        )
        st.caption(
            "Weights of each matrix, overlaid; click a legend entry to add the biases. alpha "
            "pulls the weights (not the biases) toward 0."
        )


# --- Epochs view -----------------------------------------------------------------------------
def _final_epoch(trace: EpochTrace) -> int:
    """The epoch whose weights the fitted model holds."""
    return trace.restored_epoch if trace.restored_epoch is not None else trace.n_epochs


def epochs_view(page: PageFit, learned: LearnedParameters) -> None:
    """Scrub through the training: the loss curve with the chosen epoch, the scores, the
    weights and (on two features) the decision surface after that epoch."""
    reason = epoch_trace_unavailable(page.values)
    if reason:
        st.info(escape_markdown(reason), icon=":material/info:")
        return
    fit, dataset = page.fit, page.choice.dataset
    seconds = 1.5 * fit.fit_seconds + 0.3
    if not confirm_long_work(repr(("trace", page.key)), seconds, "Tracing every epoch"):
        return
    trace = cached_trace(page.key, fit, dataset)
    scores = cached_snapshot_scores(page.key, fit, dataset, trace)
    epochs = [int(e) for e in trace.epochs]
    final = _final_epoch(trace)
    if st.session_state.get("nn_epoch") not in epochs:
        st.session_state.pop("nn_epoch", None)  # another setting's epoch: start at the end
    epoch = int(
        st.select_slider(
            "Epoch (0 is the random start)",
            options=epochs,
            value=final,
            key="nn_epoch",
            help="Drag to see the network as it was after that many passes over the training rows.",
        )
    )
    _epoch_sentences(page, trace, epoch)
    metrics = cached_epoch_metrics(page.key, epoch, fit, dataset, trace)
    figures = _figures()
    left, right = st.columns([3, 2], gap="large")
    score_name = "accuracy" if dataset.task == "classification" else "R²"
    with left:
        st.plotly_chart(
            figures.training_curve_figure(trace, epoch, scores, score_name),
            key="nn_curve",
            config={"displayModeBar": False},
        )
        st.caption(
            "The training loss (solid) is scikit-learn's loss_curve_: the average over each "
            "epoch's mini-batches, with the alpha penalty"
            + (
                "; the dashed test loss is measured on the test rows after each epoch, "
                "without the penalty."
                if scores["test_loss"].notna().any()
                else "."
            )
        )
    with right:
        st.markdown(f"**Scores after epoch {epoch}**")
        shown = metrics.assign(**{"final model, test": fit.metrics["test"]})
        if fit.in_sample:
            shown = metrics[["train"]].assign(**{"final model": fit.metrics["train"]})
        st.dataframe(shown.style.format("{:.4g}"))
        st.caption(
            f"Train and test rows as the page's; the final model holds epoch {final}'s weights."
        )
    coefs, intercepts = trace.weights_at(epoch)
    two_features = dataset.X.shape[1] == 2
    weights_col, surface_col = (
        st.columns(2, gap="large") if two_features else (st.container(), None)
    )
    layout: NetworkLayout = learned.detail
    with weights_col:
        st.markdown(f"**Weights after epoch {epoch}**")
        drawing = st.radio(
            "Draw the weights as",
            ["diagram", "heatmap"],
            horizontal=True,
            key="nn_epoch_drawing",
            label_visibility="collapsed",
        )
        if drawing == "diagram":
            fig, hidden = figures.network_diagram_figure(coefs, intercepts, layout.labels)
            st.plotly_chart(fig, key="nn_epoch_diagram", config={"displayModeBar": False})
            if hidden:
                st.caption(f"{hidden:,} weaker edges hidden, as in the Network view.")
        else:
            n_layers = len(layout.units)
            layer = st.selectbox(
                "Weight matrix",
                list(range(len(coefs))),
                format_func=lambda i: f"coefs_[{i}]: {transition_label(i, n_layers)}",
                key="nn_epoch_layer",
            )
            st.plotly_chart(
                figures.weight_heatmap_figure(coefs, layout.labels, layer=layer),
                key="nn_epoch_heatmap",
                config={"displayModeBar": False},
            )
    if surface_col is not None:
        with surface_col:
            st.markdown(f"**What the network predicts after epoch {epoch}**")
            surface = cached_epoch_surface(page.key, epoch, fit, dataset, trace)
            st.plotly_chart(
                figures.surface_figure(surface),
                key="nn_epoch_surface",
                config={"displayModeBar": False},
            )
            st.caption(
                "The network itself over its two features (not a refit on two of them), "
                "with the training rows."
            )


def _epoch_sentences(page: PageFit, trace: EpochTrace, epoch: int) -> None:
    """What the weights after ``epoch`` are, exactly, and what early stopping kept."""
    st.caption(escape_markdown(epoch_caption(trace, epoch, type(page.fit.model).__name__)))


def _span(values: pd.Series, fmt: str, every: str = "for every seed") -> str:
    """``"ranges from 0.95 to 0.97"``, or ``"is 1.000 for every seed"`` when all are equal."""
    low, high = format(float(values.min()), fmt), format(float(values.max()), fmt)
    return f"is {low} {every}" if low == high else f"ranges from {low} to {high}"


# --- Seeds view ------------------------------------------------------------------------------
def seeds_view(page: PageFit, learned: LearnedParameters) -> None:
    """Refit with a few ``random_state`` values: the weights differ (hidden units swap
    places), the count never does, and the loss and predictions end up alike."""
    fit, dataset = page.fit, page.choice.dataset
    st.caption(
        "random_state sets the random starting weights (and the order rows are visited in). "
        "The data split stays the same: only the network's starting point changes."
    )
    n = st.slider("How many random_state values", 2, MAX_SEEDS, 5, key="nn_seed_count")
    reference = page.values.get("random_state")
    reference = 0 if reference is None else int(reference)
    seeds = tuple((reference + i) % 2**32 for i in range(n))
    key = page.key.without("random_state")
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
    st.dataframe(
        table.drop(columns=["first_layer_norm"]),
        hide_index=True,
        column_config={
            "random_state": st.column_config.NumberColumn(format="%d"),
            "weight_norm": NUMBER,
            "train_score": st.column_config.NumberColumn(f"train {score}", format="%.4g"),
            "test_score": st.column_config.NumberColumn(f"test {score}", format="%.4g"),
            "loss": NUMBER,
            "agreement": st.column_config.NumberColumn(format="%.3f"),
            "max_prediction_difference": NUMBER,
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
    figures = _figures()
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
        st.dataframe(
            result.matching,
            hide_index=True,
            column_config={"correlation": st.column_config.NumberColumn(format="%.3f")},
        )
    others = [s for s in seeds if s != page.values.get("random_state")]
    chosen = st.selectbox("random_state to use", others, key="nn_seed_pick")
    st.button(
        f"Use random_state = {chosen}",
        key="nn_seed_use",
        on_click=request_setting,
        args=("random_state", int(chosen)),
        icon=":material/ads_click:",
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
    n_classes = int(dataset.y.nunique()) if dataset.task == "classification" else 0
    upper = WIDTH_FOLDS * sum(
        estimated_training_seconds(
            n_train,
            planned_layer_units(dataset.X.shape[1], size, dataset.task, n_classes),
            page.values,
        )
        for size in sizes
    )
    st.caption(
        f"Widths {', '.join(map(str, widths))} with the other layers kept "
        f"({','.join(map(str, current[1:])) or 'none'}): {len(sizes)} networks × "
        f"{WIDTH_FOLDS} folds, scored by cross-validation on the training rows."
    )
    key = page.key.without("hidden_layer_sizes")
    if not _requested(
        repr(("width", key, current[1:], widths)),
        f"Run the width curve ({len(sizes) * WIDTH_FOLDS} fits)",
        help=f"Up to about {math.ceil(upper)} s if every fit runs all max_iter epochs; "
        "most stop much earlier.",
    ):
        return
    table, shown = cached_width_curve(key, current[1:], widths, fit, dataset)
    st.plotly_chart(
        _figures().width_curve_figure(table, current=current[0]),
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
        options=list(widths),
        value=current[0],
        format_func=lambda w: f"{labels[w]} ({params[w]:,} parameters)",
        key="nn_width_pick",
    )
    value = (int(chosen), *current[1:])
    st.button(
        f"Use hidden_layer_sizes = {labels[chosen]}",
        key="nn_width_use",
        on_click=request_setting,
        args=("hidden_layer_sizes", value),
        icon=":material/ads_click:",
        disabled=value == current,
    )


def _alpha_part(page: PageFit, n_parameters: int) -> None:
    st.markdown("**Weight norm per layer as alpha grows**")
    fit, dataset = page.fit, page.choice.dataset
    alpha = float(page.values["alpha"])
    alphas = tuple(sorted({*ALPHA_DECADES, alpha}))
    key = page.key.without("alpha")
    seconds = len(alphas) * 1.2 * fit.fit_seconds
    if not confirm_long_work(repr(("alpha", key, alphas)), seconds, "The alpha sweep"):
        return
    table = cached_alpha_norms(key, alphas, fit, dataset)
    st.plotly_chart(
        _figures().alpha_norm_figure(table, current=alpha),
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
        st.dataframe(
            scores,
            hide_index=True,
            column_config={
                "alpha": st.column_config.NumberColumn(format="%.3g"),
                "train_score": NUMBER,
                "test_score": NUMBER,
            },
        )
    chosen = st.select_slider(
        "alpha to use",
        options=list(alphas),
        value=alpha,
        format_func=lambda a: f"{a:g}",
        key="nn_alpha_pick",
    )
    st.button(
        f"Use alpha = {chosen:g}",
        key="nn_alpha_use",
        on_click=request_setting,
        args=("alpha", float(chosen)),
        icon=":material/ads_click:",
        disabled=np.isclose(chosen, alpha),
    )
