"""One data-set row (with any what-if edits) through a family's fitted model: the family's
own story (``FamilySpec.explain_row``), else the linear story when the model predicts with
``coef_`` and ``intercept_`` (checked on the row's numbers), else the estimator's prediction
alone with a sentence; plus what every family shows (the true target, where each value sits
in the training distribution, what an edit changed)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

from core.data.tables import Dataset
from core.fitting import FitResult, training_features
from core.linear.row import is_linear, linear_row_story
from core.row_story import (
    RowStory,
    edited_row,
    extrapolation_sentence,
    feature_position_table,
    imputed_row,
    model_input,
    model_rows,
    probability_series,
    what_changed,
)

if TYPE_CHECKING:
    from core.family import FamilySpec

#: What the page says when a family has no story of its own and is not linear.
NO_STORY = (
    "This family does not yet show how its learned parameters turn one row into a "
    "prediction: the prediction above is the estimator's own, and the table shows where "
    "the row sits among the training rows."
)


def plain_story(fit: FitResult, dataset: Dataset, row: pd.DataFrame) -> RowStory:
    """The estimator's prediction (and probabilities) for the row, with :data:`NO_STORY`."""
    z = model_input(fit.pipeline, row)
    prediction = fit.model.predict(model_rows(fit.model, z))[0]
    if not hasattr(fit.model, "classes_"):
        prediction = float(prediction)
    return RowStory(
        prediction=prediction,
        probabilities=probability_series(fit.model, z),
        sentences=(NO_STORY,),
    )


def row_story(family: FamilySpec, fit: FitResult, dataset: Dataset, row: pd.DataFrame) -> RowStory:
    """The story of one row: the family's own, the linear one when the numbers show the
    model is linear, or :func:`plain_story`."""
    if family.explain_row is not None:
        return family.explain_row(fit, dataset, row)
    if is_linear(fit, row):
        return linear_row_story(fit, dataset, row)
    return plain_story(fit, dataset, row)


@dataclass(frozen=True, eq=False)
class RowPrediction:
    """A row's story and what every family shows beside it.

    Parameters
    ----------
    position : int
        The row's position in the data set.
    row : DataFrame of one row
        The features as predicted (edits applied).
    edits : dict of str to float
        The what-if edits applied (feature to value).
    story : RowStory
        The story of the row as predicted.
    original : RowStory or None
        The story of the unedited row, when there are edits.
    features : DataFrame
        :func:`core.row_story.feature_position_table` of the row.
    actual : object
        The row's target in the data (of the unedited row).
    is_training : bool
        Whether the row is a training row (the model saw it).
    notes : tuple of str
        Shared sentences: values outside the training range; what an edit changed.
    """

    position: int
    row: pd.DataFrame
    edits: dict[str, float]
    story: RowStory
    original: RowStory | None
    features: pd.DataFrame
    actual: Any
    is_training: bool
    changed: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())


def predict_row(
    family: FamilySpec,
    fit: FitResult,
    dataset: Dataset,
    position: int,
    edits: Mapping[str, float] | None = None,
) -> RowPrediction:
    """Row ``position`` of ``dataset``, with ``edits`` applied, through the fitted model.

    Raises
    ------
    ValueError
        With a sentence, for a row that does not exist or an edit of an unknown feature.
    """
    edits = {str(k): float(v) for k, v in (edits or {}).items()}
    original_row = edited_row(dataset.X, position, {})
    row = edited_row(dataset.X, position, edits)
    story = row_story(family, fit, dataset, row)
    original = row_story(family, fit, dataset, original_row) if edits else None
    scaled = "scale" in fit.pipeline.named_steps
    features = feature_position_table(
        training_features(fit, dataset),
        row,
        original_row,
        model_row=model_input(fit.pipeline, row)[0] if scaled else None,
        imputed=imputed_row(fit.pipeline, row)[0],
    )
    note = extrapolation_sentence(features)
    changed = tuple(what_changed(original, story)) if original is not None else ()
    return RowPrediction(
        position=int(position),
        row=row,
        edits=edits,
        story=story,
        original=original,
        features=features,
        actual=dataset.y.iloc[position],
        is_training=bool(np.isin(position, fit.split.train)),
        changed=changed,
        notes=(note,) if note else (),
    )


@dataclass(frozen=True, eq=False)
class RowComparison:
    """One row under setting A and under setting B.

    Parameters
    ----------
    a, b : RowStory
        The row's story under each fit.
    sentences : tuple of str
        How the prediction moved from A to B and, where the terms keep their meaning across
        the two fits (a linear model's intercept and per-feature contributions), which moved
        it most.
    terms : DataFrame or None
        One row per term (``output`` for several, ``term``, ``A``, ``B``, ``B − A``),
        largest move first, ending in the estimator's own number; ``None`` when the two
        fits share no such terms (a tree's nodes or a network's units are not the same
        things in two fits).
    """

    a: RowStory
    b: RowStory
    sentences: tuple[str, ...]
    terms: pd.DataFrame | None


def compare_row(a: RowStory, b: RowStory) -> RowComparison:
    """Compare one row's stories under A and B (same row, two fits)."""
    moved = (
        what_changed(a, RowStory(prediction=b.prediction, probabilities=b.probabilities))[0]
        .replace("The prediction moved from", "From A to B the prediction moved from")
        .replace("The prediction changed from", "From A to B the prediction changed from")
        .replace("The prediction stays", "A and B both predict")
    )
    sentences = [moved]
    ca, cb = a.trace.get("contributions"), b.trace.get("contributions")
    same = (
        ca is not None
        and cb is not None
        and ca.shape == cb.shape
        and a.trace.get("features") == b.trace.get("features")
        and a.trace.get("outputs") == b.trace.get("outputs")
    )
    if not same:
        return RowComparison(a, b, tuple(sentences), None)
    features = list(b.trace["features"])
    outputs = list(b.trace["outputs"])
    ia, ib = a.trace["intercepts"], b.trace["intercepts"]
    frames = []
    for k, output in enumerate(outputs):
        frame = pd.DataFrame(
            {
                "term": ["(intercept)", *features],
                "A": [ia[k], *ca[k]],
                "B": [ib[k], *cb[k]],
            }
        )
        frame["B − A"] = frame["B"] - frame["A"]
        frame = frame.reindex(frame["B − A"].abs().sort_values(ascending=False).index)
        total = pd.DataFrame(
            {
                "term": ["= sum"],
                "A": [frame["A"].sum()],
                "B": [frame["B"].sum()],
            }
        )
        total["B − A"] = total["B"] - total["A"]
        frame = pd.concat([frame, total], ignore_index=True)
        if len(outputs) > 1:
            frame.insert(0, "output", output)
        frames.append(frame)
        top = frame[frame["term"] != "= sum"].head(3)
        sentences.append(
            (f"{output}: " if len(outputs) > 1 else "")
            + "the terms that moved it most: "
            + ", ".join(f"{t} {d:+.4g}" for t, d in zip(top["term"], top["B − A"], strict=True))
            + " (contributions as each fit holds them, summing to its own number)."
        )
    return RowComparison(a, b, tuple(sentences), pd.concat(frames, ignore_index=True))


#: How many nearest training rows decide whether a row sits where the classes meet: scikit-
#: learn's default ``n_neighbors``, so on the nearest-neighbours page at its defaults the
#: opening row's vote is split.
OPENING_NEIGHBOURS = 5
#: The candidate rows searched, in order: enough to meet the classes in every data set the
#: app ships, and a bound on the work for a large upload (then row 0 is the fallback).
OPENING_CANDIDATES = 500


@dataclass(frozen=True)
class OpeningRow:
    """Where the Predict tab opens: a position among the ``rows`` ("training" or "test")."""

    rows: str
    number: int


def opening_row(fit: FitResult, dataset: Dataset) -> OpeningRow:
    """The row the Predict tab opens on: a test row (new to the model) when there are any,
    and for classes the first whose :data:`OPENING_NEIGHBOURS` nearest training rows do not
    all share one class, so the vote, the probabilities and the tree's path are not a
    foregone conclusion.

    Training row 0 was the old opening, and a training row is its own nearest neighbour at
    distance 0: the vote read 5 of 5 whatever the data. The rule reads only the data and the
    split (distances in the model's input space, after the pipeline's imputation and
    scaling, which belong to the data choice), never a hyperparameter, so the row stays put
    while the user turns the knobs. A number target, or classes with no such row, open on
    the first candidate row.
    """
    split = fit.split
    test = split.test is not None and len(split.test) > 0
    rows, candidates = ("test", split.test) if test else ("training", split.train)
    candidates = candidates[:OPENING_CANDIDATES]
    if dataset.task != "classification" or len(split.train) <= OPENING_NEIGHBOURS:
        return OpeningRow(rows, 0)
    prep = fit.pipeline[:-1]

    def model_space(positions: np.ndarray) -> np.ndarray:
        X = dataset.X.iloc[positions]
        return np.asarray(prep.transform(X) if len(prep) else X, dtype=float)

    # A training row is not its own neighbour: ask for one more and drop it.
    extra = 0 if test else 1
    finder = NearestNeighbors(n_neighbors=OPENING_NEIGHBOURS + extra)
    finder.fit(model_space(split.train))
    _, nearest = finder.kneighbors(model_space(candidates))
    labels = dataset.y.to_numpy()[split.train][nearest[:, extra:]]
    split_votes = np.flatnonzero((labels != labels[:, :1]).any(axis=1))
    return OpeningRow(rows, int(split_votes[0]) if len(split_votes) else 0)
