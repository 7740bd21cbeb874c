"""A fit asked for many iterations is probed first: same result when it converges, a
clear refusal with an estimate when it would take longer than its budget."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.data.prepare import load_dataset
from core.fitting import PROBE_ITERATIONS, FitTooSlow, fit_model
from core.registry import LINEAR_REGRESSION, LOGISTIC_REGRESSION


@pytest.fixture(scope="module")
def cancer():
    return load_dataset("breast_cancer", "classification")


def test_a_converging_probe_is_the_same_fit(cancer):
    values = {"C": 1.0, "max_iter": 50_000}
    probed = fit_model(LOGISTIC_REGRESSION, "logistic", values, cancer, budget=10.0)
    plain = fit_model(LOGISTIC_REGRESSION, "logistic", values, cancer)
    np.testing.assert_array_equal(probed.model.coef_, plain.model.coef_)
    assert probed.model.max_iter == 50_000  # the setting asked for, as the script shows
    assert probed.model.n_iter_.max() < PROBE_ITERATIONS


def test_an_unconverged_probe_over_budget_is_refused_with_an_estimate(cancer):
    values = {"C": math.inf, "solver": "sag", "max_iter": 100_000, "tol": 1e-12}
    with pytest.raises(FitTooSlow, match=r"would take about \d+ s") as caught:
        fit_model(LOGISTIC_REGRESSION, "logistic", values, cancer, budget=0.0)
    assert caught.value.seconds > 0


def test_within_budget_the_full_fit_runs(diabetes):
    values = {"alpha": 1e-6, "max_iter": 2_000, "tol": 1e-12}
    probed = fit_model(LINEAR_REGRESSION, "lasso", values, diabetes, scale=False, budget=60.0)
    plain = fit_model(LINEAR_REGRESSION, "lasso", values, diabetes, scale=False)
    np.testing.assert_allclose(probed.model.coef_, plain.model.coef_, rtol=1e-12)
    assert probed.model.n_iter_ == plain.model.n_iter_ > PROBE_ITERATIONS  # the full fit ran


def test_a_network_estimated_over_budget_asks_first():
    from core.registry import get_family

    family = get_family("neural_network")
    iris = load_dataset("iris", "classification")
    values = {"hidden_layer_sizes": (128, 64), "max_iter": 1000, "batch_size": 16}
    with pytest.raises(FitTooSlow, match="would take about") as caught:
        fit_model(family, "mlp_classifier", values, iris, budget=1.0)
    assert 1.0 < caught.value.seconds <= 20.0  # within the hard limit: a click may run it
