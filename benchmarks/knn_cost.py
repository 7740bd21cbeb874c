"""How well nearest neighbours' cost model estimates its work before doing it: the family's
estimate of a fit (what decides whether the page asks first), and the estimates of the k
curve, the decision regions and the Speed tab's timings, each beside the measured time.

Usage::

    python -m benchmarks.knn_cost [--quick]

Not a ``bench_*`` module (``make bench`` would wait minutes): issue #20's 5,000 × 50 link
with p = 1.5 alone fits for half a minute. ``--quick`` leaves out the settings the page
would ask about first (over a minute each). Every piece runs as the page runs it: one
BLAS thread for fits, one thread for the neighbour searches.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from core.data.prepare import load_dataset
from core.families.nearest_neighbors.family import FAMILY
from core.families.nearest_neighbors.k_curve import (
    curve_grid,
    curve_seconds,
    k_curve_plan,
    k_validation_curve,
)
from core.families.nearest_neighbors.regions import neighbor_regions, regions_seconds
from core.families.nearest_neighbors.speed import algorithm_comparison, comparison_seconds
from core.fitting import fit_model, single_blas_thread
from core.setting import Setting

#: Issue #20's link: /nearest_neighbors?dataset=synthetic_regression&n_samples=5000&n_features=50
ISSUE_DATA = ("synthetic_regression", "regression", {"n_samples": 5000, "n_features": 50})
#: Every leaf size the Speed tab offers besides the page's 30.
EVERY_LEAF_SIZE = (1, 5, 10, 100, 300)


def _timed(work: Callable[..., object], *args: Any, **kwargs: Any) -> float:
    start = time.perf_counter()
    work(*args, **kwargs)
    return time.perf_counter() - start


def _fit_rows(quick: bool) -> list[tuple[str, float, float]]:
    """The family's estimate of a fit against the page's fit (fit and score)."""
    dataset_id, task, options = ISSUE_DATA
    data = load_dataset(dataset_id, task, **options)
    cases = [
        ("iris, defaults", load_dataset("iris", "classification"), "knn_classifier", {}),
        ("issue #20 link, defaults", data, "knn_regressor", {}),
        ("issue #20 link, p=1", data, "knn_regressor", {"p": 1.0}),
        (
            "issue #20 link, ball_tree, leaf_size=1",
            data,
            "knn_regressor",
            {
                "algorithm": "ball_tree",
                "leaf_size": 1,
            },
        ),
    ]
    if not quick:
        cases.append(("issue #20 link, p=1.5", data, "knn_regressor", {"p": 1.5}))
    rows = []
    for label, dataset, estimator, values in cases:
        with single_blas_thread():
            fit = fit_model(FAMILY, estimator, values, dataset)
            seconds = _timed(fit_model, FAMILY, estimator, values, dataset)
        X_train, y_train = fit.split.train_rows(dataset)
        estimate = FAMILY.estimate_seconds(estimator, fit.hyperparameters, X_train, y_train)
        rows.append((f"fit: {label}", estimate, seconds))
    return rows


def _view_rows(quick: bool) -> list[tuple[str, float, float]]:
    """The Speed tab, the k curve and the regions on issue #20's link and on iris."""
    dataset_id, task, options = ISSUE_DATA
    rows = []
    for label, dataset, estimator in (
        ("iris", load_dataset("iris", "classification"), "knn_classifier"),
        ("issue #20 link", load_dataset(dataset_id, task, **options), "knn_regressor"),
    ):
        fit = fit_model(FAMILY, estimator, {}, dataset)
        setting = Setting.on(dataset, FAMILY.id, estimator, fit.hyperparameters)
        for leaves in ((5, 100), EVERY_LEAF_SIZE):
            if quick and label != "iris" and leaves == EVERY_LEAF_SIZE:
                continue
            estimate = comparison_seconds(fit, dataset, leaf_sizes=leaves)
            seconds = _timed(algorithm_comparison, fit, dataset, leaf_sizes=leaves)
            rows.append((f"Speed tab, leaf sizes {leaves}: {label}", estimate, seconds))
        ks, cv = curve_grid(len(fit.split.train))
        plan = k_curve_plan(fit, dataset, ks, cv)
        estimate = curve_seconds(fit, dataset, setting, plan)
        seconds = _timed(k_validation_curve, fit, dataset, setting, plan.ks, cv=cv)
        rows.append((f"k curve ({plan.label}): {label}", estimate, seconds))
        features = (str(dataset.X.columns[0]), str(dataset.X.columns[1]))
        ks = (1, 3, 5, 15, 50)
        estimate = regions_seconds(fit, dataset, setting, features, ks)
        seconds = _timed(neighbor_regions, fit, dataset, setting, features, ks)
        rows.append((f"regions at k {ks}: {label}", estimate, seconds))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="leave out the minute-long cases")
    quick = parser.parse_args().quick
    print("| work | estimate (s) | measured (s) | measured / estimate |")
    print("|---|---:|---:|---:|")
    for label, estimate, seconds in [*_fit_rows(quick), *_view_rows(quick)]:
        print(f"| {label} | {estimate:.2f} | {seconds:.2f} | {seconds / estimate:.2f} |")


if __name__ == "__main__":
    main()
