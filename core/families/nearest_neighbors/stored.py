"""What k-NN keeps instead of parameters: the stored training rows, how many numbers a
parametric model would need, neighbour weights and one row's vote, and the smoother's
trace (its effective parameters)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from core.data.tables import Dataset
from core.fitting import FitResult
from core.learned import StoredData


# --- the rows as the model sees them ----------------------------------------------------
def one_thread() -> Any:
    """A context in which native thread pools (OpenMP, BLAS) run one thread.

    Repeated neighbour searches on small data are dominated by thread start-up and
    synchronisation: on a busy 2-core host, a leave-one-out fold with k = 100 took ten
    times longer with OpenMP's 2 threads than with 1. The limit is process-wide while the
    block runs (other sessions' fits in those moments are single-threaded too, which is
    harmless).
    """
    return threadpool_limits(limits=1)


def model_input(pipeline: Any, X: pd.DataFrame) -> Any:
    """Rows after every pipeline step but the model (imputation, scaling)."""
    if len(pipeline.steps) == 1:
        return X
    return pipeline[:-1].transform(X)


# --- what is stored instead of parameters ------------------------------------------------
def stored_data(model: Any) -> StoredData:
    """What a fitted ``KNeighbors*`` keeps: the training matrix and the targets.

    ``n_bytes`` counts the stored matrix and targets as held (``_fit_X`` and ``_y``); a
    ``kd_tree`` or ``ball_tree`` search index adds its own node arrays on top.
    """
    X = np.asarray(model._fit_X)
    y = np.asarray(model._y)
    return StoredData(
        n_rows=int(model.n_samples_fit_),
        n_features=int(model.n_features_in_),
        n_bytes=int(X.nbytes + y.nbytes),
        description=(
            f"The model stores all {model.n_samples_fit_:,} training rows "
            f"({model.n_features_in_} features each, as it saw them) and their targets, and "
            "searches them at every prediction. Nothing is estimated: these are the data, "
            "not learned parameters, and they grow with every row added."
        ),
    )


@dataclass(frozen=True)
class ParametricCount:
    """What a parametric model would learn on the same data, for comparison.

    Parameters
    ----------
    model : str
        The model (``"LinearRegression"``, ``"LogisticRegression"``).
    count : int
        Its learned numbers.
    formula : str
        How the count follows from the data's shape.
    """

    model: str
    count: int
    formula: str


def parametric_count(n_features: int, n_classes: int | None = None) -> ParametricCount:
    """The learned-number count of the parametric model of the same task.

    Parameters
    ----------
    n_features : int
        Features the model sees.
    n_classes : int or None
        Classes for classification; ``None`` for regression.

    Returns
    -------
    ParametricCount
        Regression: ``LinearRegression``, one weight per feature and an intercept. Binary
        classification: ``LogisticRegression``, the same. Several classes: multinomial
        ``LogisticRegression``, one weight per feature and an intercept per class.
    """
    p = n_features
    if n_classes is None:
        return ParametricCount(
            "LinearRegression", p + 1, f"{p} weights + 1 intercept, whatever the rows"
        )
    if n_classes <= 2:
        return ParametricCount(
            "LogisticRegression", p + 1, f"{p} weights + 1 intercept, whatever the rows"
        )
    return ParametricCount(
        "LogisticRegression",
        n_classes * (p + 1),
        f"{n_classes} classes × ({p} weights + 1 intercept), whatever the rows",
    )


def n_neighbors_problem(n_neighbors: int, n_rows: int, where: str = "training rows") -> str | None:
    """A sentence when ``n_neighbors`` exceeds the stored rows (``None`` when it fits)."""
    if n_neighbors <= n_rows:
        return None
    return (
        f"n_neighbors is {n_neighbors}, but there are only {n_rows} {where} to take neighbours "
        f"from. Set n_neighbors to {n_rows} or fewer, or lower the test share."
    )


# --- one row's neighbours and vote -------------------------------------------------------
def neighbor_weights(distances: np.ndarray, weights: str) -> np.ndarray:
    """The weight of each neighbour in the vote or average, as scikit-learn gives it.

    ``"uniform"``: 1 each. ``"distance"``: 1 / distance, except that a row with some
    neighbours at distance 0 gives those weight 1 and the others 0.
    """
    distances = np.asarray(distances, dtype=float)
    if weights == "uniform":
        return np.ones_like(distances)
    if weights != "distance":
        raise ValueError(f"Unknown weights {weights!r}.")
    with np.errstate(divide="ignore"):
        out = 1.0 / distances
    zero = np.isinf(out)
    rows = zero.any(axis=-1)
    out[rows] = zero[rows]
    return out


def smoother_trace(fit: FitResult, dataset: Dataset) -> float:
    """The trace of the fitted model's smoother matrix on its training rows.

    A k-nearest-neighbours prediction is a weighted average of the training targets,
    ``ŷ = S y`` (the classifier's class shares too); ``S[i, i]`` is the weight training row
    ``i`` gives its own target, and the trace ``Σ S[i, i]`` is the model's effective number
    of parameters. With uniform weights each row is one of its own k neighbours, so the
    trace is n / k. With ``weights="distance"`` each row is its own neighbour at distance 0,
    which takes all the weight, so the trace is n; a row duplicated m times shares it, 1 / m
    each.

    Parameters
    ----------
    fit : FitResult
        A fitted nearest-neighbours pipeline.
    dataset : Dataset
        Its data set.

    Returns
    -------
    float
    """
    model = fit.model
    X_train, _ = fit.split.train_rows(dataset)
    rows = model_input(fit.pipeline, X_train)
    with one_thread():
        distances, indices = model.kneighbors(rows)
    weights = neighbor_weights(distances, model.weights)
    weights = weights / weights.sum(axis=1, keepdims=True)
    own = indices == np.arange(len(indices))[:, None]
    return math.fsum((weights * own).sum(axis=1))


@dataclass(frozen=True, eq=False)
class NeighborVote:
    """One row's nearest training rows and how they decide its prediction.

    Parameters
    ----------
    neighbors : DataFrame
        One row per neighbour, nearest first: ``rank``, ``train_index`` (position among the
        stored training rows, as ``kneighbors`` returns it), ``row`` (position in the data
        set), ``label`` (the data set's row label), ``distance``, ``target``, ``weight``.
    votes : DataFrame or None
        Classifier: ``class``, ``weight`` (summed), ``share`` (of the total), one row per
        class of the model. ``None`` for a regressor.
    prediction : object
        The class with the largest summed weight (the first in the model's class order
        on a tie), or the weighted mean of the neighbours' targets.
    is_training_row : bool
        Whether the row was stored, so it is its own nearest neighbour.
    """

    neighbors: pd.DataFrame
    votes: pd.DataFrame | None
    prediction: Any
    is_training_row: bool


def neighbor_vote(fit: FitResult, dataset: Dataset, position: int) -> NeighborVote:
    """The nearest stored rows of one data-set row, taken from ``kneighbors``, and the vote.

    Parameters
    ----------
    fit : FitResult
        A fitted nearest-neighbours page.
    dataset : Dataset
        The data set it was fitted on.
    position : int
        Row position in ``dataset`` (a training or a test row).
    """
    if not 0 <= position < len(dataset.y):
        raise ValueError(f"Row {position} does not exist; the data have {len(dataset.y)} rows.")
    return row_vote(
        fit, dataset, dataset.X.iloc[[position]], bool(np.isin(position, fit.split.train))
    )


def row_vote(
    fit: FitResult, dataset: Dataset, row: pd.DataFrame, is_training_row: bool = False
) -> NeighborVote:
    """The nearest stored rows of any row (a data-set row, or one with what-if edits),
    taken from ``kneighbors``, and the vote.

    Parameters
    ----------
    fit, dataset
        As :func:`neighbor_vote`.
    row : DataFrame of one row
        The features in their own units.
    is_training_row : bool, default=False
        Whether the row is a stored training row, unedited.
    """
    model = fit.model
    distances, indices = model.kneighbors(model_input(fit.pipeline, row))
    distances, indices = distances[0], indices[0]
    rows = fit.split.train[indices]
    targets = dataset.y.iloc[rows]
    weight = neighbor_weights(distances[None, :], model.weights)[0]
    neighbors = pd.DataFrame(
        {
            "rank": np.arange(1, len(indices) + 1),
            "train_index": indices,
            "row": rows,
            "label": dataset.X.index[rows],
            "distance": distances,
            "target": targets.to_numpy(),
            "weight": weight,
        }
    )
    if hasattr(model, "classes_"):
        classes = list(model.classes_)
        summed = np.array([weight[targets.to_numpy() == c].sum() for c in classes])
        votes = pd.DataFrame({"class": classes, "weight": summed, "share": summed / summed.sum()})
        prediction = classes[int(np.argmax(summed))]
    else:
        votes = None
        prediction = float(np.sum(weight * targets.to_numpy(dtype=float)) / np.sum(weight))
    return NeighborVote(
        neighbors=neighbors,
        votes=votes,
        prediction=prediction,
        is_training_row=is_training_row,
    )
