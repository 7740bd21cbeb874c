"""The nearest-neighbours family: ``KNeighborsClassifier`` on classes, ``KNeighborsRegressor``
on numbers.

The family with nothing to learn: fitting stores the training rows, and every prediction
is a vote (or average) of the ``n_neighbors`` stored rows nearest to the query. So
``extract`` returns no groups and ``n_parameters`` is 0; what the model keeps instead is a
:class:`core.learned.StoredData`, set beside the count a parametric model would learn on the
same data (:func:`core.families.nearest_neighbors.stored.parametric_count`). Every number on the
page is either set
(``n_neighbors``, ``weights``, the distance) or data.

Invalid combinations: ``p`` is the Minkowski power and scikit-learn silently ignores it for
any other metric, so :func:`resolve_neighbors` refuses a ``p`` other than 2 with another
metric, in a sentence. ``n_neighbors`` larger than the training rows is accepted by ``fit``
and refused only at ``predict``, so :func:`setting_problem` says it before any fitting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

from core.data.tables import Dataset
from core.families.nearest_neighbors.cost import search_seconds
from core.families.nearest_neighbors.measures import stored_measures
from core.families.nearest_neighbors.row import neighbours_row_story
from core.families.nearest_neighbors.stored import (
    ParametricCount,
    n_neighbors_problem,
    parametric_count,
    smoother_trace,
    stored_data,
)
from core.family import EstimatorSpec, FamilySpec
from core.fit_verdict import fit_verdict_sentence
from core.fitting import FitResult
from core.learned import LearnedParameters
from core.specs import ParamSpec
from core.text import Sentence

#: Features whose spreads differ by more than this factor dominate unstandardised distances.
SPREAD_WARN = 10.0

METRICS = ("minkowski", "euclidean", "manhattan", "chebyshev")


def resolve_neighbors(values: dict[str, Any]) -> dict[str, Any]:
    """Refuse a Minkowski power with another metric, which scikit-learn would ignore.

    Raises
    ------
    ValueError
        When ``metric`` is not ``"minkowski"`` and ``p`` is not 2 (its default).
    """
    out = dict(values)
    metric, p = out.get("metric", "minkowski"), out.get("p", 2.0)
    if metric != "minkowski" and p != 2:
        raise ValueError(
            f"p = {p:g} is the power of the Minkowski distance and does nothing with the "
            f"{metric} metric; set metric to minkowski to use it, or p back to 2."
        )
    return out


def setting_problem(
    estimator_id: str, hyperparameters: dict[str, Any], X_train: pd.DataFrame, y_train: pd.Series
) -> str | None:
    """Why this setting cannot predict from these training rows, as a sentence.

    Parameters
    ----------
    estimator_id : str
        ``"knn_classifier"`` or ``"knn_regressor"`` (both take the same settings).
    hyperparameters : dict
        The values by name; a missing ``n_neighbors`` is scikit-learn's 5.
    X_train : DataFrame
        The training features (unused: the check needs only the targets).
    y_train : Series
        The training targets (only their number matters).

    Returns
    -------
    str or None
        ``None`` when the setting can be fitted and used; otherwise what to change.
    """
    return n_neighbors_problem(int(hyperparameters.get("n_neighbors", 5)), len(y_train))


# --- hyperparameters ---------------------------------------------------------------------
N_NEIGHBORS = ParamSpec(
    name="n_neighbors",
    label="n_neighbors (k)",
    kind="int",
    default=5,
    low=1,
    high=1000,
    step=1,
    help="How many of the nearest training rows vote on (or are averaged into) each "
    "prediction. Small k follows single rows (wiggly, over-fits); large k smooths toward "
    "the overall majority or mean. Never learned: it is chosen, ideally by cross-validation.",
)
WEIGHTS = ParamSpec(
    name="weights",
    label="weights",
    kind="choice",
    default="uniform",
    choices=("uniform", "distance"),
    help="'uniform': every neighbour counts the same. 'distance': nearer neighbours count "
    "more (1 / distance); a query at distance 0 from a stored row takes that row's target.",
)
METRIC = ParamSpec(
    name="metric",
    label="metric (distance)",
    kind="choice",
    default="minkowski",
    choices=METRICS,
    help="How distance is measured. minkowski uses the power p (p=2: straight-line "
    "euclidean, p=1: manhattan, sum of absolute differences); chebyshev is the largest "
    "single-feature difference.",
)
P = ParamSpec(
    name="p",
    label="p (Minkowski power)",
    kind="float",
    default=2.0,
    low=1.0,
    high=20.0,
    step=0.5,
    help="The power of the Minkowski distance: 1 is manhattan, 2 euclidean, larger values "
    "approach chebyshev. Only used with metric minkowski.",
)
ALGORITHM = ParamSpec(
    name="algorithm",
    label="algorithm (neighbour search)",
    kind="choice",
    default="auto",
    choices=("auto", "ball_tree", "kd_tree", "brute"),
    role="optimizer",
    help="How the nearest stored rows are found: brute force compares with every row, "
    "kd_tree and ball_tree build an index first. Changes speed only, never the answer "
    "(up to neighbours tied at the same distance).",
)
LEAF_SIZE = ParamSpec(
    name="leaf_size",
    label="leaf_size (index buckets)",
    kind="int",
    default=30,
    low=1,
    high=1000,
    step=1,
    role="optimizer",
    help="How many rows a kd_tree or ball_tree index keeps per bucket. Changes speed and "
    "memory only, never the answer.",
)

KNN_PARAMS = ("n_neighbors", "weights", "metric", "p", "algorithm", "leaf_size")


# --- what is stored ----------------------------------------------------------------------
@dataclass(frozen=True)
class NeighborsDetail:
    """What the neighbours page shows beside the (empty) learned parameters.

    Parameters
    ----------
    parametric : ParametricCount
        The count a parametric model would learn on the same data.
    search : str
        The search the model uses (``auto`` resolved to ``brute``, ``kd_tree`` or
        ``ball_tree``).
    effective_metric : str
        The distance actually computed (``minkowski`` with p=2 is ``euclidean``).
    """

    parametric: ParametricCount
    search: str
    effective_metric: str


def extract(fit: FitResult) -> LearnedParameters:
    """No learned groups; what the model stores, and a parametric model's count beside it."""
    model = fit.model
    n_classes = len(model.classes_) if hasattr(model, "classes_") else None
    parametric = parametric_count(int(model.n_features_in_), n_classes)
    metric = str(model.effective_metric_)
    if metric == "minkowski":
        metric += f" (p = {model.effective_metric_params_['p']:g})"
    detail = NeighborsDetail(parametric, str(model._fit_method), metric)
    stored = stored_data(model)
    return LearnedParameters(
        groups=(),
        stored=stored,
        notes=(
            "Nearest neighbours learn no parameters: n_parameters is 0. The fitted "
            "attributes (n_samples_fit_, effective_metric_, classes_) are bookkeeping, and "
            "the stored rows are the data themselves.",
            f"A {parametric.model} on the same data would learn {parametric.count} numbers "
            f"({parametric.formula}); this model stores {stored.n_values:,} values, and more "
            "with every row added.",
        ),
        detail=detail,
    )


SCRIPT_PARAMETERS = """\
# Nearest neighbours learn nothing: fitting stores the training rows and their targets,
# and every prediction searches them. There are no learned arrays to print.
learned = {}
stored = {"n_rows": int(model.n_samples_fit_), "n_features": int(model.n_features_in_)}
"""


# --- interpretation ----------------------------------------------------------------------
def _k_sentence(fit: FitResult, dataset: Dataset) -> Sentence:
    model = fit.model
    k, n = int(model.n_neighbors), int(model.n_samples_fit_)
    text = f"With k = {k}, each prediction rests on {k} of the {n} stored rows ({k / n:.1%}). "
    if k == 1 or model.weights == "distance":
        why = "k = 1" if k == 1 else "weights = distance"
        text += (
            f"With {why} every training row is its own nearest neighbour at distance 0 and "
            "decides its own prediction, so the training score is near perfect and says "
            "nothing about new rows; the boundary follows single rows."
        )
    elif k >= n / 2:
        text += (
            "k is at least half the stored rows, so predictions drift toward the overall "
            f"{'majority class' if dataset.task == 'classification' else 'mean'}: a smooth "
            "model that can miss real structure. Smaller k follows the data more closely."
        )
    else:
        text += (
            "Smaller k follows single rows (a wiggly boundary); larger k averages more rows "
            "(smoother, and at k = all rows every prediction is the same). The validation "
            "curve shows where the held-out score peaks."
        )
    return Sentence(text)


def _fit_sentence(fit: FitResult, dataset: Dataset) -> Sentence:
    score = "accuracy" if dataset.task == "classification" else "R²"
    train = float(fit.metrics.loc[score, "train"])
    if fit.in_sample:
        return Sentence(
            f"Training {score} is {train:.3f}, in-sample only: with no test rows nothing "
            "shows how the model does on new rows.",
        )
    return fit_verdict_sentence(fit, "a larger k, averaging more rows, usually narrows the gap")


def _scale_sentence(fit: FitResult) -> Sentence:
    if "scale" in fit.pipeline.named_steps:
        return Sentence(
            "Features are standardised, so a difference of one standard deviation counts "
            "the same in every feature's share of the distance."
        )
    sd = np.asarray(fit.feature_sd, dtype=float)
    positive = sd[sd > 0]
    if len(positive) < 2 or positive.max() / positive.min() <= SPREAD_WARN:
        return Sentence(
            "Features are not standardised, but their spreads are within a factor of "
            f"{SPREAD_WARN:g} of each other, so none dominates the distance."
        )
    big = int(np.argmax(sd))
    return Sentence(
        f"Features are not standardised and their spreads differ by a factor of "
        f"{positive.max() / positive.min():,.0f}: the distance, and so every neighbour, is "
        f"dominated by {fit.feature_names[big]} (sd {sd[big]:.4g}). Standardising changes "
        "which rows are neighbours.",
        level="warning",
    )


def interpret(fit: FitResult, dataset: Dataset, learned: LearnedParameters) -> list[Sentence]:
    """Sentences about the fitted model with the user's numbers.

    It learned nothing; what it stores against a parametric model's count; ``n_neighbors``
    is purely a hyperparameter and what it does here (small k wiggly, large k smooth);
    the over-fitting verdict on the split (:mod:`core.fit_verdict`); whether the distance
    is dominated by one feature's units; and that ``algorithm`` and ``leaf_size`` change
    speed only.
    """
    model = fit.model
    stored = learned.stored
    detail: NeighborsDetail = learned.detail
    out = [
        Sentence(
            f"This model learned nothing: 0 parameters. Fitting stored the {stored.n_rows:,} "
            f"training rows × {stored.n_features} features ({stored.n_values:,} numbers, "
            f"{stored.n_bytes / 1024:,.1f} KiB with the targets), and every prediction "
            "searches them."
        ),
        Sentence(
            f"A {detail.parametric.model} on the same data would learn "
            f"{detail.parametric.count} numbers ({detail.parametric.formula}); the stored "
            "values grow with the data instead."
        ),
        Sentence(
            f"n_neighbors = {model.n_neighbors} is purely a hyperparameter: nothing about it is "
            "fitted, and it is the main thing that shapes this model."
        ),
        _k_sentence(fit, dataset),
        _fit_sentence(fit, dataset),
        _scale_sentence(fit),
        Sentence(
            f"Distances are {detail.effective_metric}. algorithm = {model.algorithm} (the "
            f"search used is {detail.search}) and leaf_size = {model.leaf_size} change how "
            "fast neighbours are found, never which (up to ties at equal distance)."
        ),
    ]
    return out


def rows_per_neighbour(fit: FitResult, dataset: Dataset) -> float:
    """k-nearest neighbours' effective number of parameters: the trace of its smoother.

    n / k with uniform weights (each training row is one of its own k neighbours, at weight
    1 / k); n with ``weights="distance"`` (each training row is its own neighbour at
    distance 0 and takes all the weight). Computed exactly by
    :func:`core.families.nearest_neighbors.stored.smoother_trace`, so duplicated rows, which share
    the weight, count
    as they should.
    """
    return smoother_trace(fit, dataset)


FAMILY = FamilySpec(
    id="nearest_neighbors",
    title="Nearest neighbours",
    icon=":material/scatter_plot:",
    tasks=("classification", "regression"),
    summary="Predicts from the k most similar training rows; it learns nothing and stores "
    "the data instead, so k is a pure hyperparameter.",
    estimators=(
        EstimatorSpec(
            "knn_classifier",
            "k-nearest-neighbours classifier",
            KNeighborsClassifier,
            KNN_PARAMS,
            "predicts the class most common (or most weighted) among the k nearest rows.",
            resolve=resolve_neighbors,
            task="classification",
        ),
        EstimatorSpec(
            "knn_regressor",
            "k-nearest-neighbours regressor",
            KNeighborsRegressor,
            KNN_PARAMS,
            "predicts the (weighted) mean target of the k nearest rows.",
            resolve=resolve_neighbors,
            task="regression",
        ),
    ),
    hyperparameters=(N_NEIGHBORS, WEIGHTS, METRIC, P, ALGORITHM, LEAF_SIZE),
    learned="nothing: the fitted model stores the training rows (_fit_X) and targets",
    default_dataset="iris",
    extract=extract,
    interpret=interpret,
    script_parameters=SCRIPT_PARAMETERS,
    default_estimator="knn_classifier",
    scale_default=True,
    check=setting_problem,
    estimate_seconds=search_seconds,
    capacity="n_neighbors",
    effective_parameters=rows_per_neighbour,
    steering="Speed only (the same neighbours, found faster)",
    sweep_measures=stored_measures,
    effective_definition="the trace of the smoother, the weight each training row gives its "
    "own target: n / k with uniform weights, since k-nearest neighbours averages k of n "
    "training rows like a model with n / k parameters (Hastie et al., The Elements of "
    "Statistical Learning, section 7.6); n with weights = distance, since every training "
    "row is its own neighbour at distance 0 and takes all the weight",
    explain_row=neighbours_row_story,
)
