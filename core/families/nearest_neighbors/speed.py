"""How the neighbour search algorithms compare in time on this data (same answers)."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone

from core.data.tables import Dataset
from core.families.nearest_neighbors.stored import model_input, one_thread
from core.fitting import FitResult, recorded_warnings

#: Search algorithms compared by :func:`algorithm_comparison`, ``auto`` first.
ALGORITHMS = ("auto", "brute", "kd_tree", "ball_tree")


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
