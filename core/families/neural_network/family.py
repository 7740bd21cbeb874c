"""The neural-network family: scikit-learn's multilayer perceptrons.

``MLPClassifier`` on classification data and ``MLPRegressor`` on regression data. What a
network learns is one weight matrix ``coefs_[i]`` and one bias vector ``intercepts_[i]`` per
layer; what a person sets is the architecture (``hidden_layer_sizes``, ``activation``), the
penalty (``alpha``) and how the optimiser finds the weights (``solver``,
``learning_rate_init``, ``batch_size``, ``max_iter``, ``early_stopping``, ``random_state``).
The computations behind the page's own views live in :mod:`core.families.neural_network.layers`
(layers, counts,
cost, unit health), :mod:`core.families.neural_network.epochs` (epoch snapshots) and
:mod:`core.families.neural_network.refits` (seeds, alpha, layer width); the figures in
:mod:`core.families.neural_network.figures`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.neural_network import MLPClassifier, MLPRegressor

from core.data.tables import Dataset
from core.families.neural_network.effective import effective_network_parameters
from core.families.neural_network.layers import (
    STOCHASTIC_SOLVERS,
    check_training_budget,
    estimated_training_seconds,
    layer_name,
    layer_units,
    model_inputs,
    parameter_count_table,
    planned_layer_units,
    transition_label,
    unit_health_table,
    unit_labels,
    warning_sentences,
)
from core.families.neural_network.measures import weight_norm_measures
from core.families.neural_network.row import network_row_story
from core.families.neural_network.specs import HYPERPARAMETERS, NAMES
from core.family import EstimatorSpec, FamilySpec
from core.fit_verdict import fit_verdict_sentence
from core.fitting import FitResult, model_features
from core.learned import LearnedParameters, ParameterGroup
from core.text import Sentence


def resolve_mlp(values: dict[str, Any]) -> dict[str, Any]:
    """scikit-learn's keyword arguments for page values: layer widths as a tuple of ints,
    ``batch_size`` None (a blank in a link) as scikit-learn's ``"auto"``."""
    out = dict(values)
    if "hidden_layer_sizes" in out:
        out["hidden_layer_sizes"] = tuple(int(w) for w in out["hidden_layer_sizes"])
    if "batch_size" in out and out["batch_size"] is None:
        out["batch_size"] = "auto"
    return out


@dataclass(frozen=True, eq=False)
class NetworkLayout:
    """The fitted network's shape, for the page's own panels (``LearnedParameters.detail``).

    Parameters
    ----------
    units : tuple of int
        Units per layer, inputs first.
    labels : tuple of tuple of str
        Unit labels per layer (features, ``h1_1``..., classes or the target).
    activation, out_activation : str
        The hidden units' function, and the output's (softmax, logistic or identity).
    counts : DataFrame
        :func:`core.families.neural_network.layers.parameter_count_table`.
    formula : str
        The count as a sum with these numbers.
    scaled : bool
        Whether the inputs were standardised.
    """

    units: tuple[int, ...]
    labels: tuple[tuple[str, ...], ...]
    activation: str
    out_activation: str
    counts: pd.DataFrame
    formula: str
    scaled: bool


def network_layout(fit: FitResult) -> NetworkLayout:
    """The fitted network's units, labels and parameter count."""
    model = fit.model
    units = layer_units(model)
    counts, formula = parameter_count_table(units)
    return NetworkLayout(
        units=tuple(units),
        labels=tuple(unit_labels(model, fit.feature_names, fit.target)),
        activation=model.activation,
        out_activation=model.out_activation_,
        counts=counts,
        formula=formula,
        scaled="scale" in fit.pipeline.named_steps,
    )


def extract(fit: FitResult) -> LearnedParameters:
    """Weights and biases layer by layer, exactly as the network holds them.

    Groups ``coefs_[i]`` (axes ``from``: the units of layer ``i``, ``to``: the units of layer
    ``i + 1``) and ``intercepts_[i]`` (axis ``to``: one bias per unit of layer ``i + 1``,
    labelled ``"h1_1 (bias)"`` so a bias's term reads as one in compare tables), in layer
    order.
    """
    model = fit.model
    layout = network_layout(fit)
    n = len(layout.units)
    groups = []
    for i, (W, b) in enumerate(zip(model.coefs_, model.intercepts_, strict=True)):
        source, dest = layout.labels[i], layout.labels[i + 1]
        groups.append(
            ParameterGroup(
                name=f"coefs_[{i}]",
                label=f"weights, {transition_label(i, n)}",
                values=W,
                axes=(source, dest),
                axis_names=("from", "to"),
            )
        )
        groups.append(
            ParameterGroup(
                name=f"intercepts_[{i}]",
                label=f"biases, {layer_name(i + 1, n)}",
                values=b,
                axes=(tuple(f"{u} (bias)" for u in dest),),
                axis_names=("to",),
            )
        )
    if layout.scaled:
        units_note = (
            "The first layer's weights apply to standardised features (training mean "
            "subtracted, divided by the training SD), and are shown as the network holds "
            "them."
        )
    else:
        units_note = "The first layer's weights apply to the features in their own units."
    if model.activation == "identity":
        fold = (
            " With the identity activation the network is one linear map, so its product of "
            "layers could be converted to raw units; the layers themselves cannot be."
        )
    else:
        fold = (
            f" Unlike a linear coefficient they cannot be converted back to raw units: the "
            f"{model.activation} between layers does not let a rescaling of the inputs pass "
            "through to the output."
        )
    notes = (
        units_note + fold,
        "Hidden units have no fixed identity: the same network with its hidden units in "
        "another order predicts exactly the same, so another random_state can give the same "
        "units in another order with other values. Compare counts and predictions across "
        "seeds, not single weights.",
    )
    return LearnedParameters(groups=tuple(groups), notes=notes, detail=layout)


def restored_epoch(validation_scores: list[float] | np.ndarray) -> int:
    """The epoch early stopping restores: the first with the best score, by scikit-learn's
    rule (a strictly higher score replaces the best; NaN never does; 0 = initial weights)."""
    best, epoch = -np.inf, 0
    for k, score in enumerate(validation_scores, start=1):
        if score > best:
            best, epoch = score, k
    return epoch


def _count_sentence(
    fit: FitResult, dataset: Dataset, learned: LearnedParameters, rows: int
) -> Sentence:
    layout = learned.detail
    n = learned.n_parameters
    text = (
        f"The network learned {n:,} parameters ({layout.formula}: for each layer, inputs × "
        f"units weights plus one bias per unit) from {rows:,} training rows, "
        f"{n / rows:.2g} per row."
    )
    if n <= rows:
        return Sentence(text)
    return Sentence(
        text + " With more parameters than rows the network can fit the training rows "
        "closely without generalising; alpha, early_stopping or fewer units hold it back.",
        "warning",
    )


def _stopping_sentences(fit: FitResult, rows: int) -> list[Sentence]:
    model, values = fit.model, fit.hyperparameters
    out = warning_sentences(fit.warnings, values, rows, getattr(model, "loss_curve_", None))
    stochastic = model.solver in STOCHASTIC_SOLVERS
    stopped_by_limit = any("Maximum iterations" in w or "lbfgs failed" in w for w in fit.warnings)
    if stochastic and model.early_stopping:
        scores = model.validation_scores_
        best = restored_epoch(scores)
        n_val = math.ceil(model.validation_fraction * rows)
        name = "accuracy" if model.out_activation_ != "identity" else "R²"
        if best == 0:
            out.append(
                Sentence(
                    f"Early stopping held out {n_val} of the {rows:,} training rows, but no "
                    f"epoch scored a finite validation {name}, so the model keeps its "
                    "initial random weights.",
                    "warning",
                )
            )
        else:
            last = (
                f"training ran on to epoch {model.n_iter_} without beating it by more "
                f"than tol = {model.tol:g} for {model.n_iter_no_change} epochs, so the model "
                f"holds epoch {best}'s weights, not epoch {model.n_iter_}'s"
                if best < model.n_iter_
                else "that was the last epoch, so the model holds the last epoch's weights"
            )
            out.append(
                Sentence(
                    f"Early stopping held out {n_val} of the {rows:,} training rows (trained "
                    f"on the other {rows - n_val:,}) and scored them after every epoch: the "
                    f"validation {name} peaked at {scores[best - 1]:.3f} at epoch {best}; "
                    f"{last}."
                )
            )
    elif stochastic and not stopped_by_limit:
        out.append(
            Sentence(
                f"Training stopped after {model.n_iter_} of at most {model.max_iter} epochs "
                f"because the training loss ({model.loss_:.4g}) improved by less than "
                f"tol = {model.tol:g} for {model.n_iter_no_change} epochs in a row."
            )
        )
    elif not stochastic and not stopped_by_limit:
        out.append(
            Sentence(
                f"lbfgs converged after {model.n_iter_} iterations on the whole training "
                f"set, at a loss of {model.loss_:.4g}; it has no epochs to trace."
            )
        )
    return out


def _unit_sentences(fit: FitResult, dataset: Dataset, labels: Any) -> list[Sentence]:
    model = fit.model
    X, _ = model_inputs(fit, dataset, "train")
    rows = len(fit.split.train)
    health = unit_health_table(model, X, labels)
    out = []
    for layer, units in health.groupby("layer", sort=True):
        width = len(units)
        dead = units.loc[units["dead"].astype(bool), "unit"].tolist()
        if dead:
            out.append(
                Sentence(
                    f"{len(dead)} of {width} ReLU units in hidden layer {layer} "
                    f"({_names(dead)}) output 0 on every one of the {rows:,} training rows: "
                    "they are dead, their outgoing weights never act and their incoming "
                    f"weights get no gradient, so the layer works with {width - len(dead)} "
                    "units. A smaller learning_rate_init or another random_state can avoid "
                    "this.",
                    "warning",
                )
            )
        saturated = units.loc[units["saturated"].astype(bool), "unit"].tolist()
        if saturated:
            limit = "±1" if model.activation == "tanh" else "0 or 1"
            scale_hint = (
                ""
                if "scale" in fit.pipeline.named_steps
                else " Standardising the features usually prevents this."
            )
            out.append(
                Sentence(
                    f"{len(saturated)} of {width} {model.activation} units in hidden layer "
                    f"{layer} ({_names(saturated)}) are saturated: on at least 90% of the "
                    f"training rows their output is within 0.01 of {limit}, where their "
                    f"gradient is nearly zero, so they barely learn.{scale_hint}",
                    "warning",
                )
            )
    return out


def _names(units: list[str], most: int = 6) -> str:
    shown = ", ".join(units[:most])
    return shown + (f" and {len(units) - most} more" if len(units) > most else "")


def _single_weight_sentence(fit: FitResult, layout: NetworkLayout) -> Sentence:
    model = fit.model
    W = model.coefs_[0]
    i, j = np.unravel_index(np.argmax(np.abs(W)), W.shape)
    feature, unit = layout.labels[0][i], layout.labels[1][j]
    # Paths from one first-layer unit to the outputs: one per unit of every later layer.
    paths = int(np.prod(layout.units[2:]))
    text = (
        f"The largest first-layer weight, coefs_[0][{feature} → {unit}] = {W[i, j]:.3g}, "
        f"is not a coefficient of {feature}: unlike a linear model's coefficient it does not "
        f"say how the prediction moves with {feature}. Its effect passes through {unit}'s "
        f"{model.activation} and then along {paths:,} weighted paths to the output, mixed "
        "with every other feature's, and can change size and sign from one row to the next."
    )
    if len(model.coefs_) > 2:
        V = model.coefs_[1]
        a, b = np.unravel_index(np.argmax(np.abs(V)), V.shape)
        text += (
            f" A weight deeper in, such as coefs_[1][{layout.labels[1][a]} → "
            f"{layout.labels[2][b]}] = {V[a, b]:.3g}, joins two hidden units and refers to "
            "no feature at all."
        )
    return Sentence(text)


def _target_scale_sentences(fit: FitResult, dataset: Dataset) -> list[Sentence]:
    y = dataset.y.iloc[fit.split.train].to_numpy(dtype=float)
    mean, sd = float(np.mean(y)), float(np.std(y))
    if max(abs(mean), sd) <= 10:
        return []
    return [
        Sentence(
            f"MLPRegressor does not standardise the target: {fit.target} has mean {mean:.4g} "
            f"and SD {sd:.4g} on the training rows, while the initial weights give outputs "
            "near 0, so the early epochs are spent just reaching the target's scale and the "
            "loss (half the squared error) is in the target's units squared."
        )
    ]


def interpret(fit: FitResult, dataset: Dataset, learned: LearnedParameters) -> list[Sentence]:
    """Sentences with the user's numbers: the count against the training rows, how training
    stopped, dead or saturated hidden units, and what a single weight does not mean."""
    model = fit.model
    layout = learned.detail if isinstance(learned.detail, NetworkLayout) else network_layout(fit)
    rows = len(fit.split.train)
    out = [_count_sentence(fit, dataset, learned, rows)]
    verdict = fit_verdict_sentence(
        fit, "a larger alpha, early_stopping or fewer units may narrow the gap"
    )
    out += [verdict] if verdict else []
    out += _stopping_sentences(fit, rows)
    if model.activation != "identity":
        out += _unit_sentences(fit, dataset, layout.labels)
        out.append(_single_weight_sentence(fit, layout))
    else:
        effective = layout.units[0] * layout.units[-1] + layout.units[-1]
        out.append(
            Sentence(
                f"With activation identity the layers compose into one linear map: the "
                f"{learned.n_parameters:,} parameters express no more than the {effective:,} "
                "coefficients and intercepts of a linear model on the same features."
            )
        )
    if dataset.task == "regression":
        out += _target_scale_sentences(fit, dataset)
    if fit.hyperparameters.get("random_state") is None:
        out.append(
            Sentence(
                "random_state is none: every fit starts from other random weights, so these "
                "values change on each refit of the same data; set random_state to make them "
                "reproducible."
            )
        )
    return out


SCRIPT_PARAMETERS = """\
learned = {}
for i, (w, b) in enumerate(zip(model.coefs_, model.intercepts_)):
    learned[f"coefs_[{i}]"] = w.tolist()
    learned[f"intercepts_[{i}]"] = b.tolist()
"""


def explain_warnings(fit: FitResult) -> list[str]:
    """The family's ``explain_warnings``: non-convergence and the like in plain sentences,
    with the epochs run and how fast the loss was still falling."""
    sentences = warning_sentences(
        fit.warnings,
        fit.hyperparameters,
        len(fit.split.train),
        getattr(fit.model, "loss_curve_", None),
    )
    return [s.text for s in sentences] or list(fit.warnings)


def effective_parameters(fit: FitResult, dataset: Dataset) -> float:
    """The network's effective number of parameters
    (:mod:`core.families.neural_network.effective`): the
    Gauss–Newton hat-matrix trace under its ``alpha``, at the weights this fit found; the
    nominal count when the Jacobian would be too large to form (a wide network on many rows).

    For fixed weights the count falls as ``alpha`` grows, but a sweep refits the network at
    each ``alpha`` and the weights it finds move too, so the swept count need not fall. On
    diabetes (the page's initial network: layers (8, 4), relu, adam, 500 epochs), the weights
    fitted at alpha = 1e-4 count 93.0 at their own alpha and 70.8 under alpha = 100, while
    refitted at each alpha from 1e-6 to 0.1 the count stays between 91.9 and 93.0 and rises
    from 91.94 at alpha = 0.0147 to 92.33 at alpha = 0.0383.
    """
    value = effective_network_parameters(fit.model, model_features(fit, dataset))
    return value if math.isfinite(value) else float(extract(fit).n_parameters)


#: The network's ``effective_definition``.
NETWORK_EFFECTIVE = (
    "MacKay's count of well-determined parameters (MacKay 1992, A practical Bayesian "
    "framework for backpropagation networks): the hat-matrix trace of the network linearised "
    "at the weights this fit found, tr[(G + Λ)⁺ G] with G the Gauss–Newton curvature of the "
    "summed loss and Λ = alpha on each weight, 0 on the biases. For those fixed weights a "
    "larger alpha lowers it, but each alpha of a sweep is a new fit whose weights settle "
    "elsewhere, so the swept count need not fall as alpha grows"
)


def training_seconds(
    estimator_id: str, values: dict[str, Any], X_train: pd.DataFrame, y_train: pd.Series
) -> float:
    """The family's ``estimate_seconds``: the training time estimated from the layer
    widths, rows, batches and epochs (an upper bound measured on this machine)."""
    task = "classification" if estimator_id == "mlp_classifier" else "regression"
    n_classes = int(pd.Series(y_train).nunique()) if task == "classification" else 0
    units = planned_layer_units(
        X_train.shape[1], values.get("hidden_layer_sizes", (100,)), task, n_classes
    )
    return estimated_training_seconds(len(y_train), units, values)


def budget_problem(
    estimator_id: str, values: dict[str, Any], X_train: pd.DataFrame, y_train: pd.Series
) -> str | None:
    """The family's ``check``: refuse, in a sentence, a network that could take minutes to
    train on these rows (a link must not be able to ask the server for that)."""
    task = "classification" if estimator_id == "mlp_classifier" else "regression"
    n_classes = int(pd.Series(y_train).nunique()) if task == "classification" else 0
    units = planned_layer_units(
        X_train.shape[1], values.get("hidden_layer_sizes", (100,)), task, n_classes
    )
    try:
        check_training_budget(len(y_train), units, values)
    except ValueError as exc:
        return str(exc)
    return None


FAMILY = FamilySpec(
    id="neural_network",
    title="Neural network",
    icon=":material/hub:",
    tasks=("classification", "regression"),
    summary="A multilayer perceptron: layers of units, each a weighted sum of the layer "
    "before passed through an activation; it learns a weight matrix and a bias vector per "
    "layer.",
    estimators=(
        EstimatorSpec(
            id="mlp_classifier",
            label="MLPClassifier",
            estimator=MLPClassifier,
            hyperparameters=NAMES,
            summary="Predicts class probabilities: a logistic output unit for two classes, "
            "a softmax over one unit per class for more; minimises the log loss.",
            resolve=resolve_mlp,
            task="classification",
        ),
        EstimatorSpec(
            id="mlp_regressor",
            label="MLPRegressor",
            estimator=MLPRegressor,
            hyperparameters=NAMES,
            summary="Predicts a number with one linear output unit; minimises half the "
            "squared error.",
            resolve=resolve_mlp,
            task="regression",
        ),
    ),
    hyperparameters=HYPERPARAMETERS,
    learned="coefs_ (one weight matrix per layer) and intercepts_ (one bias vector per layer)",
    default_dataset="iris",
    extract=extract,
    interpret=interpret,
    script_parameters=SCRIPT_PARAMETERS,
    check=budget_problem,
    estimate_seconds=training_seconds,
    explain_warnings=explain_warnings,
    capacity="alpha",
    effective_parameters=effective_parameters,
    sweep_measures=weight_norm_measures,
    effective_definition=NETWORK_EFFECTIVE,
    explain_row=network_row_story,
)
