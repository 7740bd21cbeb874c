"""One row through a linear model: the intercept plus one contribution per feature
(coefficient × value), summed to the prediction or to each class's score, then (for a
classifier) the sigmoid or softmax to the probabilities.

It serves every model that predicts with ``coef_`` and ``intercept_`` (linear and logistic
regression, SGD, a Huber regressor): whether a model does is checked by the numbers, not by
its family (:func:`is_linear`): the contributions must sum to what the estimator itself
returns for the row.

Two decompositions sum to the same number. *As fitted*: ``coef_`` times the value the model
saw (standardised when the page standardises), so each contribution is measured from the
training mean and the intercept is the prediction for an average row. *In raw units*: the
coefficient per unit of the feature times its own value, so each contribution is measured
from 0 and the intercept is the prediction when every feature is 0 (scikit-learn's user
guide, "Common pitfalls in the interpretation of coefficients of linear models").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.data.tables import Dataset
from core.fitting import FitResult
from core.linear.parameters import INTERCEPT, linear_outputs, raw_linear_coefficients
from core.palette import NEGATIVE, POSITIVE, ZERO
from core.plot_text import figure_builder
from core.row_story import (
    RowStory,
    StoryFigure,
    StoryTable,
    imputed_row,
    model_input,
    model_rows,
    probability_series,
)
from core.text import format_number

#: The waterfall draws this many contributions, the largest first; the rest are one bar.
WATERFALL_TERMS = 12
#: Contributions must sum to the estimator's own output within this (relative) tolerance.
SUM_TOLERANCE = 1e-9


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - np.max(z))
    return e / e.sum()


def scores(model: Any, z: np.ndarray) -> np.ndarray:
    """What the estimator itself returns before any link: ``decision_function`` of a
    classifier (one value per row of ``coef_``), ``predict`` of a regressor."""
    if hasattr(model, "classes_"):
        return np.atleast_1d(np.asarray(model.decision_function(model_rows(model, z)))[0])
    return np.atleast_1d(np.asarray(model.predict(model_rows(model, z)), dtype=float)[0])


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    scale = max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= SUM_TOLERANCE * scale))


def is_linear(fit: FitResult, row: pd.DataFrame) -> bool:
    """Whether the fitted model predicts this row as ``coef_ · x + intercept_`` (checked on
    the row, so a model that only happens to have those attributes is not taken for one)."""
    model = fit.model
    if not (hasattr(model, "coef_") and hasattr(model, "intercept_")):
        return False
    try:
        _, _, coef_fitted, intercept_fitted = raw_linear_coefficients(fit.pipeline)
        z = model_input(fit.pipeline, row)[0]
        if coef_fitted.shape[1] != z.size:
            return False
        return _close(intercept_fitted + coef_fitted @ z, scores(model, z))
    except (AttributeError, ValueError, TypeError):
        return False


def link_function(outputs: np.ndarray, proba: np.ndarray) -> tuple[str, np.ndarray] | None:
    """Which link turns the scores into ``predict_proba``: its name and the probabilities
    it gives, found by checking each candidate against the estimator's own numbers (the
    sigmoid of one log-odds; the softmax of several, multinomial; or each class's sigmoid
    normalised to sum to 1, one class against the rest). ``None`` when none reproduces it."""
    if outputs.size == 1:
        p = _sigmoid(outputs[0])
        candidates = [("sigmoid", np.array([1.0 - p, p]))]
    else:
        s = _sigmoid(outputs)
        candidates = [("softmax", _softmax(outputs)), ("one-vs-rest sigmoid", s / s.sum())]
    for name, values in candidates:
        if values.shape == proba.shape and np.allclose(values, proba, rtol=0, atol=1e-9):
            return name, values
    return None


LINK_TEXT = {
    "sigmoid": "p = 1 / (1 + exp(−log-odds)) for the second class, 1 − p for the first",
    "softmax": "p_k = exp(score_k) / Σ_j exp(score_j) (multinomial)",
    "one-vs-rest sigmoid": "each class's sigmoid of its own score, divided by their sum "
    "(one class against the rest)",
}


@figure_builder
def contribution_waterfall_figure(
    terms: list[str],
    contributions: np.ndarray,
    start: float,
    end: float,
    start_label: str = INTERCEPT,
    end_label: str = "prediction",
    title: str | None = None,
    max_terms: int = WATERFALL_TERMS,
) -> go.Figure:
    """A waterfall from the intercept through each feature's contribution to the result.

    The ``max_terms`` largest contributions (by size) get a bar each, the rest one bar
    together, so the bars still sum exactly. The last bar is ``end`` (the estimator's own
    number), placed by plotly's ``total`` measure at the running sum.

    Returns
    -------
    go.Figure
        One ``go.Waterfall``: ``x`` the labels, ``y`` the start, the contributions and 0
        for the total; ``customdata`` the exact values (the total's is ``end``).
    """
    contributions = np.asarray(contributions, dtype=float)
    order = np.argsort(-np.abs(contributions), kind="stable")
    shown = order[:max_terms]
    rest = order[max_terms:]
    labels = [start_label, *(terms[j] for j in shown)]
    values = [float(start), *(float(contributions[j]) for j in shown)]
    if len(rest):
        labels.append(f"{len(rest)} other features")
        values.append(float(contributions[rest].sum()))
    labels.append(end_label)
    measures = ["absolute", *["relative"] * (len(values) - 1), "total"]
    fig = go.Figure(
        go.Waterfall(
            x=labels,
            y=[*values, 0.0],
            measure=measures,
            customdata=[*values, float(end)],
            hovertemplate="%{x}: %{customdata:.6g}<extra></extra>",
            increasing={"marker": {"color": POSITIVE}},
            decreasing={"marker": {"color": NEGATIVE}},
            totals={"marker": {"color": ZERO}},
            connector={"line": {"color": "#bbbbbb", "width": 1}},
            name="contributions",
        )
    )
    fig.update_layout(
        title=title,
        height=380,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        showlegend=False,
        plot_bgcolor="white",
    )
    fig.update_xaxes(tickangle=-35)
    fig.update_yaxes(gridcolor="#eeeeee")
    return fig


def _pushes(terms: list[str], contributions: np.ndarray, n: int = 3) -> str:
    """Which features pushed up and which down, the largest first, with their numbers."""
    order = np.argsort(-np.abs(contributions), kind="stable")
    up = [j for j in order if contributions[j] > 0][:n]
    down = [j for j in order if contributions[j] < 0][:n]
    parts = []
    if up:
        parts.append("up: " + ", ".join(f"{terms[j]} {contributions[j]:+.4g}" for j in up))
    if down:
        parts.append("down: " + ", ".join(f"{terms[j]} {contributions[j]:+.4g}" for j in down))
    return "; ".join(parts) if parts else "no feature moved it"


def _changes(before: RowStory, after: RowStory) -> list[str]:
    """Which contributions an edit changed (a coefficient times a value: only the edited
    features' can), per output."""
    b, a = before.trace.get("contributions"), after.trace.get("contributions")
    if b is None or a is None or b.shape != a.shape:
        return []
    terms = after.trace["features"]
    outputs = after.trace["outputs"]
    moved = np.flatnonzero(np.any(b != a, axis=0))
    if not len(moved):
        return ["No contribution changed."]
    out = []
    for j in moved:
        per = "; ".join(
            (f"{outputs[k]}: " if len(outputs) > 1 else "") + f"{b[k, j]:+.4g} → {a[k, j]:+.4g}"
            for k in range(a.shape[0])
        )
        out.append(f"{terms[j]}'s contribution (as fitted) moved: {per}.")
    out.append(
        "The intercept and every other feature's contribution stayed the same: a linear "
        "model adds its terms independently."
    )
    return out


def linear_row_story(fit: FitResult, dataset: Dataset, row: pd.DataFrame) -> RowStory:
    """The intercept and each feature's contribution for one row, in both units, summing
    to the estimator's own prediction (regressor) or scores and probabilities (classifier).

    Parameters
    ----------
    fit : FitResult
        A fitted page whose model predicts with ``coef_`` and ``intercept_``.
    dataset : Dataset
        The data it was fitted on (unused: the row carries its values).
    row : DataFrame of one row
        The features in their own units (as in the data set, edits applied).
    """
    model = fit.model
    pipeline = fit.pipeline
    features = [str(f) for f in fit.feature_names]
    coef, intercept, coef_fitted, intercept_fitted = raw_linear_coefficients(pipeline)
    z = model_input(pipeline, row)[0]
    x = imputed_row(pipeline, row)[0]
    fitted_parts = coef_fitted * z[None, :]
    raw_parts = coef * x[None, :]
    own = scores(model, z)
    outputs = list(linear_outputs(model, fit.target))
    scaled = "scale" in pipeline.named_steps
    classifier = hasattr(model, "classes_")
    kind = "log-odds" if classifier and len(outputs) == 1 else "score"
    frames = []
    for k, name in enumerate(outputs):
        frame = pd.DataFrame(
            {
                "term": [INTERCEPT, *features, "= sum"],
                "value": [np.nan, *x, np.nan],
                **({"scaled value": [np.nan, *z, np.nan]} if scaled else {}),
                "coef (per unit)": [np.nan, *coef[k], np.nan],
                **({"coef_ (as fitted)": [np.nan, *coef_fitted[k], np.nan]} if scaled else {}),
                "contribution (raw units)": [intercept[k], *raw_parts[k], own[k]],
                "contribution (as fitted)": [intercept_fitted[k], *fitted_parts[k], own[k]],
            }
        )
        if len(outputs) > 1:
            frame.insert(0, "class", name)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    what = (
        f"the {kind} of {outputs[0]}"
        if classifier and len(outputs) == 1
        else (f"each class's {kind}" if classifier else f"the predicted {fit.target}")
    )
    tables = [
        StoryTable(
            "Contributions: intercept + coefficient × value",
            table,
            f"Each row adds to {what}; the last row is the estimator's own number"
            + (" (decision_function)." if classifier else " (predict).")
            + (
                " As fitted, each feature's value is standardised, so its contribution is "
                "measured from the training mean and the intercept is the prediction for an "
                "average row; in raw units, from 0, with the intercept at every feature = 0."
                if scaled
                else " The model saw the features in their own units, so both columns agree."
            ),
        )
    ]
    prediction = model.predict(model_rows(model, z))[0]
    focus = outputs.index(str(prediction)) if classifier and str(prediction) in outputs else 0
    figures = []
    # The predicted class's waterfall first: the one the sentences below tell.
    for k in [focus, *(k for k in range(len(outputs)) if k != focus)]:
        name = outputs[k]
        end_label = (
            f"log-odds of {name}"
            if classifier and len(outputs) == 1
            else (f"score of {name}" if classifier else "prediction")
        )
        for units, start, parts in (
            ("as fitted", intercept_fitted[k], fitted_parts[k]),
            ("raw units", intercept[k], raw_parts[k]),
        ):
            if units == "raw units" and not scaled:
                continue
            label = (f"{name}, " if len(outputs) > 1 else "") + units
            figures.append(
                StoryFigure(
                    label,
                    contribution_waterfall_figure(
                        features, parts, float(start), float(own[k]), end_label=end_label
                    ),
                )
            )
    sentences = []
    proba = probability_series(model, z[None, :])
    start_what = (
        "for a row at the training means"
        if scaled and getattr(model, "fit_intercept", True)
        else "when every feature is 0"
    )
    head = "Prediction" if not classifier else ("Log-odds" if kind == "log-odds" else "Score")
    sentences.append(
        head
        + (f" of {outputs[focus]}" if classifier else "")
        + f": the intercept {format_number(intercept_fitted[focus])} ({start_what}) plus "
        f"the features' {fitted_parts[focus].sum():+.4g} gives {format_number(own[focus])}. "
        f"They pushed it {_pushes(features, fitted_parts[focus])} (as fitted)."
    )
    if classifier and proba is not None:
        link = link_function(own, proba.to_numpy())
        if link is None:
            sentences.append(
                "The estimator's probabilities do not follow from these scores by a sigmoid "
                "or a softmax, so they are shown as it gives them."
            )
        else:
            name, values = link
            probs = pd.DataFrame(
                {
                    "class": list(proba.index),
                    **({"score": own} if len(outputs) > 1 else {"log-odds": [-own[0], own[0]]}),
                    f"{name}": values,
                    "predict_proba": proba.to_numpy(),
                }
            )
            tables.append(
                StoryTable(
                    f"Scores to probabilities: {name}",
                    probs,
                    f"{LINK_TEXT[name]}. The last column is the estimator's predict_proba: "
                    "the two agree to 1e-9."
                    + (
                        " With two classes the first class's log-odds is minus the second's."
                        if len(outputs) == 1
                        else ""
                    ),
                )
            )
            sentences.append(
                f"The {name} turns the {'log-odds' if len(outputs) == 1 else 'scores'} into "
                f"probabilities: {proba.max():.3f} for {prediction}, the prediction."
            )
    return RowStory(
        prediction=prediction if classifier else float(prediction),
        probabilities=proba,
        sentences=tuple(sentences),
        tables=tuple(tables),
        figures=tuple(figures),
        choose=len(figures) > 1,
        trace={
            "contributions": fitted_parts,
            "intercepts": intercept_fitted,
            "features": features,
            "outputs": outputs,
        },
        changes=_changes,
        method="A linear model adds its intercept and one coefficient × value per feature "
        "(scikit-learn's linear_model: predict = X @ coef_.T + intercept_).",
    )
