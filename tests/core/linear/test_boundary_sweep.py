"""The boundary at other values of C: refits of the two-feature model by the one sweep engine,
each line equal to a LogisticRegression fitted by hand on the same two features and rows."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from core.data.prepare import load_dataset
from core.fitting import split_data
from core.linear.boundary import penalty_boundaries
from core.registry import LOGISTIC_REGRESSION
from core.setting import Setting

FEATURES = ("mean radius", "mean texture")


@pytest.fixture(scope="module")
def cancer():
    return load_dataset("breast_cancer", "classification")


def _direct_line(dataset, C: float, test_size: float, seed: int) -> tuple[np.ndarray, float]:
    """w, b of the boundary in raw units from scikit-learn alone: standardise on the
    training rows, fit, and undo the scaling."""
    train = split_data(dataset, test_size, seed).train
    X = dataset.X[list(FEATURES)].to_numpy()[train]
    y = dataset.y.to_numpy()[train]
    scaler = StandardScaler().fit(X)
    model = LogisticRegression(C=C).fit(scaler.transform(X), y)
    w = model.coef_[0] / scaler.scale_
    return w, float(model.intercept_[0] - w @ scaler.mean_)


def test_each_line_is_a_direct_scikit_learn_fit_on_the_two_features(cancer):
    setting = Setting.on(
        cancer, LOGISTIC_REGRESSION.id, "logistic", {"C": 5.0}, test_size=0.3, seed=2
    )
    values = (0.01, 1.0, 100.0)
    lines = penalty_boundaries(LOGISTIC_REGRESSION, setting, cancer, FEATURES, "C", values)
    assert [label for label, _, _ in lines] == ["C=0.01", "C=1", "C=100"]
    for (_, w, b), C in zip(lines, values, strict=True):
        w_direct, b_direct = _direct_line(cancer, C, 0.3, 2)
        np.testing.assert_allclose(w, w_direct, rtol=1e-6)
        assert b == pytest.approx(b_direct, rel=1e-6)


def test_a_value_outside_the_spec_or_a_multiclass_model_has_no_line(cancer):
    setting = Setting.on(cancer, LOGISTIC_REGRESSION.id, "logistic", {})
    lines = penalty_boundaries(LOGISTIC_REGRESSION, setting, cancer, FEATURES, "C", (-1.0, 1.0))
    assert [label for label, _, _ in lines] == ["C=1"]
    iris = load_dataset("iris", "classification")
    two = ("sepal length (cm)", "sepal width (cm)")
    setting = Setting.on(iris, LOGISTIC_REGRESSION.id, "logistic", {})
    assert penalty_boundaries(LOGISTIC_REGRESSION, setting, iris, two, "C", (1.0,)) == []
