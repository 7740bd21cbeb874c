"""One row through a fitted network, layer by layer: each unit's pre-activation (weights ×
inputs + bias, from ``coefs_`` and ``intercepts_``), the activation function, its activation,
which ReLU units are off, and the output layer's function ending exactly at the estimator's
``predict_proba`` (classifier) or ``predict`` (regressor).

The forward pass is scikit-learn's own (``MLPClassifier._forward_pass``, documented in its
user guide, "Neural network models (supervised)"), written out here so each step can be
shown; the tests check it against the estimator's predictions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from core.data.tables import Dataset
from core.families.neural_network.figures import activation_diagram_figure
from core.families.neural_network.layers import layer_name, unit_labels
from core.fitting import FitResult
from core.row_story import (
    RowStory,
    StoryFigure,
    StoryMetric,
    StoryTable,
    model_input,
    model_rows,
    probability_series,
)

#: The activation functions scikit-learn's networks use, as formulas for the page.
FORMULAS = {
    "identity": "a = z",
    "relu": "a = max(0, z)",
    "tanh": "a = tanh(z)",
    "logistic": "a = 1 / (1 + exp(−z))",
    "softmax": "a_k = exp(z_k) / Σ_j exp(z_j)",
}


def activate(name: str, z: np.ndarray) -> np.ndarray:
    """Apply one of scikit-learn's activation functions to a layer's pre-activations."""
    if name == "identity":
        return z.copy()
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "tanh":
        return np.tanh(z)
    if name == "logistic":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "softmax":
        e = np.exp(z - z.max())
        return e / e.sum()
    raise ValueError(f"unknown activation {name!r}")


def forward_pass(model: Any, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Pre-activations and activations of every layer for one input row.

    Returns
    -------
    pre : list of ndarray
        ``pre[i]`` = ``a[i] @ coefs_[i] + intercepts_[i]``, for layers 1 .. n_layers - 1.
    activations : list of ndarray
        ``activations[0]`` is the input; ``activations[i]`` the output of layer ``i``
        (the hidden activation, then ``out_activation_`` on the last layer).
    """
    a = np.asarray(x, dtype=float)
    pre, acts = [], [a]
    last = len(model.coefs_) - 1
    for i, (W, b) in enumerate(zip(model.coefs_, model.intercepts_, strict=True)):
        z = a @ W + b
        a = activate(model.out_activation_ if i == last else model.activation, z)
        pre.append(z)
        acts.append(a)
    return pre, acts


def _off(model: Any, pre: list[np.ndarray]) -> list[np.ndarray]:
    """Per layer (inputs first), the hidden ReLU units at 0 for this row."""
    out = [np.zeros(model.coefs_[0].shape[0], dtype=bool)]
    for i, z in enumerate(pre):
        hidden = i < len(pre) - 1
        out.append(z <= 0 if hidden and model.activation == "relu" else np.zeros(len(z), bool))
    return out


def _changes(before: RowStory, after: RowStory) -> list[str]:
    """Which ReLU units switched on or off, per hidden layer; else how far the hidden
    activations moved."""
    b_off, a_off = before.trace.get("off"), after.trace.get("off")
    labels = after.trace.get("labels")
    if b_off is None or a_off is None or labels is None:
        return []
    out = []
    relu = after.trace.get("activation") == "relu"
    n_layers = len(labels)
    for layer in range(1, n_layers - 1):
        name = layer_name(layer, n_layers)
        if relu:
            on = [labels[layer][j] for j in np.flatnonzero(b_off[layer] & ~a_off[layer])]
            off = [labels[layer][j] for j in np.flatnonzero(~b_off[layer] & a_off[layer])]
            if on or off:
                parts = []
                if on:
                    parts.append("switched on: " + ", ".join(on))
                if off:
                    parts.append("switched off: " + ", ".join(off))
                out.append(f"{name.capitalize()}: " + "; ".join(parts) + ".")
            else:
                out.append(f"{name.capitalize()}: no unit switched on or off.")
        else:
            moved = np.abs(after.trace["acts"][layer] - before.trace["acts"][layer])
            j = int(np.argmax(moved))
            out.append(
                f"{name.capitalize()}: the activations moved by up to {moved[j]:.3g} "
                f"({labels[layer][j]})."
            )
    return out


def network_row_story(fit: FitResult, dataset: Dataset, row: pd.DataFrame) -> RowStory:
    """The forward pass of one row through the fitted network, layer by layer.

    Parameters
    ----------
    fit : FitResult
        A fitted network page.
    dataset : Dataset
        The data it was fitted on.
    row : DataFrame of one row
        The features in their own units (edits applied).
    """
    model = fit.model
    x = model_input(fit.pipeline, row)[0]
    pre, acts = forward_pass(model, x)
    labels = unit_labels(model, fit.feature_names, fit.target)
    n_layers = len(labels)
    off = _off(model, pre)
    classifier = hasattr(model, "classes_")
    proba = probability_series(model, x[None, :])
    prediction = model.predict(model_rows(model, x))[0]
    tables, sentences = [], []
    for i, (z, a) in enumerate(zip(pre, acts[1:], strict=True), start=1):
        last = i == n_layers - 1
        function = model.out_activation_ if last else model.activation
        frame = pd.DataFrame(
            {
                "unit": list(labels[i]),
                "bias": np.asarray(model.intercepts_[i - 1], dtype=float),
                "pre-activation z": z,
                "activation a": a,
            }
        )
        if not last and model.activation == "relu":
            frame["on"] = ~off[i]
        name = layer_name(i, n_layers)
        tables.append(
            StoryTable(
                f"{name.capitalize()}: z = a_{i - 1} @ coefs_[{i - 1}] + intercepts_[{i - 1}]"
                f", then {function} ({FORMULAS[function]})",
                frame,
                f"{len(z)} units; each z is the previous layer's activations times the "
                f"column of weights into the unit, plus its bias.",
            )
        )
        if not last and model.activation == "relu":
            dead = [labels[i][j] for j in np.flatnonzero(off[i])]
            sentences.append(
                f"{name.capitalize()}: {len(dead)} of {len(z)} ReLU units are off for this "
                "row (z ≤ 0, so they pass 0 on)"
                + (f": {', '.join(dead[:12])}" + (", …" if len(dead) > 12 else "") if dead else "")
                + "."
            )
    out = acts[-1]
    if classifier and proba is not None:
        expected = np.array([1.0 - out[0], out[0]]) if out.size == 1 else out
        sentences.append(
            f"The output layer's {model.out_activation_} gives "
            + ", ".join(f"{c}: {p:.3f}" for c, p in zip(proba.index, expected, strict=True))
            + f" (predict_proba agrees to {np.max(np.abs(expected - proba.to_numpy())):.1g}); "
            f"the largest, {prediction}, is the prediction."
        )
    else:
        sentences.append(
            f"The output layer is {model.out_activation_} (a = z): {out[0]:.6g}, the prediction."
        )
    figure = activation_diagram_figure(
        model.coefs_,
        model.intercepts_,
        labels,
        acts,
        off=off,
        title="Activations for this row (crossed out: a ReLU unit that is off)",
    )
    n_off = int(sum(o.sum() for o in off))
    metrics = (
        (StoryMetric("ReLU units off", n_off, "Hidden ReLU units with z ≤ 0 for this row."),)
        if model.activation == "relu"
        else ()
    )
    return RowStory(
        prediction=prediction if classifier else float(prediction),
        probabilities=proba,
        sentences=tuple(sentences),
        tables=tuple(tables),
        figures=(StoryFigure("network", figure),),
        metrics=metrics,
        trace={
            "off": off,
            "acts": acts,
            "pre": pre,
            "labels": labels,
            "activation": model.activation,
        },
        changes=_changes,
        method="The forward pass: each layer's z = a @ coefs_[i] + intercepts_[i], then its "
        "activation function (scikit-learn's user guide, 'Neural network models "
        "(supervised)').",
    )
