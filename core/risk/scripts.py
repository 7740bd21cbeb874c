"""Standalone scripts that reproduce the /capacity page's two tables with NumPy,
pandas and scikit-learn alone: the same seeds, the same draws, plain loops."""

from __future__ import annotations

from core.codegen import public_import, python_literal
from core.risk.bias_variance import CURVES, DEGREE, BiasVarianceSetup
from core.risk.double_descent import DoubleDescentSetup


def _params_at(setup: BiasVarianceSetup) -> tuple[dict, list[dict] | None]:
    """The estimator's keyword arguments: one dict when only the swept value changes
    between grid values, else one dict per value (a setting that resolves other values
    from it)."""
    estimator = setup.family.get_estimator(setup.estimator_id)
    base = dict(setup.values)
    if setup.param == DEGREE:
        return estimator.estimator_params(base), None
    each = [estimator.estimator_params({**base, setup.param: v}) for v in setup.grid]
    first = {k: v for k, v in each[0].items() if k != setup.param}
    if all({k: v for k, v in p.items() if k != setup.param} == first for p in each):
        return first, None
    return first, each


def _dict(values: dict) -> str:
    inner = ", ".join(f"{python_literal(k)}: {python_literal(v)}" for k, v in values.items())
    return "{" + inner + "}"


def bias_variance_script(setup: BiasVarianceSetup) -> str:
    """A script whose printed table equals :func:`core.risk.bias_variance.bias_variance`'s
    for ``setup`` (to rounding: BLAS threads may order sums differently)."""
    estimator = setup.family.get_estimator(setup.estimator_id)
    module, name = public_import(estimator.estimator)
    params, each = _params_at(setup)
    grid = "[" + ", ".join(python_literal(v) for v in setup.grid) + "]"
    if len(grid) > 80:  # one value a line, as ruff format would write it
        grid = "[\n" + "".join(f"    {python_literal(v)},\n" for v in setup.grid) + "]"
    if setup.param == DEGREE:
        model = (
            "def model(value):\n"
            f"    return make_pipeline(\n"
            f"        PolynomialFeatures(value, include_bias=False), StandardScaler(), "
            f"{name}(**PARAMS)\n    )\n"
        )
    elif each is None:
        model = (
            "def model(value):\n"
            "    return make_pipeline(\n"
            "        PolynomialFeatures(DEGREE, include_bias=False),\n"
            "        StandardScaler(),\n"
            f"        {name}(**{{**PARAMS, PARAM: value}}),\n    )\n"
        )
    else:
        rows = ",\n".join(f"    {_dict(p)}" for p in each)
        model = (
            "# The estimator's arguments at each value (some follow from the swept one).\n"
            f"PARAMS_AT = [\n{rows},\n]\n\n\n"
            "def model(value):\n"
            "    return make_pipeline(\n"
            "        PolynomialFeatures(DEGREE, include_bias=False),\n"
            "        StandardScaler(),\n"
            f"        {name}(**PARAMS_AT[GRID.index(value)]),\n    )\n"
        )
    return f'''"""Bias and variance from refits: {setup.family.title}, {setup.param} swept.

Reproduces the table of Parameter Lab's /capacity page: each value refitted on REPEATS
fresh training samples of f(x) + noise, scored on fixed test points. bias² + variance +
noise equals the expected test MSE exactly (the test noise's expectation, σ², is added).
"""

import numpy as np
import pandas as pd
from {module} import {name}
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

NOISE = {python_literal(setup.noise)}
N = {setup.n}
REPEATS = {setup.repeats}
SEED = {setup.seed}
DEGREE = {setup.degree}
N_TEST = {setup.n_test}
PARAM = {python_literal(setup.param)}
GRID = {grid}
PARAMS = {_dict(params)}


def f(x):
    return {CURVES[setup.curve][2]}


{model}

x_test = (np.arange(N_TEST) + 0.5) / N_TEST
f_test = f(x_test)
rows = []
for value in GRID:
    predictions = np.empty((REPEATS, N_TEST))
    for r in range(REPEATS):
        rng = np.random.default_rng([SEED, r])
        x = rng.uniform(0.0, 1.0, N)
        y = f(x) + NOISE * rng.standard_normal(N)
        fitted = model(value).fit(x.reshape(-1, 1), y)
        predictions[r] = fitted.predict(x_test.reshape(-1, 1))
    mean = predictions.mean(axis=0)
    rows.append(
        {{
            "bias²": np.mean((mean - f_test) ** 2),
            "variance": np.mean((predictions - mean) ** 2),
            "noise": NOISE**2,
            "expected test MSE": np.mean((f_test - predictions) ** 2) + NOISE**2,
        }}
    )
table = pd.DataFrame(rows, index=pd.Index(GRID, name=PARAM))
with pd.option_context("display.precision", 17, "display.width", 200):
    print(table.to_string())
'''


def double_descent_script(setup: DoubleDescentSetup) -> str:
    """A script whose printed table equals :func:`core.risk.double_descent.double_descent`'s
    for ``setup`` to rounding (it inverts with ``numpy.linalg.pinv`` and solves ridge's
    normal equations; the page takes one SVD for both)."""
    ratios = "(" + ", ".join(python_literal(float(g)) for g in setup.ratios) + ")"
    return f'''"""Double descent: minimum-norm least squares against Hastie, Montanari, Rosset &
Tibshirani (2019), "Surprises in high-dimensional ridgeless least squares interpolation",
with optimally tuned ridge beside it. Reproduces the table of Parameter Lab's /capacity page.
"""

import numpy as np
import pandas as pd

N = {setup.n}
R2 = {python_literal(float(setup.r2))}
SIGMA2 = {python_literal(float(setup.sigma2))}
REPEATS = {setup.repeats}
SEED = {setup.seed}
RATIOS = {ratios}


def theory(gamma):
    if gamma < 1:
        return SIGMA2 * gamma / (1 - gamma)
    if gamma > 1:
        return R2 * (1 - 1 / gamma) + SIGMA2 / (gamma - 1)
    return float("inf")


rows = []
for p in sorted({{max(1, round(g * N)) for g in RATIOS}}):
    alpha = SIGMA2 * p / R2  # optimal ridge for beta uniform on the sphere
    min_norm, ridge = [], []
    for r in range(REPEATS):
        rng = np.random.default_rng([SEED, p, r])
        X = rng.standard_normal((N, p))
        beta = rng.standard_normal(p)
        beta *= np.sqrt(R2) / np.linalg.norm(beta)
        y = X @ beta + np.sqrt(SIGMA2) * rng.standard_normal(N)
        b_min = np.linalg.pinv(X) @ y
        if p <= N:
            b_ridge = np.linalg.solve(X.T @ X + alpha * np.eye(p), X.T @ y)
        else:
            b_ridge = X.T @ np.linalg.solve(X @ X.T + alpha * np.eye(N), y)
        min_norm.append(np.sum((b_min - beta) ** 2))
        ridge.append(np.sum((b_ridge - beta) ** 2))
    rows.append(
        {{
            "p/n": p / N,
            "min-norm risk (simulated)": np.mean(min_norm),
            "min-norm risk (theory)": theory(p / N),
            "ridge risk (simulated)": np.mean(ridge),
        }}
    )
table = pd.DataFrame(rows)
with pd.option_context("display.precision", 17, "display.width", 200):
    print(table.to_string())
'''
