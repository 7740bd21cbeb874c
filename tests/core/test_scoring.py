"""The page's classification scores equal scikit-learn's metrics, on real fits and on random,
tied and lopsided inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

from core.data.prepare import load_dataset
from core.fitting import fit_model
from core.registry import get_family
from core.scoring import TASK_SCORING, log_loss_of, roc_auc

classification_metrics = TASK_SCORING["classification"].metrics


class _Fixed:
    """A fitted classifier stand-in that returns given predictions and probabilities."""

    def __init__(self, classes, proba):
        self.classes_ = np.asarray(classes)
        self._proba = np.asarray(proba, dtype=float)

    def predict(self, X):
        return self.classes_[self._proba.argmax(axis=1)]

    def predict_proba(self, X):
        return self._proba


def _reference(y, model):
    """The same scores, straight from scikit-learn."""
    proba, classes = model.predict_proba(None), model.classes_
    if len(classes) == 2:
        auc = roc_auc_score(y == classes[1], proba[:, 1])
    else:
        auc = roc_auc_score(y, proba, multi_class="ovr", labels=classes)
    return {
        "accuracy": accuracy_score(y, model.predict(None)),
        "ROC AUC": auc,
        "log loss": log_loss(y, proba, labels=classes),
    }


@pytest.mark.parametrize(
    ("family_id", "dataset_id", "estimator_id", "hyper"),
    [
        ("logistic_regression", "breast_cancer", "logistic", {"C": 0.3}),
        ("logistic_regression", "wine", "logistic", {"C": 2.0}),
        ("decision_tree", "iris", "tree_classifier", {"max_depth": 2}),
        ("nearest_neighbors", "moons", "knn_classifier", {"n_neighbors": 4}),
    ],
)
def test_real_fits_score_as_scikit_learn_does(family_id, dataset_id, estimator_id, hyper):
    family = get_family(family_id)
    data = load_dataset(dataset_id, "classification")
    fit = fit_model(family, estimator_id, hyper, data)
    X, y = fit.split.test_rows(data)
    ours = classification_metrics(fit.pipeline, X, y)
    proba = fit.pipeline.predict_proba(X)
    classes = fit.model.classes_
    expected_auc = (
        roc_auc_score(y == classes[1], proba[:, 1])
        if len(classes) == 2
        else roc_auc_score(y, proba, multi_class="ovr", labels=classes)
    )
    assert ours["accuracy"] == pytest.approx(accuracy_score(y, fit.pipeline.predict(X)), abs=1e-15)
    assert ours["ROC AUC"] == pytest.approx(expected_auc, rel=1e-12)
    assert ours["log loss"] == pytest.approx(log_loss(y, proba, labels=classes), rel=1e-12)
    # And the page's table holds exactly these numbers.
    assert fit.metrics.at["log loss", "test"] == pytest.approx(ours["log loss"], rel=1e-12)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=2, max_value=4),
    st.integers(min_value=4, max_value=40),
    st.data(),
)
def test_random_and_tied_scores_match_scikit_learn(n_classes, n_rows, data):
    classes = np.array([f"c{k}" for k in range(n_classes)], dtype=object)
    codes = data.draw(
        arrays(np.int64, n_rows, elements=st.integers(0, n_classes - 1)).filter(
            lambda c: len(np.unique(c)) == n_classes
        )
    )
    # Coarse values make ties common; zeros exercise log loss's clipping.
    raw = data.draw(
        arrays(np.float64, (n_rows, n_classes), elements=st.sampled_from([0.0, 0.5, 1.0, 2.0]))
    )
    raw[raw.sum(axis=1) == 0, 0] = 1.0
    proba = raw / raw.sum(axis=1, keepdims=True)
    y = classes[codes]
    model = _Fixed(classes, proba)
    ours = classification_metrics(model, None, pd.Series(y))
    for name, value in _reference(y, model).items():
        assert ours[name] == pytest.approx(value, rel=1e-12, abs=1e-12), name


def test_auc_and_log_loss_by_hand():
    # Positives score 0.9 and 0.4, negatives 0.4 and 0.1: pairs won 3, tied 1 → 3.5 / 4.
    assert roc_auc(np.array([1, 1, 0, 0]), np.array([0.9, 0.4, 0.4, 0.1])) == 0.875
    assert np.isnan(roc_auc(np.array([1, 1]), np.array([0.2, 0.3])))
    proba = np.array([[0.25, 0.75], [1.0, 0.0]])
    eps = np.finfo(float).eps
    assert log_loss_of(np.array([1, 1]), proba) == pytest.approx(-(np.log(0.75) + np.log(eps)) / 2)


def test_scores_nan_without_probabilities_or_a_class_and_raise_on_an_unseen_label():
    classes = np.array(["a", "b", "c"], dtype=object)
    proba = np.array([[0.7, 0.2, 0.1], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1]])
    # Class c absent from these rows: AUC is undefined, log loss is not.
    out = classification_metrics(_Fixed(classes, proba), None, pd.Series(["a", "b", "a"]))
    assert np.isnan(out["ROC AUC"]) and out["accuracy"] == 1.0
    assert out["log loss"] == pytest.approx(
        log_loss(["a", "b", "a"], proba, labels=classes), rel=1e-12
    )
    with pytest.raises(ValueError, match="never saw"):
        classification_metrics(_Fixed(classes, proba), None, pd.Series(["a", "b", "z"]))
    broken = proba.copy()
    broken[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        classification_metrics(_Fixed(classes, broken), None, pd.Series(["a", "b", "a"]))
