"""Speed of the /capacity page's two runs (#23), each against the bare loop that computes
the same table, measured in the same run (interleaved medians).

- Double descent, the page's defaults (n = 100, p/n from 0.1 to 4 at 20 values, 50 draws
  each): ours (one SVD per draw for both fits, joblib on every core) against a serial
  NumPy loop with ``numpy.linalg.pinv`` and ridge's normal equations.
- Bias and variance, the page's defaults (the first family, its capacity swept over 13
  values, 50 refits of 50 rows each, degree-5 features): ours (joblib on every core, one
  task per value) against a serial scikit-learn loop fitting the same pipelines.

The target is ours ≤ 1.5 × the bare loop: what the page adds (seeded draws, progress,
process start-up amortised, the decomposition) must not cost more than half of the work.
Each run is also timed on one core: on a shared machine the share of the CPU the worker
processes get moves the every-core figure (their CPU time equals the serial loop's), while
the one-core figure is our overhead alone.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone

from benchmarks import Row, interleaved_medians
from core.fitting import single_blas_thread
from core.registry import FAMILIES
from core.risk.bias_variance import (
    bias_variance,
    bias_variance_seconds,
    bias_variance_setup,
    fixed_test_points,
    training_sample,
    true_function,
)
from core.risk.double_descent import DoubleDescentSetup, double_descent, double_descent_seconds
from core.risk.settings import (
    BV_CURVE,
    BV_DEGREE,
    BV_FAMILY,
    BV_N,
    BV_NOISE,
    BV_REPEATS,
    BV_SEED,
    BV_SWEEP,
)

TITLE = "Capacity page: bias-variance refits and double descent"
MAX_RATIO = 1.5


def default_bias_variance_setup():
    family = next(f for f in FAMILIES if f.id == BV_FAMILY.default)
    return bias_variance_setup(
        family,
        sweep=BV_SWEEP.default,
        curve=BV_CURVE.default,
        noise=BV_NOISE.default,
        n=BV_N.default,
        degree=BV_DEGREE.default,
        repeats=BV_REPEATS.default,
        seed=BV_SEED.default,
    )


def bare_bias_variance(setup) -> np.ndarray:
    """The same refits in a plain serial loop, and the four terms (one BLAS thread, as
    ours: otherwise BLAS's own threads fight over two shared cores and the bare side is
    slowed for nothing)."""
    with single_blas_thread():
        return _bare_bias_variance(setup)


def _bare_bias_variance(setup) -> np.ndarray:
    x_test = fixed_test_points().reshape(-1, 1)
    f_test = true_function(setup.curve, x_test.ravel())
    out = []
    for value in setup.grid:
        model = setup.model_at(value)
        predictions = np.empty((setup.repeats, len(f_test)))
        for r in range(setup.repeats):
            X, y = training_sample(setup.curve, setup.noise, setup.n, setup.seed, r)
            predictions[r] = clone(model).fit(X, y).predict(x_test)
        mean = predictions.mean(axis=0)
        out.append(
            [
                np.mean((mean - f_test) ** 2),
                np.mean((predictions - mean) ** 2),
                setup.noise**2,
                np.mean((f_test - predictions) ** 2) + setup.noise**2,
            ]
        )
    return np.array(out)


def bare_double_descent(setup: DoubleDescentSetup) -> np.ndarray:
    """The generated script's loop: pinv for min-norm, normal equations for ridge, on one
    BLAS thread (with BLAS's default threads this loop took 161 s on a loaded 2-core
    machine, against 3.4 s for ours: a measure of oversubscription, not of our code)."""
    with single_blas_thread():
        return _bare_double_descent(setup)


def _bare_double_descent(setup: DoubleDescentSetup) -> np.ndarray:
    out = []
    for p in setup.features:
        alpha = setup.sigma2 * p / setup.r2
        mn, rd = [], []
        for r in range(setup.repeats):
            rng = np.random.default_rng([setup.seed, p, r])
            X = rng.standard_normal((setup.n, p))
            beta = rng.standard_normal(p)
            beta *= np.sqrt(setup.r2) / np.linalg.norm(beta)
            y = X @ beta + np.sqrt(setup.sigma2) * rng.standard_normal(setup.n)
            b_min = np.linalg.pinv(X) @ y
            if p <= setup.n:
                b_ridge = np.linalg.solve(X.T @ X + alpha * np.eye(p), X.T @ y)
            else:
                b_ridge = X.T @ np.linalg.solve(X @ X.T + alpha * np.eye(setup.n), y)
            mn.append(np.sum((b_min - beta) ** 2))
            rd.append(np.sum((b_ridge - beta) ** 2))
        out.append([p / setup.n, np.mean(mn), np.mean(rd)])
    return np.array(out)


def _rows(what: str, reference: str, times: dict[str, float], note: str) -> list[Row]:
    """Two rows: the page's run on every core, and on one core (our overhead alone: on a
    shared machine the cores' share of the CPU moves the first, not the second)."""
    rows = []
    for key, where in (("ours", "every core"), ("one core", "one core")):
        ratio = times[key] / times["bare"]
        rows.append(
            Row(
                f"{what}, {where} ({note})",
                times[key],
                reference,
                times["bare"],
                ratio,
                f"ours / bare <= {MAX_RATIO}",
                ratio <= MAX_RATIO,
            )
        )
    return rows


def run(repeat: int = 7) -> list[Row]:
    rounds = max(3, repeat // 2)
    dd = DoubleDescentSetup()
    ours = double_descent(dd).table
    same = np.allclose(
        ours[["p/n", "min-norm risk (simulated)", "ridge risk (simulated)"]].to_numpy(),
        bare_double_descent(dd),
        rtol=1e-6,
    )
    estimate = double_descent_seconds(dd)
    times = interleaved_medians(
        {
            "ours": lambda: double_descent(dd),
            "one core": lambda: double_descent(dd, n_jobs=1),
            "bare": lambda: bare_double_descent(dd),
        },
        rounds,
    )
    rows = _rows(
        "Double descent, defaults",
        "serial NumPy loop: pinv + ridge normal equations",
        times,
        f"{len(dd.features)} p × {dd.repeats} draws; same table: {'yes' if same else 'no'}; "
        f"estimate {estimate:.1f} s",
    )
    bv = default_bias_variance_setup()
    same = np.allclose(bias_variance(bv).table.to_numpy(), bare_bias_variance(bv), rtol=1e-9)
    estimate = bias_variance_seconds(bv)
    times = interleaved_medians(
        {
            "ours": lambda: bias_variance(bv),
            "one core": lambda: bias_variance(bv, n_jobs=1),
            "bare": lambda: bare_bias_variance(bv),
        },
        rounds,
    )
    rows += _rows(
        "Bias and variance, defaults",
        "serial scikit-learn loop: the same pipelines",
        times,
        f"{bv.family.title}, {len(bv.grid)} values × {bv.repeats} refits; same table: "
        f"{'yes' if same else 'no'}; estimate {estimate:.1f} s",
    )
    return rows


if __name__ == "__main__":
    from benchmarks.run import markdown_table

    print(markdown_table(run()))
