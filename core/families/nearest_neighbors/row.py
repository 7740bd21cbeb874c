"""One row through a fitted nearest-neighbours model: the k stored rows nearest to it (from
``kneighbors``), their distances and weights, and the vote (classifier) or the weighted mean
(regressor) that is the prediction."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.data.tables import Dataset
from core.families.nearest_neighbors.stored import row_vote
from core.fitting import FitResult
from core.row_story import RowStory, StoryMetric, StoryTable, model_input, probability_series
from core.text import format_number


def _stored_itself(dataset: Dataset, row: pd.DataFrame, nearest: int, distance: float) -> bool:
    """Whether the row is the stored training row ``nearest`` itself (same values)."""
    if distance != 0:
        return False
    a = dataset.X.iloc[nearest].to_numpy(dtype=float)
    b = row.iloc[0].to_numpy(dtype=float)
    return bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


def _changes(before: RowStory, after: RowStory) -> list[str]:
    """Which neighbours left and which joined."""
    b, a = list(before.trace.get("neighbours", ())), list(after.trace.get("neighbours", ()))
    if not b or not a:
        return []
    left = [r for r in b if r not in a]
    joined = [r for r in a if r not in b]
    if not left and not joined:
        same = "in the same order" if a == b else "in another order"
        return [f"The same {len(a)} neighbours, {same}."]
    return [
        f"{len(joined)} of the {len(a)} neighbours changed: rows "
        + ", ".join(map(str, left))
        + " left; rows "
        + ", ".join(map(str, joined))
        + " joined (positions in the data set)."
    ]


def neighbours_row_story(fit: FitResult, dataset: Dataset, row: pd.DataFrame) -> RowStory:
    """The nearest stored rows of one row, their distances and votes.

    Parameters
    ----------
    fit : FitResult
        A fitted nearest-neighbours page.
    dataset : Dataset
        The data it was fitted on.
    row : DataFrame of one row
        The features in their own units (edits applied).
    """
    model = fit.model
    first = row_vote(fit, dataset, row)
    nearest = int(first.neighbors["row"].iloc[0])
    itself = _stored_itself(dataset, row, nearest, float(first.neighbors["distance"].iloc[0]))
    vote = row_vote(fit, dataset, row, is_training_row=itself)
    k = int(model.n_neighbors)
    scaled = "scale" in fit.pipeline.named_steps
    z = np.asarray(model_input(fit.pipeline, row), dtype=float)
    proba = probability_series(model, z)
    if vote.is_training_row:
        where = (
            f"This is training row {nearest}, stored by the model: it is its own nearest "
            "neighbour, at distance 0"
            + (
                ", and with weights = distance it decides alone."
                if model.weights == "distance"
                else "."
            )
        )
    else:
        where = "The model never stored this row: it searches the stored rows for the nearest."
    where += " Distances are measured as the model sees the rows" + (
        " (standardised features)." if scaled else " (features in their own units)."
    )
    tables = [
        StoryTable(
            f"The {k} nearest stored rows",
            vote.neighbors.rename(columns={"train_index": "stored row"}),
            "rank 1 is the nearest; stored row is the position among the stored training "
            "rows (kneighbors' index), row the position in the data set; weight is its say "
            "in the vote: 1, or 1 / distance.",
        )
    ]
    if vote.votes is not None:
        votes = vote.votes.assign(**{"class": vote.votes["class"].astype(str)})
        tables.append(
            StoryTable(
                "The vote",
                votes,
                f"The class with the largest summed weight wins: {vote.prediction}. Ties go "
                "to the first class in the model's order; the shares are predict_proba.",
            )
        )
        outcome = f"The vote gives {vote.prediction}."
    else:
        outcome = (
            f"The prediction is the {'weighted ' if model.weights == 'distance' else ''}mean "
            f"of the {k} neighbours' targets: {format_number(vote.prediction)}."
        )
    rows = vote.neighbors["row"].tolist()
    features = pd.concat([row, dataset.X.iloc[rows]]).reset_index(drop=True)
    features.insert(0, "which", ["this row", *[f"#{r}" for r in vote.neighbors["rank"]]])
    tables.append(
        StoryTable(
            "Their features, in the features' own units",
            features,
            "The row first, then its neighbours by rank: what the distances compare.",
        )
    )
    return RowStory(
        prediction=vote.prediction,
        probabilities=proba,
        sentences=(where, outcome),
        tables=tuple(tables),
        metrics=(StoryMetric("Neighbours", k, "n_neighbors: set by you."),),
        trace={"neighbours": tuple(int(r) for r in vote.neighbors["row"])},
        changes=_changes,
        method="Nothing is learned: the model stores the training rows and, for each new "
        "row, finds the k nearest (kneighbors) and lets them vote or averages their targets "
        "(scikit-learn's user guide, 'Nearest Neighbors').",
    )
