"""Bias and variance from refits: a family's regressor refitted on many fresh training
samples of a known curve, at each value of its capacity (or of the inputs' polynomial
degree), and scored on fixed test points.

The decomposition (Geman, Bienenstock & Doursat 1992; Hastie, Tibshirani & Friedman,
*The Elements of Statistical Learning*, 2nd ed., eq. 7.9): at a test point x with
y = f(x) + ε, Var ε = σ², the expected squared error of a fit f̂ over training samples is

    E[(y − f̂(x))²] = σ² + (E f̂(x) − f(x))² + E[(f̂(x) − E f̂(x))²]
                   = noise + bias² + variance.

Here E over training samples is the mean over the ``repeats`` refits (a sample quantity)
and E over the test noise is taken exactly (it adds σ²), so bias² + variance + noise equals
the expected test MSE to rounding: an identity of sample means, not an approximation.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, clone
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from core.capacity import capacity_grid, capacity_spec
from core.family import FamilySpec
from core.fitting import single_blas_thread

#: The table's columns, in order.
BV_COLUMNS = ("bias²", "variance", "noise", "expected test MSE")
#: The swept value that is the inputs' polynomial degree rather than a hyperparameter.
DEGREE = "degree"
#: Highest polynomial degree of the input a sweep or a setting may use.
MAX_DEGREE = 15
#: Fixed test points, evenly spaced inside [0, 1].
N_TEST = 100


def _sine(x: np.ndarray) -> np.ndarray:
    return np.sin(2 * np.pi * x)


def _step(x: np.ndarray) -> np.ndarray:
    return (x > 0.5).astype(float)


#: The known true functions f on [0, 1]: id -> (label, f, the same f as script text).
CURVES: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray], str]] = {
    "sine": ("sine, sin(2πx)", _sine, "np.sin(2 * np.pi * x)"),
    "step": ("step at x = 0.5", _step, "(x > 0.5).astype(float)"),
}


def true_function(curve: str, x: np.ndarray) -> np.ndarray:
    """The true curve ``curve`` (a :data:`CURVES` id) at ``x``."""
    return CURVES[curve][1](np.asarray(x, dtype=float))


def fixed_test_points(n_test: int = N_TEST) -> np.ndarray:
    """The fixed test inputs: ``n_test`` evenly spaced midpoints of [0, 1]."""
    return (np.arange(n_test) + 0.5) / n_test


def training_sample(
    curve: str, noise: float, n: int, seed: int, repeat: int
) -> tuple[np.ndarray, np.ndarray]:
    """Training sample number ``repeat``: x uniform on [0, 1], y = f(x) + noise · N(0, 1).

    Its generator is seeded by ``(seed, repeat)`` alone, so every swept value refits the
    same samples (their differences are the value's, not the draw's) and a parallel run
    draws exactly what a serial one does.
    """
    rng = np.random.default_rng([seed, repeat])
    x = rng.uniform(0.0, 1.0, n)
    y = true_function(curve, x) + noise * rng.standard_normal(n)
    return x.reshape(-1, 1), y


# --- which families, which estimator, which values ---------------------------------------
def regression_estimator(family: FamilySpec) -> str | None:
    """The family's regressor that takes its capacity: its page's default for regression
    when that one does, else the first that does; ``None`` when none does."""
    if "regression" not in family.tasks or family.capacity is None:
        return None
    offered = family.estimators_for("regression")
    if not offered:
        return None
    default = family.estimator_spec("regression").default
    for estimator_id in (default, *(e.id for e in offered)):
        if capacity_spec(family, estimator_id) is not None:
            return estimator_id
    return None


def eligible_families(families: Sequence[FamilySpec]) -> list[FamilySpec]:
    """The families with a regressor that takes their capacity hyperparameter."""
    return [f for f in families if regression_estimator(f) is not None]


def degree_grid(n: int) -> tuple[int, ...]:
    """Polynomial degrees swept: 1 to :data:`MAX_DEGREE`, fewer than the ``n`` rows."""
    return tuple(range(1, max(1, min(MAX_DEGREE, n - 1)) + 1))


@dataclass(frozen=True)
class BiasVarianceSetup:
    """Everything one bias-variance run depends on (the cache key of the page).

    Parameters
    ----------
    family : FamilySpec
        The family (one of :func:`eligible_families`).
    estimator_id : str
        Its regressor (:func:`regression_estimator`).
    values : tuple of (str, Any)
        The estimator's hyperparameters held fixed (the swept one is replaced).
    param : str
        The swept name: the family's capacity, or :data:`DEGREE`.
    grid : tuple
        The swept values, ascending.
    current : int
        Position in ``grid`` of the family's current setting (marked on the chart).
    curve : str
        The true function, a :data:`CURVES` id.
    noise : float
        Standard deviation σ of the noise (σ² is the noise term).
    n : int
        Training rows per sample.
    degree : int
        Polynomial degree of the input (when ``param`` is not :data:`DEGREE`).
    repeats : int
        Fresh training samples per value.
    seed : int
        Seed of the samples.
    """

    family: FamilySpec = field(repr=False, compare=False, hash=False)
    family_id: str
    estimator_id: str
    values: tuple[tuple[str, Any], ...]
    param: str
    grid: tuple[Any, ...]
    current: int
    curve: str = "sine"
    noise: float = 0.3
    n: int = 50
    degree: int = 1
    repeats: int = 50
    seed: int = 0
    n_test: int = N_TEST

    def model_at(self, value: Any) -> Pipeline:
        """The unfitted pipeline at one swept value: polynomial features of x, standardised,
        then the family's estimator."""
        values = dict(self.values)
        degree = self.degree
        if self.param == DEGREE:
            degree = int(value)
        else:
            values[self.param] = value
        estimator: BaseEstimator = self.family.get_estimator(self.estimator_id).make(values)
        return make_pipeline(
            PolynomialFeatures(degree, include_bias=False), StandardScaler(), estimator
        )


def bias_variance_setup(
    family: FamilySpec,
    *,
    sweep: str = "capacity",
    values: dict[str, Any] | None = None,
    curve: str = "sine",
    noise: float = 0.3,
    n: int = 50,
    degree: int = 1,
    repeats: int = 50,
    seed: int = 0,
) -> BiasVarianceSetup:
    """The run for ``family``: its capacity swept over :func:`core.capacity.capacity_grid`
    (a whole-number capacity at most ``n``: no more neighbours than rows), or with
    ``sweep="degree"`` the input's polynomial degree over :func:`degree_grid`; the other
    hyperparameters at ``values`` (default: the values its page starts from). The current
    value (``values``' capacity, or ``degree``) is added to the grid when missing."""
    estimator_id = regression_estimator(family)
    if estimator_id is None:
        raise ValueError(f"{family.title} has no regressor with a capacity hyperparameter.")
    specs = family.hyperparameters_for(estimator_id)
    held = {s.name: s.initial for s in specs}
    held.update({k: v for k, v in (values or {}).items() if k in held})
    if sweep == DEGREE:
        param, grid, current = DEGREE, list(degree_grid(n)), int(degree)
    else:
        spec = capacity_spec(family, estimator_id)
        assert spec is not None  # regression_estimator chose an estimator that takes it
        param = spec.name
        grid = capacity_grid(spec, n if spec.kind == "int" else None)
        current = held[param] if held[param] is not None else spec.initial
    at = next((i for i, v in enumerate(grid) if _same(v, current)), None)
    if at is None:
        grid = sorted([*grid, current])
        at = grid.index(current)
    return BiasVarianceSetup(
        family=family,
        family_id=family.id,
        estimator_id=estimator_id,
        values=tuple(sorted(held.items())),
        param=param,
        grid=tuple(grid),
        current=at,
        curve=curve,
        noise=float(noise),
        n=int(n),
        degree=int(degree),
        repeats=int(repeats),
        seed=int(seed),
    )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=1e-12)
    return a == b


# --- the refits ------------------------------------------------------------------------------
def refit_predictions(
    model: Pipeline, curve: str, noise: float, n: int, seed: int, repeats: int, x_test: np.ndarray
) -> tuple[np.ndarray, int]:
    """Fit ``model`` afresh on each of ``repeats`` training samples and predict ``x_test``.

    Returns
    -------
    predictions : ndarray of shape (repeats, len(x_test))
    warned : int
        How many refits scikit-learn warned about (a network stopping at ``max_iter``).
    """
    out = np.empty((repeats, len(x_test)))
    warned = 0
    X_test = x_test.reshape(-1, 1)
    with single_blas_thread():
        for r in range(repeats):
            X, y = training_sample(curve, noise, n, seed, r)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                fitted = clone(model).fit(X, y)
            # Only the fit's own warnings are counted; the suite's errors on deprecations
            # must still surface, so those are raised again.
            for w in caught:
                if issubclass(w.category, DeprecationWarning | FutureWarning):
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            warned += bool(caught)
            out[r] = fitted.predict(X_test)
    return out, warned


def decomposition(predictions: np.ndarray, f_test: np.ndarray, noise: float) -> dict[str, float]:
    """bias², variance, noise and expected test MSE of one value's refits.

    Parameters
    ----------
    predictions : ndarray of shape (repeats, n_test)
        Each refit's predictions at the test points.
    f_test : ndarray of shape (n_test,)
        The true function there.
    noise : float
        σ, the noise's standard deviation.

    Returns
    -------
    dict
        ``bias²`` = mean over points of (mean prediction − f)²; ``variance`` = mean over
        points and refits of (prediction − mean prediction)²; ``noise`` = σ²;
        ``expected test MSE`` = mean over points and refits of (f − prediction)² + σ²,
        the expectation over the test noise taken exactly. Computed separately, the first
        three sum to the fourth to rounding.
    """
    mean = predictions.mean(axis=0)
    return {
        "bias²": float(np.mean((mean - f_test) ** 2)),
        "variance": float(np.mean((predictions - mean) ** 2)),
        "noise": float(noise**2),
        "expected test MSE": float(np.mean((f_test - predictions) ** 2) + noise**2),
    }


@dataclass(frozen=True)
class BiasVarianceResult:
    """A finished run: the table (one row per swept value, indexed by it, the
    :data:`BV_COLUMNS`), every refit's predictions at the test points (values × repeats ×
    points), the test points and the true function there, and the refits that warned."""

    table: pd.DataFrame
    predictions: np.ndarray
    x_test: np.ndarray
    f_test: np.ndarray
    warned: tuple[int, ...]


def bias_variance_table(setup: BiasVarianceSetup, rows: Sequence[dict[str, float]]) -> pd.DataFrame:
    """The rows as the page's table, indexed by the swept values."""
    index = pd.Index(list(setup.grid), name=setup.param)
    return pd.DataFrame(list(rows), columns=list(BV_COLUMNS), index=index)


def bias_variance(
    setup: BiasVarianceSetup,
    *,
    n_jobs: int | None = -1,
    progress: Callable[[int, int], None] | None = None,
) -> BiasVarianceResult:
    """Refit the setup's model ``repeats`` times at every swept value and decompose.

    One joblib task per value (``n_jobs=-1``: every core); each task draws its samples
    from :func:`training_sample`'s seeds, so the result is the same for any ``n_jobs``.
    ``progress(done, total)`` is called as each value finishes, in order.
    """
    x_test = fixed_test_points(setup.n_test)
    f_test = true_function(setup.curve, x_test)
    tasks = (
        delayed(refit_predictions)(
            setup.model_at(value),
            setup.curve,
            setup.noise,
            setup.n,
            setup.seed,
            setup.repeats,
            x_test,
        )
        for value in setup.grid
    )
    jobs = min(effective_n_jobs(n_jobs), len(setup.grid))
    found = Parallel(n_jobs=jobs, return_as="generator")(tasks)
    predictions, warned, rows = [], [], []
    for done, (pred, w) in enumerate(found, start=1):
        predictions.append(pred)
        warned.append(w)
        rows.append(decomposition(pred, f_test, setup.noise))
        if progress is not None:
            progress(done, len(setup.grid))
    return BiasVarianceResult(
        table=bias_variance_table(setup, rows),
        predictions=np.stack(predictions),
        x_test=x_test,
        f_test=f_test,
        warned=tuple(warned),
    )


def bias_variance_seconds(setup: BiasVarianceSetup, n_jobs: int | None = -1) -> float:
    """How long :func:`bias_variance` takes, estimated by timing one fit at the grid's
    first and last values (the cheapest and costliest capacity, usually) and scaling by
    the refits, shared among the cores; a second of start-up for the worker processes."""
    x_test = fixed_test_points(setup.n_test)
    timed = []
    for value in dict.fromkeys((setup.grid[0], setup.grid[-1])):
        start = time.perf_counter()
        refit_predictions(
            setup.model_at(value), setup.curve, setup.noise, setup.n, setup.seed, 1, x_test
        )
        timed.append(time.perf_counter() - start)
    per_fit = float(np.mean(timed))
    jobs = min(effective_n_jobs(n_jobs), len(setup.grid))
    startup = 1.0 if jobs > 1 else 0.0
    return per_fit * len(setup.grid) * setup.repeats / jobs + startup


def bias_variance_sentences(setup: BiasVarianceSetup, table: pd.DataFrame) -> list[str]:
    """What the table says, in its numbers: where the expected error is lowest, and how
    bias² and variance trade on either side; that the sum is an identity."""
    param = setup.param
    best = table["expected test MSE"].idxmin()
    low, high = table.iloc[0], table.iloc[-1]
    sum_gap = float(
        (table["bias²"] + table["variance"] + table["noise"] - table["expected test MSE"])
        .abs()
        .max()
    )
    noise = float(table["noise"].iloc[0])
    lines = [
        f"The expected test MSE is lowest at {param} = {_fmt_value(best)}: "
        f"{table.at[best, 'expected test MSE']:.4g}, of which {noise:.4g} is noise no model "
        "can remove.",
        f"At {param} = {_fmt_value(table.index[0])} bias² is {low['bias²']:.4g} and variance "
        f"{low['variance']:.4g}; at {param} = {_fmt_value(table.index[-1])} bias² is "
        f"{high['bias²']:.4g} and variance {high['variance']:.4g}.",
        "bias² + variance + noise equals the expected test MSE on every row (largest "
        f"difference {sum_gap:.1e}): over these {setup.repeats} refits it is an identity, "
        "not an approximation.",
    ]
    return lines


def _fmt_value(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{float(value):.3g}"
    return str(value)
