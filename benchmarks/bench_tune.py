"""Speed of the Tune tab's search (``core.search``) against bare scikit-learn.

Elastic net on diabetes (training rows, standardised), 2 hyperparameters × 10 values
(``alpha`` log-spaced 0.001..1000, ``l1_ratio`` 0..1) × 5 folds = 500 fits, every core
(``n_jobs=-1``), timed round-robin in the same run:

- the page's search (``run_search`` without outer folds: the search, its refit, the test
  score, the warnings kept for the page) against a bare ``GridSearchCV(n_jobs=-1).fit`` of
  the same pipeline and grid (target ≤ 1.3×);
- the page's nested search (5 outer folds, plus the final search) against a bare
  ``cross_val_score(GridSearchCV(n_jobs=-1), cv=5)`` plus the final ``fit`` (reported).
"""

from __future__ import annotations

import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score

from benchmarks import Row, interleaved_medians
from core.data.prepare import load_dataset
from core.registry import LINEAR_REGRESSION
from core.search import make_plan, make_search, run_search
from core.setting import Setting
from core.sweeps import training_rows

TITLE = "Tune: a search over 2 hyperparameters × 10 values × 5 folds"
#: From the issue (#21): the page's search within 1.3× the bare GridSearchCV.
MAX_RATIO = 1.3


def run(repeat: int = 7) -> list[Row]:
    dataset = load_dataset("diabetes", "regression")
    setting = Setting.on(dataset, LINEAR_REGRESSION.id, "elasticnet", {})
    family = LINEAR_REGRESSION
    plain = make_plan(family, setting, dataset, ["alpha", "l1_ratio"], [10, 10], outer=None)
    nested = make_plan(family, setting, dataset, ["alpha", "l1_ratio"], [10, 10], outer=5)
    assert plain.size == 100
    X, y = training_rows(dataset, setting.test_size, setting.seed)

    def bare() -> GridSearchCV:
        # The same pipeline and grid as the page's, built by make_search, fitted bare.
        search = make_search(family, setting, dataset, plain, n_jobs=-1)
        return GridSearchCV(search.estimator, search.param_grid, scoring="r2", cv=5, n_jobs=-1).fit(
            X, y
        )

    def bare_nested() -> float:
        search = bare()
        scores = cross_val_score(
            GridSearchCV(search.estimator, search.param_grid, scoring="r2", cv=5, n_jobs=-1),
            X,
            y,
            cv=5,
        )
        return float(scores.mean())

    with warnings.catch_warnings():
        # Small alphas may stop at max_iter: speed is measured here, not convergence.
        warnings.simplefilter("ignore", ConvergenceWarning)
        times = interleaved_medians(
            {
                "ours": lambda: run_search(family, setting, dataset, plain, n_jobs=-1),
                "bare": bare,
            },
            repeat,
        )
        nested_times = interleaved_medians(
            {
                "ours": lambda: run_search(family, setting, dataset, nested, n_jobs=-1),
                "bare": bare_nested,
            },
            max(1, repeat // 2),
        )
    ours = run_search(family, setting, dataset, plain, n_jobs=-1)
    same = ours.best == {k[7:]: v for k, v in bare().best_params_.items()}
    ratio = times["ours"] / times["bare"]
    nested_ratio = nested_times["ours"] / nested_times["bare"]
    return [
        Row(
            "Search: elastic net on diabetes, alpha × l1_ratio (10 × 10), 5 folds, "
            f"n_jobs=-1 (same best values: {'yes' if same else 'no'})",
            times["ours"],
            "bare `GridSearchCV(n_jobs=-1).fit`, same pipeline and grid",
            times["bare"],
            ratio,
            f"≤ {MAX_RATIO}×",
            ratio <= MAX_RATIO and same,
        ),
        Row(
            "Nested: the same search in 5 outer folds, then the final search",
            nested_times["ours"],
            "bare `cross_val_score(GridSearchCV(n_jobs=-1), cv=5)` + `fit`",
            nested_times["bare"],
            nested_ratio,
            "reported",
            None,
        ),
    ]
