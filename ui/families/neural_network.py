"""Views only the neural network has: the parameter count with its formula, the network
drawn, its training epoch by epoch, its weights across seeds, and how layer width and alpha
move what it learns.

Everything is computed in :mod:`core.families.neural_network.layers`,
:mod:`core.families.neural_network.epochs` and
:mod:`core.families.neural_network.refits` and drawn by :mod:`core.families.neural_network.figures`;
the refits are cached here, keyed by the page's fit key (without the hyperparameter a sweep
moves, so moving it along the sweep redraws from the cache). Work that refits many networks
waits for a click and shows a progress bar.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.data.tables import Dataset
from core.families.neural_network.epoch_captions import epoch_caption
from core.families.neural_network.epochs import (
    EpochTrace,
    epoch_metrics,
    epoch_trace,
    epoch_trace_unavailable,
    snapshot_scores,
)
from core.families.neural_network.family import NetworkLayout
from core.families.neural_network.layers import (
    layer_table,
    model_inputs,
    transition_label,
    unit_health_table,
)
from core.families.neural_network.surface import Surface, prediction_surface
from core.fitting import FitResult
from core.learned import LearnedParameters
from core.links import EPOCH_DRAWING, EPOCH_KEY, data_link_problems
from core.setting import Setting
from core.text import NOT_APPLICABLE, escape_markdown
from ui.family_page import PageFit
from ui.tables import show_table
from ui.widgets import confirm_long_work, drop_link_value, drop_link_values, view_radio

NUMBER = st.column_config.NumberColumn(format="%.4g")
#: The learned panel lists every weight and bias in a table up to this many values; beyond,
#: the Reproduce tab's CSV holds them all.
MAX_TABLE_VALUES = 2_000
#: Edges the diagram may draw per weight matrix (the first is the figure's default).
EDGE_CHOICES = (150, 300, 600, 1200)


@st.cache_data(max_entries=4, show_spinner="Training again, keeping the weights of every epoch…")
def cached_trace(key: Setting, _fit: FitResult, _dataset: Dataset) -> EpochTrace:
    """:func:`core.families.neural_network.epochs.epoch_trace` of the page's fit (at most 50 MB of
    weights each)."""
    return epoch_trace(_fit, _dataset)


@st.cache_data(max_entries=4, show_spinner="Scoring the epochs…")
def cached_snapshot_scores(
    key: Setting, _fit: FitResult, _dataset: Dataset, _trace: EpochTrace
) -> pd.DataFrame:
    """Loss and score at up to 200 kept epochs
    (:func:`core.families.neural_network.epochs.snapshot_scores`)."""
    return snapshot_scores(_fit, _dataset, _trace)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_epoch_metrics(
    key: Setting, epoch: int, _fit: FitResult, _dataset: Dataset, _trace: EpochTrace
) -> pd.DataFrame:
    """The page's metrics for the weights after ``epoch``."""
    return epoch_metrics(_fit, _dataset, _trace, epoch)


@st.cache_data(max_entries=32, show_spinner=False)
def cached_epoch_surface(
    key: Setting, epoch: int, _fit: FitResult, _dataset: Dataset, _trace: EpochTrace
) -> Surface:
    """The two-feature prediction surface of the weights after ``epoch``."""
    return prediction_surface(_fit, _dataset, _trace, epoch)


def _figures():
    """The figure builders (plotly: imported when a view opens, not on the first screen)."""
    import core.families.neural_network.figures as figures

    return figures


def _counts_or_dash(column: pd.Series) -> list[str]:
    """Whole counts as text, a dash where the layer has none to count."""
    return [NOT_APPLICABLE if pd.isna(v) else f"{int(v)}" for v in column]


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
            # Short names ("h1" as the units are named, h1_5), so six columns fit half of a
            # 1280 px page without scrolling sideways; the column's help spells them out.
            "layer": table["layer"]
            .str.replace("hidden ", "h", regex=False)
            .str.replace("input", "in", regex=False)
            .str.replace("output", "out", regex=False),
            "shape": [f"{a} × {b}" for a, b in zip(counts["n_in"], counts["n_out"], strict=True)],
            "parameters": table["parameters"],
            "‖W‖": table["weight_norm"],
            "max |w|": table["largest_weight"],
        }
    )
    # The output layer has no hidden activation, so it has no dead or saturated units: its
    # cell says so with a dash instead of reading "None".
    if layout.activation == "relu":
        shown["dead"] = _counts_or_dash(table["dead"])
    elif layout.activation in ("tanh", "logistic"):
        shown["saturated"] = _counts_or_dash(table["saturated"])
    show_table(
        shown,
        hide_index=True,
        column_config={
            "layer": st.column_config.TextColumn(
                help="The weights from one layer to the next: in is the features, h1 the "
                "first hidden layer, out the output layer."
            ),
            "shape": st.column_config.TextColumn(help="coefs_[i]: n_in × n_out."),
            "parameters": st.column_config.NumberColumn(
                help="n_in·n_out weights + n_out biases.", format="%d"
            ),
            "‖W‖": st.column_config.NumberColumn(
                format="%.3g", help="Euclidean norm of the layer's weights (coefs_[i])."
            ),
            "max |w|": st.column_config.NumberColumn(format="%.3g"),
            "dead": st.column_config.TextColumn(
                help="Units of the layer fed (ReLU) that output 0 on every training row; "
                "– for the output layer, which has no ReLU.",
            ),
            "saturated": st.column_config.TextColumn(
                help="Units of the layer fed within 0.01 of a limit on 90% of the training "
                "rows; – for the output layer.",
            ),
        },
    )
    st.caption(_health_caption(layout, health, rows))
    with st.expander(f"Every hidden unit's activity ({len(health)} units)"):
        show_table(
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
            show_table(
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
            "rows): they learn nothing and pass nothing on. ReLU's gradient is 0 wherever its "
            "input is negative, so once a unit's input is negative on every row no update "
            "reaches it again: its weights count as parameters but do no work. Another "
            "random_state, a smaller learning_rate_init or more units usually leave fewer."
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
    if not confirm_long_work(repr(("trace", page.setting)), seconds, "Tracing every epoch"):
        return
    trace = cached_trace(page.setting, fit, dataset)
    scores = cached_snapshot_scores(page.setting, fit, dataset, trace)
    epochs = [int(e) for e in trace.epochs]
    final = _final_epoch(trace)
    if EPOCH_KEY in st.session_state and st.session_state[EPOCH_KEY] not in epochs:
        # Another setting's epoch, not the link's: start at the end, without a notice.
        st.session_state.pop(EPOCH_KEY)
        drop_link_value(EPOCH_KEY)
    else:
        # The epoch travels in the link; one this training does not have is named and
        # dropped by the link registry, like any value bounded by the data.
        others = [e for e in epochs if e != final]
        drop_link_values(
            data_link_problems(
                st.query_params.to_dict(), {"epochs": [final, *others]}, held=st.session_state
            )
        )
    epoch = int(
        st.select_slider(
            "Epoch (0 is the random start)",
            options=epochs,
            value=final,
            key=EPOCH_KEY,
            bind="query-params",
            help="Drag to see the network as it was after that many passes over the training rows.",
        )
    )
    _epoch_sentences(page, trace, epoch)
    metrics = cached_epoch_metrics(page.setting, epoch, fit, dataset, trace)
    figures = _figures()
    from core.families.neural_network import epoch_figures  # plotly, when it opens

    # Half each: at 3:2 the scores table's fourth column ("final model, test") was cut off
    # at 1280 px.
    left, right = st.columns(2, gap="large")
    score_name = "accuracy" if dataset.task == "classification" else "R²"
    with left:
        st.plotly_chart(
            epoch_figures.training_curve_figure(trace, epoch, scores, score_name),
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
        show_table(shown.style.format("{:.4g}"))
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
        drawing = view_radio(EPOCH_DRAWING, label_visibility="collapsed")
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
            surface = cached_epoch_surface(page.setting, epoch, fit, dataset, trace)
            st.plotly_chart(
                epoch_figures.surface_figure(surface),
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
