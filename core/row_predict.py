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
