"""What a multilayer perceptron learns: its layers, their units and how many parameters
they hold, what a training run costs, and how healthy its hidden units are.

scikit-learn's ``MLPClassifier`` and ``MLPRegressor`` hold one weight matrix ``coefs_[i]`` of
shape (units in layer i, units in layer i + 1) and one bias vector ``intercepts_[i]`` per
layer. This module counts them, labels their units, bounds the cost of training them and
diagnoses their hidden units. How a network got there is in
:mod:`core.families.neural_network.epochs`
(epoch by epoch) and :mod:`core.families.neural_network.refits` (over seeds, alpha and layer
width). Nothing
here re-implements the estimators: every network is trained by scikit-learn itself, and
predictions with other weights come from a copy of the fitted estimator holding them.
"""

from __future__ import annotations

import copy
import itertools
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import is_classifier
from sklearn.neural_network import MLPClassifier, MLPRegressor

from core.data.tables import Dataset
from core.fitting import FitResult
from core.text import Sentence

#: The solvers that train in epochs (passes over the training rows); lbfgs does not.
STOCHASTIC_SOLVERS = ("sgd", "adam")
#: Longest a page may ask one training run to take, by :func:`estimated_training_seconds`.
MAX_TRAINING_SECONDS = 20.0
#: A tanh or logistic unit is saturated on a row when its output is this close to a limit.
SATURATION_MARGIN = 0.01
#: ... and a unit is called saturated when that holds on at least this share of rows.
SATURATED_SHARE = 0.9

#: ``progress(done, total)``: told after each step of a loop of refits (for a progress bar).
Progress = Callable[[int, int], None]


# --- layers and their units --------------------------------------------------------------------
def layer_units(model: MLPClassifier | MLPRegressor) -> list[int]:
    """Units per layer of a fitted network: inputs, each hidden layer, outputs."""
    return [model.coefs_[0].shape[0], *(w.shape[1] for w in model.coefs_)]


def output_width(task: str, n_classes: int = 0, n_targets: int = 1) -> int:
    """Output units scikit-learn builds: 1 for two classes (a logistic unit), one per class
    for more (softmax), one per target for regression."""
    if task == "classification":
        return 1 if n_classes <= 2 else n_classes
    return n_targets


def planned_layer_units(
    n_features: int, hidden_layer_sizes: Sequence[int], task: str, n_classes: int = 0
) -> list[int]:
    """Units per layer a network will have before it is fitted (same as :func:`layer_units`
    after fitting)."""
    return [int(n_features), *map(int, hidden_layer_sizes), output_width(task, n_classes)]


def layer_name(index: int, n_layers: int) -> str:
    """``"input"``, ``"hidden 1"``, ... ``"output"`` for layer ``index`` of ``n_layers``."""
    if index == 0:
        return "input"
    if index == n_layers - 1:
        return "output"
    return f"hidden {index}"


def transition_label(index: int, n_layers: int) -> str:
    """``"input → hidden 1"``: the weight matrix ``coefs_[index]`` between two layers."""
    return f"{layer_name(index, n_layers)} → {layer_name(index + 1, n_layers)}"


def output_labels(model: MLPClassifier | MLPRegressor, target: str) -> tuple[str, ...]:
    """Labels of the output units: the positive class for two classes (its one logistic unit
    gives that class's probability), every class for more, the target for regression."""
    n_out = model.coefs_[-1].shape[1]
    if is_classifier(model):
        classes = [str(c) for c in model.classes_]
        return (classes[1],) if n_out == 1 and len(classes) == 2 else tuple(classes)
    return (target,) if n_out == 1 else tuple(f"{target}[{k}]" for k in range(n_out))


def unit_labels(
    model: MLPClassifier | MLPRegressor, feature_names: Sequence[str], target: str
) -> list[tuple[str, ...]]:
    """One tuple of unit labels per layer: feature names, ``h1_1``-style hidden units, outputs.

    Parameters
    ----------
    model : fitted MLPClassifier or MLPRegressor
    feature_names : sequence of str
        The model's input columns, in order.
    target : str
        The predicted column (labels a regressor's output).

    Returns
    -------
    list of tuple of str
        ``len == model.n_layers_``; ``labels[i][j]`` names unit ``j`` of layer ``i``.
    """
    units = layer_units(model)
    if len(feature_names) != units[0]:
        raise ValueError(f"{len(feature_names)} feature names for {units[0]} inputs")
    hidden = [
        tuple(f"h{layer}_{j + 1}" for j in range(width))
        for layer, width in enumerate(units[1:-1], start=1)
    ]
    return [tuple(map(str, feature_names)), *hidden, output_labels(model, target)]


# --- counting ----------------------------------------------------------------------------------
def parameter_count_table(units: Sequence[int]) -> tuple[pd.DataFrame, str]:
    """Parameters per layer, ``n_in × n_out`` weights plus ``n_out`` biases, and the sum.

    Parameters
    ----------
    units : sequence of int
        Units per layer, inputs first and outputs last (:func:`layer_units` or
        :func:`planned_layer_units`).

    Returns
    -------
    table : DataFrame
        One row per weight matrix: ``layer`` (``"input → hidden 1"``), ``n_in``, ``n_out``,
        ``weights``, ``biases``, ``parameters``.
    formula : str
        The sum with these numbers, such as ``"4·8+8 + 8·4+4 + 4·3+3 = 91"``.
    """
    units = [int(u) for u in units]
    if len(units) < 2 or min(units) < 1:
        raise ValueError("a network needs at least an input and an output layer of 1+ units")
    rows = [
        {
            "layer": transition_label(i, len(units)),
            "n_in": n_in,
            "n_out": n_out,
            "weights": n_in * n_out,
            "biases": n_out,
            "parameters": n_in * n_out + n_out,
        }
        for i, (n_in, n_out) in enumerate(itertools.pairwise(units))
    ]
    table = pd.DataFrame(rows)
    terms = " + ".join(f"{r['n_in']}·{r['n_out']}+{r['n_out']}" for r in rows)
    return table, f"{terms} = {int(table['parameters'].sum()):,}"


# --- cost --------------------------------------------------------------------------------------
def _batch_rows(n_rows: int, batch_size: Any) -> int:
    if batch_size in (None, "auto"):
        return min(200, n_rows)
    return int(np.clip(int(batch_size), 1, n_rows))


def estimated_training_seconds(n_rows: int, units: Sequence[int], values: dict[str, Any]) -> float:
    """A rough upper bound of one training run's wall time, before running it.

    Measured on the development machine (2 shared cores): for adam and sgd about 1 ms per
    epoch, 0.3 ms per mini-batch, 0.3 ns per weight and row, with small batches costing
    as much per row as a batch of 64 (numpy's matrix products need rows to be efficient),
    and 15 ns per weight per mini-batch for the optimiser's update (adam's two moment
    arrays, sgd's velocity: several passes over every weight, whatever the batch; it
    dominates for wide layers on few rows: five layers of 512 units take about 50 ms per
    epoch on 112 rows); for lbfgs about 6 ms per iteration plus 3 ns per weight and row.
    Every epoch up to ``max_iter`` is counted, though the tolerance usually stops training
    earlier.

    Parameters
    ----------
    n_rows : int
        Training rows.
    units : sequence of int
        Units per layer (:func:`planned_layer_units`).
    values : dict
        Hyperparameters: ``solver``, ``max_iter``, ``batch_size``.
    """
    weights = sum(a * b for a, b in itertools.pairwise(units))
    epochs = int(values.get("max_iter", 200))
    if values.get("solver", "adam") == "lbfgs":
        # One full-batch gradient per iteration plus line-search evaluations, with scipy's
        # and the loss function's Python overhead (about 6 ms per iteration measured).
        return epochs * (6e-3 + 3e-9 * weights * n_rows)
    batch = _batch_rows(n_rows, values.get("batch_size", "auto"))
    n_batches = math.ceil(n_rows / batch)
    per_batch = 3e-4 + 3e-10 * weights * max(batch, 64) + 1.5e-8 * weights
    return epochs * (1e-3 + n_batches * per_batch)


def check_training_budget(n_rows: int, units: Sequence[int], values: dict[str, Any]) -> None:
    """Raise ``ValueError`` with a sentence when a run could take over
    :data:`MAX_TRAINING_SECONDS` (a link must not be able to ask for minutes of work)."""
    seconds = estimated_training_seconds(n_rows, units, values)
    if seconds > MAX_TRAINING_SECONDS:
        widths = ",".join(str(u) for u in units[1:-1])
        raise ValueError(
            f"A network with hidden layers {widths} on {n_rows:,} rows could take about "
            f"{seconds:,.0f} s to train for max_iter = {values.get('max_iter', 200)} "
            f"(the limit here is {MAX_TRAINING_SECONDS:.0f} s): use fewer or narrower layers, "
            "fewer iterations or a larger batch_size."
        )


def training_budget_error(
    dataset: Dataset, values: dict[str, Any], test_size: float = 0.25
) -> str | None:
    """The sentence :func:`check_training_budget` would raise for this data set and setting,
    or None when it fits the budget; for the page to call before fitting."""
    n = len(dataset.y)
    n_train = n - math.ceil(test_size * n) if test_size else n
    n_classes = int(dataset.y.nunique()) if dataset.task == "classification" else 0
    units = planned_layer_units(
        dataset.X.shape[1], values.get("hidden_layer_sizes", (100,)), dataset.task, n_classes
    )
    try:
        check_training_budget(n_train, units, values)
    except ValueError as exc:
        return str(exc)
    return None


# --- hidden units ------------------------------------------------------------------------------
_ACTIVATIONS = {
    "identity": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "logistic": lambda z: 1.0 / (1.0 + np.exp(-z)),
}


def hidden_activations(model: MLPClassifier | MLPRegressor, X: Any) -> list[np.ndarray]:
    """Each hidden layer's outputs for some rows (inputs as the model sees them).

    A diagnostic, not a prediction: predictions always come from the estimator itself.

    Returns
    -------
    list of ndarray
        ``activations[l]`` has shape (n_rows, units of hidden layer l + 1).
    """
    act = _ACTIVATIONS[model.activation]
    values = np.asarray(X, dtype=float)
    out = []
    for W, b in zip(model.coefs_[:-1], model.intercepts_[:-1], strict=True):
        values = act(values @ W + b)
        out.append(values)
    return out


def unit_health_table(
    model: MLPClassifier | MLPRegressor,
    X: Any,
    labels: Sequence[Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Per hidden unit: how often it is active, and whether it is dead or saturated.

    A ReLU unit is *dead* when its output is 0 on every row given (its outgoing weights then
    never matter and its incoming weights get no gradient). A tanh or logistic unit is
    *saturated* when its output is within :data:`SATURATION_MARGIN` of a limit on at least
    :data:`SATURATED_SHARE` of the rows (its gradient there is nearly zero).

    Returns
    -------
    DataFrame
        ``layer`` (1-based hidden layer), ``unit`` (label), ``active_share`` (share of rows
        with output above 0; for ReLU), ``saturated_share``, ``dead``, ``saturated``.
    """
    rows = []
    for layer, values in enumerate(hidden_activations(model, X), start=1):
        if model.activation == "tanh":
            near_limit = np.abs(values) > 1 - SATURATION_MARGIN
        elif model.activation == "logistic":
            near_limit = (values < SATURATION_MARGIN) | (values > 1 - SATURATION_MARGIN)
        else:
            near_limit = np.zeros_like(values, dtype=bool)
        active = (values > 0).mean(axis=0)
        saturated_share = near_limit.mean(axis=0)
        for j in range(values.shape[1]):
            rows.append(
                {
                    "layer": layer,
                    "unit": labels[layer][j] if labels else f"h{layer}_{j + 1}",
                    "active_share": float(active[j]),
                    "saturated_share": float(saturated_share[j]),
                    "dead": model.activation == "relu" and active[j] == 0,
                    "saturated": bool(saturated_share[j] >= SATURATED_SHARE),
                }
            )
    return pd.DataFrame(rows)


def layer_table(
    model: MLPClassifier | MLPRegressor, health: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per weight matrix: its shape, count, size of its values and the health of the
    units it feeds.

    Parameters
    ----------
    model : fitted MLPClassifier or MLPRegressor
    health : DataFrame, optional
        :func:`unit_health_table` of the same model, for the ``dead`` and ``saturated``
        counts (NaN without it, and for the output layer, which has no hidden units).

    Returns
    -------
    DataFrame
        ``layer`` (``"input → hidden 1"``), ``coefs`` (``"coefs_[0]: 4 × 8"``),
        ``intercepts`` (``"intercepts_[0]: 8"``), ``weights``, ``biases``, ``parameters``,
        ``weight_norm`` (Euclidean norm of the matrix), ``largest_weight`` (largest absolute
        weight), ``bias_norm``, ``dead`` and ``saturated`` (units of the layer fed).
    """
    rows = []
    for i, (W, b) in enumerate(zip(model.coefs_, model.intercepts_, strict=True)):
        dead = saturated = np.nan
        if health is not None and i < len(model.coefs_) - 1 and len(health):
            units = health[health["layer"] == i + 1]
            dead = int(units["dead"].astype(bool).sum())
            saturated = int(units["saturated"].astype(bool).sum())
        rows.append(
            {
                "layer": transition_label(i, model.n_layers_),
                "coefs": f"coefs_[{i}]: {W.shape[0]} × {W.shape[1]}",
                "intercepts": f"intercepts_[{i}]: {b.shape[0]}",
                "weights": int(W.size),
                "biases": int(b.size),
                "parameters": int(W.size + b.size),
                "weight_norm": float(np.linalg.norm(W)),
                "largest_weight": float(np.abs(W).max()),
                "bias_norm": float(np.linalg.norm(b)),
                "dead": dead,
                "saturated": saturated,
            }
        )
    return pd.DataFrame(rows)


# --- warnings as sentences ---------------------------------------------------------------------
_MAX_ITER = re.compile(r"Maximum iterations \((\d+)\) reached")
_LBFGS = re.compile(r"lbfgs failed to converge after (\d+) iteration")
_BATCH = re.compile(r"batch_size. less than 1 or larger than sample size")


def warning_sentences(
    warnings: Sequence[str],
    values: dict[str, Any],
    n_rows: int,
    loss_curve: Sequence[float] | None = None,
) -> list[Sentence]:
    """Turn the warnings a fit recorded into sentences with the user's numbers.

    Parameters
    ----------
    warnings : sequence of str
        ``FitResult.warnings`` (``"Category: message"``).
    values : dict
        The hyperparameters of the fit.
    n_rows : int
        Training rows.
    loss_curve : sequence of float, optional
        ``loss_curve_``, to say how fast the loss was still falling when training stopped.
    """
    out = []
    for text in warnings:
        if match := _MAX_ITER.search(text):
            epochs = int(match.group(1))
            trend = ""
            if loss_curve is not None and len(loss_curve) > 10:
                before, last = float(loss_curve[-11]), float(loss_curve[-1])
                if before > 0:
                    trend = (
                        f" The training loss fell from {before:.4g} to {last:.4g} over the "
                        "last 10 epochs."
                    )
            out.append(
                Sentence(
                    f"Training stopped at max_iter = {epochs} epochs while the loss was still "
                    f"improving by more than tol, so this is not a finished model.{trend} "
                    "Raise max_iter, or raise learning_rate_init for larger steps.",
                    "warning",
                )
            )
        elif match := _LBFGS.search(text):
            out.append(
                Sentence(
                    f"lbfgs stopped after {match.group(1)} iterations without meeting its "
                    "convergence test, so this is not a finished model: raise max_iter.",
                    "warning",
                )
            )
        elif _BATCH.search(text):
            out.append(
                Sentence(
                    f"batch_size = {values.get('batch_size')} is larger than the {n_rows:,} "
                    f"rows trained on, so scikit-learn used batches of {n_rows:,} (the whole "
                    "training set in every step).",
                    "warning",
                )
            )
        else:
            category, _, message = text.partition(": ")
            first = message.strip().splitlines()[0] if message.strip() else category
            out.append(Sentence(f"scikit-learn warned while training: {first}", "warning"))
    return out


# --- a network with other weights, and its inputs -------------------------------------------
def model_inputs(fit: FitResult, dataset: Dataset, rows: str = "train") -> tuple[Any, Any]:
    """Features as the model sees them (after imputation and scaling) and the target.

    ``rows`` is ``"train"`` or ``"test"`` (the training rows again without a test share).
    """
    positions = fit.split.test if rows == "test" and fit.split.test is not None else None
    positions = fit.split.train if positions is None else positions
    X, y = dataset.X.iloc[positions], dataset.y.iloc[positions]
    if len(fit.pipeline.steps) > 1:
        X = fit.pipeline[:-1].transform(X)
    return X, y


def parameter_arrays(model: MLPClassifier | MLPRegressor) -> list[np.ndarray]:
    """Every learned array of a fitted network: ``coefs_`` then ``intercepts_``."""
    return [*model.coefs_, *model.intercepts_]


def model_with_weights(
    model: MLPClassifier | MLPRegressor,
    coefs: Sequence[np.ndarray],
    intercepts: Sequence[np.ndarray],
) -> MLPClassifier | MLPRegressor:
    """A copy of a fitted estimator holding other weights of the same shapes.

    A shallow copy with new ``coefs_`` and ``intercepts_`` lists: the original (possibly
    cached) estimator is never modified, and predictions come from scikit-learn.
    """
    if [w.shape for w in coefs] != [w.shape for w in model.coefs_]:
        raise ValueError("the weights' shapes differ from the model's")
    twin = copy.copy(model)
    twin.coefs_ = [np.array(w, dtype=float) for w in coefs]
    twin.intercepts_ = [np.array(b, dtype=float) for b in intercepts]
    return twin
