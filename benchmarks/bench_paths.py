"""Speed of coefficient paths and validation curves (``core.sweeps``).

Paths on diabetes (training rows, standardised, 100 alphas), each against what it replaces:

- our lasso path against a bare ``lasso_path`` call on the already standardised, centred
  design with the same solver settings (our overhead: split, preprocessing, back-transform
  to raw units, entry points) and against 100 independent ``Lasso(alpha).fit`` calls;
- our ridge path (one SVD) against 100 independent ``Ridge(alpha).fit`` calls.

Validation curves: the default sweep of each family's penalty (13 values, 5 folds), by
``validation_curve`` (one fit per value and fold) and by per-fold paths.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, Ridge, lasso_path

from benchmarks import Row, interleaved_medians
from core.data.prepare import load_dataset
from core.fitting import build_pipeline, split_data
from core.linear.path_curve import path_validation_curve_table
from core.linear.paths import coefficient_path
from core.registry import LINEAR_REGRESSION, LOGISTIC_REGRESSION
from core.setting import Setting
from core.sweeps import validation_curve_table

TITLE = "Coefficient paths and validation curves"
N_ALPHAS = 100
#: Targets from the design: a path costs at most 1.5x the bare solver call and is at
#: least 5x faster than refitting per alpha; a default validation curve takes under 2 s.
MAX_OVERHEAD = 1.5
MIN_SPEEDUP = 5.0
MAX_CURVE_SECONDS = 2.0


def _standardised_training_design() -> tuple[np.ndarray, np.ndarray]:
    dataset = load_dataset("diabetes", "regression")
    X, y = split_data(dataset, test_size=0.25, seed=0).train_rows(dataset)
    prep = build_pipeline("passthrough", scale=True, impute=False)
    return np.asarray(prep.fit_transform(X), dtype=float), y.to_numpy(dtype=float)


def path_rows(repeat: int) -> list[Row]:
    """Lasso and ridge paths against the bare solver and against independent fits."""
    dataset = load_dataset("diabetes", "regression")
    Xs, y = _standardised_training_design()
    Xc, yc = np.asfortranarray(Xs - Xs.mean(axis=0)), y - y.mean()
    alpha_max = np.abs(Xc.T @ yc).max() / len(y)
    lasso_grid = np.geomspace(alpha_max * 1e-3, alpha_max, N_ALPHAS)
    ridge_grid = np.geomspace(1e-2, 1e5, N_ALPHAS)
    split = {"scale": True, "test_size": 0.25, "seed": 0}
    lasso_setting = Setting.on(dataset, LINEAR_REGRESSION.id, "lasso", {}, **split)
    ridge_setting = Setting.on(dataset, LINEAR_REGRESSION.id, "ridge", {}, **split)
    with warnings.catch_warnings():
        # Speed is measured here, not convergence: independent fits at the smallest alphas
        # may warn, and the warning text is not what this table reports.
        warnings.simplefilter("ignore", ConvergenceWarning)
        lasso = interleaved_medians(
            {
                "ours": lambda: coefficient_path(
                    LINEAR_REGRESSION, lasso_setting, dataset, alphas=lasso_grid
                ),
                # Same solver settings as ours (Lasso's: precompute=False, tol, max_iter).
                "bare": lambda: lasso_path(Xc, yc, alphas=lasso_grid[::-1], precompute=False),
                "independent": lambda: [Lasso(alpha=a).fit(Xs, y) for a in lasso_grid],
            },
            repeat,
        )
        ridge = interleaved_medians(
            {
                "ours": lambda: coefficient_path(
                    LINEAR_REGRESSION, ridge_setting, dataset, alphas=ridge_grid
                ),
                "independent": lambda: [Ridge(alpha=a).fit(Xs, y) for a in ridge_grid],
            },
            repeat,
        )
    overhead = lasso["ours"] / lasso["bare"]
    lasso_speedup = lasso["independent"] / lasso["ours"]
    ridge_speedup = ridge["independent"] / ridge["ours"]
    return [
        Row(
            f"Lasso path, diabetes, {N_ALPHAS} alphas",
            lasso["ours"],
            "bare `lasso_path`, same design",
            lasso["bare"],
            overhead,
            f"ours / bare <= {MAX_OVERHEAD:g}",
            overhead <= MAX_OVERHEAD,
        ),
        Row(
            f"Lasso path, diabetes, {N_ALPHAS} alphas",
            lasso["ours"],
            f"{N_ALPHAS} x `Lasso(alpha).fit`",
            lasso["independent"],
            lasso_speedup,
            f"independent / ours >= {MIN_SPEEDUP:g}",
            lasso_speedup >= MIN_SPEEDUP,
        ),
        Row(
            f"Ridge path (one SVD), diabetes, {N_ALPHAS} alphas",
            ridge["ours"],
            f"{N_ALPHAS} x `Ridge(alpha).fit`",
            ridge["independent"],
            ridge_speedup,
            f"independent / ours >= {MIN_SPEEDUP:g}",
            ridge_speedup >= MIN_SPEEDUP,
        ),
    ]


def curve_rows(repeat: int) -> list[Row]:
    """Default validation-curve sweeps, by validation_curve and by per-fold paths."""
    diabetes = load_dataset("diabetes", "regression")
    cancer = load_dataset("breast_cancer", "classification")
    cases = [
        ("Linear: ridge alpha, diabetes", LINEAR_REGRESSION, "ridge", "alpha", diabetes),
        ("Linear: lasso alpha, diabetes", LINEAR_REGRESSION, "lasso", "alpha", diabetes),
        ("Logistic: C, breast cancer", LOGISTIC_REGRESSION, "logistic", "C", cancer),
    ]
    rows = []
    # Fewer rounds than the paths: each call is a whole sweep of 65 fits.
    rounds = max(3, repeat // 2)
    with warnings.catch_warnings():
        # The logistic sweep's largest C values stop at max_iter=100 on purpose (the page's
        # default); those warnings are the page's business, not this timing's.
        warnings.simplefilter("ignore", ConvergenceWarning)
        for label, family, estimator, param, dataset in cases:
            setting = Setting.on(dataset, family.id, estimator, {})
            times = interleaved_medians(
                {
                    "grid": lambda f=family, e=estimator, p=param, d=dataset: (
                        validation_curve_table(f, e, {}, d, p)
                    ),
                    "path": lambda f=family, s=setting, d=dataset: path_validation_curve_table(
                        f, s, d
                    ),
                },
                rounds,
            )
            rows.append(
                Row(
                    f"Validation curve, {label} (13 values x 5 folds)",
                    times["grid"],
                    target=f"< {MAX_CURVE_SECONDS:g} s",
                    met=times["grid"] < MAX_CURVE_SECONDS,
                )
            )
            rows.append(
                Row(
                    f"Path validation curve, {label} (13 values x 5 folds)",
                    times["path"],
                    "`validation_curve_table`",
                    times["grid"],
                    times["grid"] / times["path"],
                    "speed-up, reported",
                )
            )
    return rows


def run(repeat: int = 7) -> list[Row]:
    """Every row of this module's table."""
    return path_rows(repeat) + curve_rows(repeat)
