"""Bias and variance from refits (#23): the four terms by their definitions, their sum an
identity on every row, the refits real scikit-learn fits on seeded samples, a closed form
recovered, and the same numbers on any number of cores."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from core.capacity import capacity_spec
from core.registry import FAMILIES
from core.risk.bias_variance import (
    BV_COLUMNS,
    DEGREE,
    bias_variance,
    bias_variance_sentences,
    bias_variance_setup,
    decomposition,
    eligible_families,
    fixed_test_points,
    regression_estimator,
    training_sample,
    true_function,
)

ELIGIBLE = eligible_families(FAMILIES)


def test_every_family_with_a_regressor_that_takes_its_capacity_is_offered():
    offered = {f.id for f in ELIGIBLE}
    for family in FAMILIES:
        estimator = regression_estimator(family)
        if estimator is None:
            assert family.id not in offered
            assert (
                "regression" not in family.tasks
                or family.capacity is None
                or all(
                    capacity_spec(family, e.id) is None for e in family.estimators_for("regression")
                )
            )
        else:
            assert family.id in offered
            spec = capacity_spec(family, estimator)
            assert spec is not None and spec.name == family.capacity
    assert len(ELIGIBLE) >= 3


def test_decomposition_follows_the_definitions():
    rng = np.random.default_rng(0)
    predictions = rng.normal(size=(7, 11))
    f = rng.normal(size=11)
    noise = 0.4
    terms = decomposition(predictions, f, noise)
    # Written out with loops, independently of the vectorised code.
    bias2 = variance = mse = 0.0
    for j in range(11):
        mean = sum(predictions[r, j] for r in range(7)) / 7
        bias2 += (mean - f[j]) ** 2 / 11
        variance += sum((predictions[r, j] - mean) ** 2 for r in range(7)) / 7 / 11
        mse += sum((f[j] - predictions[r, j]) ** 2 for r in range(7)) / 7 / 11
    assert terms["bias²"] == pytest.approx(bias2, rel=1e-12)
    assert terms["variance"] == pytest.approx(variance, rel=1e-12)
    assert terms["noise"] == pytest.approx(noise**2)
    assert terms["expected test MSE"] == pytest.approx(mse + noise**2, rel=1e-12)
    assert list(terms) == list(BV_COLUMNS)


@pytest.mark.parametrize("family", ELIGIBLE, ids=lambda f: f.id)
def test_the_sum_is_the_expected_mse_on_every_row(family):
    setup = bias_variance_setup(family, n=30, repeats=4, noise=0.5, degree=3)
    result = bias_variance(setup, n_jobs=1)
    table = result.table
    assert list(table.columns) == list(BV_COLUMNS)
    assert list(table.index) == list(setup.grid) and table.index.name == family.capacity
    total = table["bias²"] + table["variance"] + table["noise"]
    np.testing.assert_allclose(total, table["expected test MSE"], rtol=1e-12, atol=0)
    # The expected MSE recomputed from the stored refits, over the test noise exactly.
    for i in range(len(setup.grid)):
        err = np.mean((result.f_test - result.predictions[i]) ** 2) + 0.25
        assert table["expected test MSE"].iloc[i] == pytest.approx(err, rel=1e-12)
    assert (table["bias²"] >= 0).all() and (table["variance"] >= 0).all()
    assert (table["noise"] == 0.25).all()


def test_refits_are_scikit_learn_fits_on_the_seeded_samples():
    family = ELIGIBLE[0]
    setup = bias_variance_setup(family, n=25, repeats=3, degree=4, seed=7)
    result = bias_variance(setup, n_jobs=1)
    estimator = family.get_estimator(setup.estimator_id)
    x_test = fixed_test_points().reshape(-1, 1)
    for i in (0, len(setup.grid) - 1):
        for r in range(3):
            rng = np.random.default_rng([7, r])
            x = rng.uniform(0, 1, 25)
            y = true_function("sine", x) + 0.3 * rng.standard_normal(25)
            X, y_ = training_sample("sine", 0.3, 25, 7, r)
            np.testing.assert_array_equal(X.ravel(), x)
            np.testing.assert_array_equal(y_, y)
            values = {**dict(setup.values), setup.param: setup.grid[i]}
            model = make_pipeline(
                PolynomialFeatures(4, include_bias=False), StandardScaler(), estimator.make(values)
            )
            expected = model.fit(x.reshape(-1, 1), y).predict(x_test)
            np.testing.assert_allclose(result.predictions[i, r], expected, rtol=1e-10, atol=1e-12)


def test_a_mean_predictor_recovers_the_closed_form():
    """k = n neighbours predict the training mean ȳ everywhere. For the sine on [0, 1],
    E ȳ = 0, so bias² is the mean of f² over the test midpoints (exactly 0.5), and
    Var ȳ = (Var f(x) + σ²)/n = (0.5 + σ²)/n. With 400 refits the sample variance of ȳ
    has a relative standard error of √(2/399) = 7%; bias² carries (E ȳ − mean ȳ)² whose
    expectation is Var ȳ/400. Tolerances: 25% on the variance, 3·Var ȳ/400 + 1e-3 on bias²."""
    family = next(
        f for f in ELIGIBLE if capacity_spec(f, regression_estimator(f)).name == "n_neighbors"
    )
    n, sigma = 20, 0.5
    setup = bias_variance_setup(family, n=n, repeats=400, noise=sigma)
    assert setup.grid[-1] == n
    setup = type(setup)(**{**setup.__dict__, "grid": (n,), "current": 0})
    row = bias_variance(setup, n_jobs=1).table.iloc[0]
    var_mean = (0.5 + sigma**2) / n
    assert row["variance"] == pytest.approx(var_mean, rel=0.25)
    assert abs(row["bias²"] - 0.5) <= 3 * var_mean / 400 + 1e-3
    assert np.mean(np.sin(2 * np.pi * fixed_test_points()) ** 2) == pytest.approx(0.5, abs=1e-12)


def test_more_capacity_trades_bias_for_variance():
    family = next(
        f for f in ELIGIBLE if capacity_spec(f, regression_estimator(f)).name == "n_neighbors"
    )
    table = bias_variance(bias_variance_setup(family, n=40, repeats=30), n_jobs=1).table
    # k = 1 copies the noise (variance high, bias low); k = n averages everything away.
    assert table.loc[1, "variance"] > 2.5 * table.loc[5, "variance"]
    assert table["bias²"].iloc[0] < 0.1 * table["bias²"].iloc[-1]


def test_degree_sweep_and_the_current_value():
    family = ELIGIBLE[0]
    setup = bias_variance_setup(family, sweep=DEGREE, n=30, degree=4, repeats=2)
    assert setup.param == DEGREE and setup.grid == tuple(range(1, 16))
    assert setup.grid[setup.current] == 4
    model = setup.model_at(7)
    assert model.steps[0][1].degree == 7
    capacity = bias_variance_setup(family, values={family.capacity: 0.5}, repeats=2)
    assert capacity.grid[capacity.current] == 0.5  # added to the grid when missing
    assert list(capacity.grid) == sorted(capacity.grid)


def test_serial_and_parallel_runs_are_identical():
    setup = bias_variance_setup(ELIGIBLE[0], n=20, repeats=3)
    seen = []
    serial = bias_variance(setup, n_jobs=1, progress=lambda d, t: seen.append((d, t)))
    parallel = bias_variance(setup, n_jobs=2)
    assert serial.table.equals(parallel.table)
    np.testing.assert_array_equal(serial.predictions, parallel.predictions)
    assert seen == [(i, len(setup.grid)) for i in range(1, len(setup.grid) + 1)]


def test_sentences_name_the_best_value_and_the_identity():
    setup = bias_variance_setup(ELIGIBLE[0], n=30, repeats=5, degree=5)
    table = bias_variance(setup, n_jobs=1).table
    text = " ".join(bias_variance_sentences(setup, table))
    best = table["expected test MSE"].idxmin()
    assert f"lowest at {setup.param} = {best:.3g}" in text
    assert "identity" in text and f"{table['expected test MSE'].min():.4g}" in text
