"""How the neighbour search algorithms compare in time on this data (same answers), and how
long the comparison itself takes (:func:`comparison_seconds`, the family's cost model)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone

from core.data.tables import Dataset
from core.families.nearest_neighbors.cost import FIT_OVERHEAD, index_seconds, query_seconds
from core.families.nearest_neighbors.stored import model_input, one_thread
from core.fitting import FitResult, recorded_warnings

#: Search algorithms compared by :func:`algorithm_comparison`, ``auto`` first.
ALGORITHMS = ("auto", "brute", "kd_tree", "ball_tree")
#: A search whose run took longer than this is not run again: repeats are for timings
#: short enough to be noise, and a second run of a ten-second search only doubles it.
REPEAT_SECONDS = 1.0


def searches(fit: FitResult, leaf_sizes: Sequence[int] = ()) -> list[tuple[str, int]]:
    """The (algorithm, leaf_size) pairs :func:`algorithm_comparison` runs, in order: brute
    force first (the reference answers), every algorithm at the page's ``leaf_size``, then
    each of ``leaf_sizes`` for the two tree searches."""
    current = int(fit.model.leaf_size)
    pairs = [("brute", current), *((a, current) for a in ALGORITHMS)]
    pairs += [
        (a, int(s)) for a in ("kd_tree", "ball_tree") for s in leaf_sizes if int(s) != current
    ]
    return pairs


def _query_rows(fit: FitResult) -> int:
    """Rows each search is queried on: the test rows (the training rows without any)."""
    return len(fit.split.train) if fit.in_sample else len(fit.split.test)


def search_run_seconds(fit: FitResult, n_features: int, algorithm: str, leaf_size: int) -> float:
    """One timed run of one search: build the index on the training rows, then find the
    query rows' neighbours twice (``kneighbors``, then ``predict``)."""
    values = {**fit.hyperparameters, "algorithm": algorithm, "leaf_size": leaf_size}
    n_train = len(fit.split.train)
    return (
        FIT_OVERHEAD
        + index_seconds(values, n_train, n_features)
        + 2 * query_seconds(values, n_train, n_features, _query_rows(fit))
    )


def comparison_seconds(
    fit: FitResult, dataset: Dataset, *, leaf_sizes: Sequence[int] = (), repeats: int = 3
) -> float:
    """How long :func:`algorithm_comparison` will take: each search's runs
    (:func:`search_run_seconds`, the family's cost model; one run when it is longer than
    :data:`REPEAT_SECONDS`), and brute force's search for one neighbour more."""
    n_features = dataset.X.shape[1]
    total = 0.0
    for algorithm, leaf_size in searches(fit, leaf_sizes):
        one = search_run_seconds(fit, n_features, algorithm, leaf_size)
        total += one * (1 if one > REPEAT_SECONDS else max(1, repeats))
    values = {**fit.hyperparameters, "algorithm": "brute"}
    return total + query_seconds(values, len(fit.split.train), n_features, _query_rows(fit))


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
    progress: Callable[[int, int], None] | None = None,
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
        :func:`one_thread`), so they compare the searches rather than thread start-up; a
        search whose run took longer than :data:`REPEAT_SECONDS` runs once.
    progress : callable, optional
        ``progress(done, total)`` after each search.

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
    k = int(fit.model.n_neighbors)
    pairs = searches(fit, leaf_sizes)
    results = []
    reference: dict[str, np.ndarray] = {}
    with recorded_warnings(), one_thread():
        for done, (algorithm, leaf_size) in enumerate(pairs, start=1):
            pipeline = clone(fit.pipeline).set_params(
                model__algorithm=algorithm, model__leaf_size=leaf_size
            )
            fit_times: list[float] = []
            query_times: list[float] = []
            while len(fit_times) < max(1, repeats):
                start = time.perf_counter()
                pipeline.fit(X_train, y_train)
                fit_times.append(time.perf_counter() - start)
                query = model_input(pipeline, X_query)
                start = time.perf_counter()
                distances, _ = pipeline.named_steps["model"].kneighbors(query)
                predicted = pipeline.named_steps["model"].predict(query)
                query_times.append(time.perf_counter() - start)
                if fit_times[-1] + query_times[-1] > REPEAT_SECONDS:
                    break
            if progress is not None:
                progress(done, len(pairs))
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
