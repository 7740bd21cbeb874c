"""Nearest neighbours: what the model stores instead of parameters, one row's neighbours and
vote, the validation curve over ``n_neighbors``, the search algorithms' speed, and decision
regions on two features.

Facts about scikit-learn 1.9's ``KNeighbors*`` this module relies on:

- Fitting learns nothing. It stores the training matrix (``_fit_X``, as the model saw it:
  standardised when the page standardises) and the targets (``_y``), and optionally builds a
  search index (``kd_tree``, ``ball_tree``). ``n_samples_fit_`` and ``n_features_in_`` are
  public; the stored arrays are not, and are read here only to measure them.
- The model keeps a *reference* to the array it was given, not a copy. The page's pipeline
  always hands it a fresh array (``iloc`` takes rows into a new array; a scaler writes a
  new one), so a cached model never aliases the user's frame; a test checks it.
- ``kneighbors(X)`` of a training row finds the row itself first, at distance 0.
- ``weights="distance"`` weighs each neighbour by 1 / distance; when some neighbours are at
  distance 0, those get weight 1 and the rest 0.
- ``n_neighbors`` larger than the stored rows is accepted by ``fit`` and refused only at
  ``predict``; :func:`n_neighbors_problem` says so as a sentence before fitting.
- ``algorithm`` and ``leaf_size`` change how neighbours are searched, never which are found,
  except among neighbours tied at the same distance, where row order can decide.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from sklearn.base import clone
from sklearn.metrics import accuracy_score, get_scorer, r2_score
from sklearn.model_selection import (
    KFold,
    LeaveOneOut,
    StratifiedKFold,
    cross_val_predict,
    cross_val_score,
)
from threadpoolctl import threadpool_limits

from core.axes import log_ticks
from core.data.tables import Dataset
from core.fitting import FitResult, recorded_warnings
from core.learned import StoredData
from core.scoring import TASK_SCORING
from core.sweeps import best_value

#: Leave-one-out cross-validation is used up to this many training rows...
LOO_MAX_ROWS = 150
#: ...and this many fits (training rows × values of k); larger data get K-fold. One
#: leave-one-out fold (clone, scale, fit, predict one row) costs 3-12 ms on a busy 2-core
#: host, so this bounds the curve to a few seconds.
LOO_MAX_FITS = 800
#: The default leave-one-out curve visits about this many values of k.
LOO_POINTS = 7
#: Folds when leave-one-out is too costly.
KFOLD = 5
#: The default validation curve visits at most this many values of k.
CURVE_POINTS = 12
#: ...and none larger than this.
CURVE_MAX_K = 100
#: Search algorithms compared by :func:`algorithm_comparison`, ``auto`` first.
ALGORITHMS = ("auto", "brute", "kd_tree", "ball_tree")
#: Grid points per axis of :func:`neighbor_regions`.
REGION_GRID = 80


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
    model = fit.model
    distances, indices = model.kneighbors(model_input(fit.pipeline, dataset.X.iloc[[position]]))
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
        is_training_row=bool(np.isin(position, fit.split.train)),
    )


# --- the validation curve over n_neighbors -----------------------------------------------
@dataclass(frozen=True, eq=False)
class KCurve:
    """Training and cross-validated scores against ``n_neighbors``.

    Parameters
    ----------
    table : DataFrame
        ``n_neighbors``, ``train`` (the pipeline refitted on all training rows and scored
        on them, as the page's training score), ``validation`` (cross-validated) and
        ``validation_sd`` (spread over the folds; NaN with leave-one-out, whose folds are
        single rows).
    score : str
        The page's score: ``"accuracy"`` or ``"R²"``.
    cv : str
        How the rows were split, as a phrase.
    best : int
        The ``n_neighbors`` with the best validation score (the smallest on a tie).
    warnings : tuple of str
        What scikit-learn warned about.
    """

    table: pd.DataFrame
    score: str
    cv: str
    best: int
    warnings: tuple[str, ...]


def default_ks(k_max: int, current: int | None = None, points: int = CURVE_POINTS) -> list[int]:
    """About ``points`` values of k from 1 to ``k_max`` (at most :data:`CURVE_MAX_K`),
    geometrically spaced (dense where k is small and every step matters), with ``current``
    added."""
    k_max = max(1, min(k_max, CURVE_MAX_K))
    ks = set(np.unique(np.round(np.geomspace(1, k_max, points)).astype(int)).tolist())
    if current is not None and 1 <= current <= k_max:
        ks.add(int(current))
    return sorted(ks)


def choose_cv(n_rows: int, n_ks: int) -> str | int:
    """``"loo"`` when leave-one-out over ``n_ks`` values of k on ``n_rows`` training rows is
    within :data:`LOO_MAX_ROWS` and :data:`LOO_MAX_FITS`, else :data:`KFOLD`."""
    return "loo" if n_rows <= LOO_MAX_ROWS and n_rows * n_ks <= LOO_MAX_FITS else KFOLD


def k_validation_curve(
    fit: FitResult,
    dataset: Dataset,
    ks: Sequence[int] | None = None,
    *,
    cv: str | int = "auto",
) -> KCurve:
    """Cross-validate the page's pipeline over ``n_neighbors`` on its training rows.

    The whole pipeline (imputation and scaling too) is refitted inside every fold by
    scikit-learn. Leave-one-out uses ``cross_val_predict`` with ``LeaveOneOut`` and scores
    the pooled held-out predictions once: for accuracy that is exactly the mean of the
    per-row scores ``cross_val_score`` would give, and for regression it is the R² of the
    held-out predictions (the R² of a single row, which ``cross_val_score`` would need, is
    undefined). K-fold uses ``cross_val_score``.

    Parameters
    ----------
    fit : FitResult
        The page's fit; its pipeline and training rows are reused.
    dataset : Dataset
        Its data set.
    ks : sequence of int, optional
        The values of ``n_neighbors``; by default :func:`default_ks` up to the rows of the
        smallest training fold. Values larger than a training fold are dropped.
    cv : "auto", "loo" or int, default="auto"
        ``"loo"``: leave-one-out (every training row is a fold). An int: that many folds
        (stratified for classes), shuffled with seed 0. ``"auto"``: leave-one-out when the
        training rows are at most :data:`LOO_MAX_ROWS` and the fits (rows × values of k)
        at most :data:`LOO_MAX_FITS`, else :data:`KFOLD` folds.

    Returns
    -------
    KCurve
    """
    X_frame, y_frame = fit.split.train_rows(dataset)
    # Plain arrays: scikit-learn's per-fold checks of a DataFrame cost several times the
    # neighbour search itself on small data.
    X_train, y_train = X_frame.to_numpy(dtype=float), y_frame.to_numpy()
    n = len(y_train)
    classify = dataset.task == "classification"
    if cv == "auto":
        n_ks = len(ks) if ks is not None else len(default_ks(n - 1, None, LOO_POINTS))
        cv = choose_cv(n, n_ks)
    if cv == "loo":
        splitter: Any = LeaveOneOut()
        fold_rows = n - 1
        label = f"leave-one-out ({n} folds of one row each)"
        points = LOO_POINTS
    else:
        folds = int(cv)
        if classify:
            folds = min(folds, int(y_frame.value_counts().min()))
        if folds < 2:
            raise ValueError("Too few training rows per class for cross-validation.")
        kind = StratifiedKFold if classify else KFold
        splitter = kind(n_splits=folds, shuffle=True, random_state=0)
        fold_rows = n - int(np.ceil(n / folds))
        label = f"{folds}-fold{' stratified' if classify else ''} cross-validation"
        points = CURVE_POINTS
    current = int(fit.model.n_neighbors)
    ks = default_ks(fold_rows, current, points) if ks is None else sorted({int(k) for k in ks})
    ks = [k for k in ks if 1 <= k <= fold_rows]
    if not ks:
        raise ValueError(f"No n_neighbors fits the {fold_rows} rows of a training fold.")
    scoring = TASK_SCORING[dataset.task]
    scorer = get_scorer(scoring.scorer)
    rows = []
    with recorded_warnings() as shown, one_thread():
        for k in ks:
            pipeline = clone(fit.pipeline).set_params(model__n_neighbors=k)
            train = float(scorer(clone(pipeline).fit(X_train, y_train), X_train, y_train))
            if cv == "loo":
                held_out = cross_val_predict(pipeline, X_train, y_train, cv=splitter)
                metric = accuracy_score if classify else r2_score
                valid, sd = float(metric(y_train, held_out)), np.nan
            else:
                scores = cross_val_score(
                    pipeline, X_train, y_train, cv=splitter, scoring=scoring.scorer
                )
                valid, sd = float(scores.mean()), float(scores.std())
            rows.append(
                {"n_neighbors": k, "train": train, "validation": valid, "validation_sd": sd}
            )
    table = pd.DataFrame(rows)
    # The same "best value" as every sweep's (the page's sentence and its button use it).
    best = int(best_value(table.rename(columns={"n_neighbors": "value", "validation": "cv_mean"})))
    return KCurve(table, scoring.primary, label, best, tuple(shown))


def k_curve_figure(curve: KCurve, current: int | None = None) -> go.Figure:
    """Training and validation score against n_neighbors (log x axis).

    Trace 0 is the training score, trace 1 the validation score; a dotted line marks
    ``current``.
    """
    table = curve.table
    fig = go.Figure()
    for column, name in (("train", "training"), ("validation", curve.cv.split(" (")[0])):
        fig.add_trace(
            go.Scatter(
                x=table["n_neighbors"].tolist(),
                y=table[column].tolist(),
                mode="lines+markers",
                name=name,
                hovertemplate=f"k=%{{x}}: %{{y:.4g}}<extra>{name}</extra>",
            )
        )
    if current is not None:
        fig.add_vline(x=current, line_dash="dot", line_color="#444")
    fig.update_layout(
        xaxis={
            "title": "n_neighbors (k)",
            "type": "log",
            **log_ticks(float(table["n_neighbors"].min()), float(table["n_neighbors"].max())),
        },
        yaxis_title=curve.score,
        height=340,
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
    )
    return fig


# --- algorithm and leaf_size: speed, not answers -----------------------------------------
def _tied(distances: np.ndarray, k: int) -> np.ndarray:
    """Rows whose k-th and (k+1)-th nearest stored rows are equally far (so which one is a
    neighbour depends on row order)."""
    if distances.shape[1] <= k:
        return np.zeros(len(distances), dtype=bool)
    kth, next_ = distances[:, k - 1], distances[:, k]
    return np.isclose(kth, next_, rtol=1e-12, atol=1e-12)


def algorithm_comparison(
    fit: FitResult,
    dataset: Dataset,
    *,
    leaf_sizes: Sequence[int] = (),
    repeats: int = 3,
) -> pd.DataFrame:
    """Fit each search algorithm, time it, and check that it finds the same answers.

    Every algorithm (and each of ``leaf_sizes`` for the tree searches) is fitted on the
    page's training rows, then queried on its test rows (the training rows without a test
    share). Its neighbour distances and predictions are compared with ``brute`` (exhaustive
    search).

    Parameters
    ----------
    fit : FitResult
        The page's fit (its ``leaf_size`` is always included).
    dataset : Dataset
        Its data set.
    leaf_sizes : sequence of int, default=()
        More ``leaf_size`` values to try for ``kd_tree`` and ``ball_tree``.
    repeats : int, default=3
        Timings are the fastest of this many runs, single-threaded (see
        :func:`one_thread`), so they compare the searches rather than thread start-up.

    Returns
    -------
    DataFrame
        ``algorithm``, ``leaf_size``, ``used`` (the search ``auto`` picked, else the
        algorithm), ``fit_ms``, ``query_ms`` (``kneighbors`` and ``predict``),
        ``max_distance_difference`` (largest gap to brute force's neighbour distances),
        ``differing_predictions``, ``differing_untied`` (differences on rows whose k-th
        neighbour is not tied, which must be 0), ``tied_rows`` (query rows whose k-th and
        (k+1)-th neighbours are equally far, where row order may decide) and
        ``same_answer``.
    """
    X_train, y_train = fit.split.train_rows(dataset)
    X_query = fit.split.test_rows(dataset)[0] if not fit.in_sample else X_train
    model = fit.model
    k = int(model.n_neighbors)
    settings = [(a, int(model.leaf_size)) for a in ALGORITHMS]
    settings += [
        (a, int(s))
        for a in ("kd_tree", "ball_tree")
        for s in leaf_sizes
        if int(s) != model.leaf_size
    ]
    results = []
    reference: dict[str, np.ndarray] = {}
    with recorded_warnings(), one_thread():
        for algorithm, leaf_size in [("brute", int(model.leaf_size)), *settings]:
            pipeline = clone(fit.pipeline).set_params(
                model__algorithm=algorithm, model__leaf_size=leaf_size
            )
            fit_times, query_times = [], []
            for _ in range(max(1, repeats)):
                start = time.perf_counter()
                pipeline.fit(X_train, y_train)
                fit_times.append(time.perf_counter() - start)
                query = model_input(pipeline, X_query)
                start = time.perf_counter()
                distances, _ = pipeline.named_steps["model"].kneighbors(query)
                predicted = pipeline.named_steps["model"].predict(query)
                query_times.append(time.perf_counter() - start)
            if not reference:
                n_fit = pipeline.named_steps["model"].n_samples_fit_
                wide, _ = pipeline.named_steps["model"].kneighbors(
                    query, n_neighbors=min(k + 1, n_fit)
                )
                reference = {"distances": distances, "predicted": predicted, "tied": _tied(wide, k)}
                continue
            differ = np.asarray(predicted != reference["predicted"])
            if np.issubdtype(np.asarray(predicted).dtype, np.floating):
                differ = ~np.isclose(predicted, reference["predicted"], rtol=1e-9, atol=1e-12)
            gap = float(np.max(np.abs(distances - reference["distances"])))
            untied = int((differ & ~reference["tied"]).sum())
            results.append(
                {
                    "algorithm": algorithm,
                    "leaf_size": leaf_size if algorithm != "brute" else np.nan,
                    "used": pipeline.named_steps["model"]._fit_method,
                    "fit_ms": 1000 * min(fit_times),
                    "query_ms": 1000 * min(query_times),
                    "max_distance_difference": gap,
                    "differing_predictions": int(differ.sum()),
                    "differing_untied": untied,
                    "tied_rows": int(reference["tied"].sum()),
                    "same_answer": untied == 0 and gap <= 1e-9 * (1 + float(np.max(distances))),
                }
            )
    return pd.DataFrame(results)


# --- decision regions on two features ----------------------------------------------------
@dataclass(frozen=True, eq=False)
class NeighborRegions:
    """Predictions over a grid of two features, for several values of ``n_neighbors``.

    Parameters
    ----------
    features : tuple of str
        The two features (x axis, y axis).
    x, y : ndarray of shape (grid,)
        Grid coordinates in the features' own units.
    ks : tuple of int
        The values of ``n_neighbors`` refitted.
    predictions : ndarray of shape (len(ks), grid, grid)
        ``predictions[m, i, j]`` at ``(x[j], y[i])`` for ``ks[m]``: the class's index in
        ``classes`` (classifier) or the predicted value (regressor).
    classes : tuple of str or None
        The class labels in the model's order; ``None`` for a regressor.
    points : DataFrame
        The training rows: the two features and ``target``.
    scores : DataFrame
        ``n_neighbors``, ``train``, ``test`` (the page's score, on the two features).
    skipped : tuple of int
        Values of k larger than the training rows, left out.
    """

    features: tuple[str, str]
    x: np.ndarray
    y: np.ndarray
    ks: tuple[int, ...]
    predictions: np.ndarray
    classes: tuple[str, ...] | None
    points: pd.DataFrame
    scores: pd.DataFrame
    skipped: tuple[int, ...]


def neighbor_regions(
    fit: FitResult,
    dataset: Dataset,
    features: tuple[str, str],
    ks: Sequence[int],
    *,
    grid: int = REGION_GRID,
) -> NeighborRegions:
    """Refit the page's pipeline on two features for each ``k`` and predict over a grid.

    Same training rows, preprocessing and other hyperparameters as the page; only the
    features and ``n_neighbors`` change. The grid spans the training rows plus 5 % a side.
    """
    if len(set(features)) != 2 or any(f not in dataset.X.columns for f in features):
        raise ValueError("Pick two different features of this data set.")
    columns = list(features)
    X_train, y_train = fit.split.train_rows(dataset)
    X_train = X_train[columns]
    test = fit.split.test_rows(dataset)
    lows, highs = X_train.min().to_numpy(float), X_train.max().to_numpy(float)
    pad = 0.05 * np.where(highs > lows, highs - lows, 1.0)
    x = np.linspace(lows[0] - pad[0], highs[0] + pad[0], grid)
    y = np.linspace(lows[1] - pad[1], highs[1] + pad[1], grid)
    xx, yy = np.meshgrid(x, y)
    cells = pd.DataFrame({features[0]: xx.ravel(), features[1]: yy.ravel()})
    scorer = TASK_SCORING[dataset.task]
    usable = [int(k) for k in ks if int(k) <= len(y_train)]
    skipped = tuple(int(k) for k in ks if int(k) > len(y_train))
    predictions, scores = [], []
    classes = None
    with recorded_warnings(), one_thread():
        for k in usable:
            pipeline = clone(fit.pipeline).set_params(model__n_neighbors=k)
            pipeline.fit(X_train, y_train)
            predicted = pipeline.predict(cells)
            model = pipeline.named_steps["model"]
            if hasattr(model, "classes_"):
                classes = tuple(str(c) for c in model.classes_)
                predicted = np.searchsorted(model.classes_, predicted)
            predictions.append(np.asarray(predicted, dtype=float).reshape(grid, grid))
            train = scorer.metrics(pipeline, X_train, y_train)[scorer.primary]
            tested = (
                scorer.metrics(pipeline, test[0][columns], test[1])[scorer.primary]
                if test is not None
                else np.nan
            )
            scores.append({"n_neighbors": k, "train": train, "test": tested})
    points = X_train.assign(target=y_train.to_numpy())
    return NeighborRegions(
        features=(features[0], features[1]),
        x=x,
        y=y,
        ks=tuple(usable),
        predictions=np.array(predictions).reshape(len(usable), grid, grid),
        classes=classes,
        points=points,
        scores=pd.DataFrame(scores, columns=["n_neighbors", "train", "test"]),
        skipped=skipped,
    )


def regions_figure(regions: NeighborRegions, index: int = 0) -> go.Figure:
    """The predicted classes (or values) over the grid for ``regions.ks[index]``, with the
    training rows on top. Trace 0 is the heatmap, then one scatter per class (or one)."""
    z = regions.predictions[index]
    points = regions.points
    fx, fy = regions.features
    fig = go.Figure()
    if regions.classes is not None:
        palette = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")
        n = len(regions.classes)
        colours = [palette[i % len(palette)] for i in range(n)]
        scale = []
        for i, colour in enumerate(colours):
            scale += [[i / n, colour], [(i + 1) / n, colour]]
        fig.add_trace(
            go.Heatmap(
                x=regions.x,
                y=regions.y,
                z=z,
                zmin=-0.5,
                zmax=n - 0.5,
                colorscale=scale,
                opacity=0.35,
                showscale=False,
                hoverinfo="skip",
            )
        )
        labels = points["target"].astype(str)
        for i, name in enumerate(regions.classes):
            rows = points[labels == name]
            fig.add_trace(
                go.Scatter(
                    x=rows[fx],
                    y=rows[fy],
                    mode="markers",
                    name=name,
                    marker={"color": colours[i], "size": 6, "line": {"width": 0.5}},
                )
            )
    else:
        fig.add_trace(go.Heatmap(x=regions.x, y=regions.y, z=z, colorscale="Viridis", opacity=0.6))
        fig.add_trace(
            go.Scatter(
                x=points[fx],
                y=points[fy],
                mode="markers",
                name="training rows",
                marker={"color": points["target"], "colorscale": "Viridis", "size": 6},
            )
        )
    fig.update_layout(
        xaxis_title=fx,
        yaxis_title=fy,
        title=f"n_neighbors = {regions.ks[index]}",
        height=420,
        margin={"l": 10, "r": 10, "t": 40, "b": 40},
    )
    return fig
