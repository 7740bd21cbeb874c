"""Where the Predict tab opens (#24): a test row whose five nearest training rows do not
agree on a class, found from the data and the split alone. Checked against distances
computed by hand (numpy, no scikit-learn neighbours), against scikit-learn's own
``KNeighborsClassifier`` at its defaults (the vote really is split there), and for staying
put while a hyperparameter changes."""

from __future__ import annotations

import numpy as np
import pytest

from core.data.prepare import load_dataset
from core.fitting import fit_model
from core.registry import get_family
from core.row_predict import OPENING_NEIGHBOURS, opening_row

NEIGHBOURS = get_family("nearest_neighbors")
TREE = get_family("decision_tree")


def _fit(family, dataset_id, task, estimator, scale=True, test_size=None, **values):
    data = load_dataset(dataset_id, task)
    setting = {s.name: s.initial for s in family.hyperparameters_for(estimator)}
    setting.update(values)
    extra = {} if test_size is None else {"test_size": test_size}
    return data, fit_model(family, estimator, setting, data, scale=scale, **extra)


def _by_hand(fit, data, candidates, drop_self):
    """Each candidate's nearest training labels, by sorting squared distances."""
    prep = fit.pipeline[:-1]

    def space(positions):
        X = data.X.iloc[positions]
        return np.asarray(prep.transform(X) if len(prep) else X, dtype=float)

    train, rows = space(fit.split.train), space(candidates)
    y = data.y.to_numpy()[fit.split.train]
    out = []
    for i, r in enumerate(rows):
        d = ((train - r) ** 2).sum(axis=1)
        if drop_self:
            d[i] = np.inf
        out.append(y[np.argsort(d, kind="stable")[:OPENING_NEIGHBOURS]])
    return out


@pytest.mark.parametrize(
    ("dataset_id", "scale"), [("iris", True), ("breast_cancer", True), ("wine", False)]
)
def test_the_opening_row_is_the_first_test_row_whose_neighbours_disagree(dataset_id, scale):
    data, fit = _fit(NEIGHBOURS, dataset_id, "classification", "knn_classifier", scale=scale)
    opening = opening_row(fit, data)
    assert opening.rows == "test"
    labels = _by_hand(fit, data, fit.split.test, drop_self=False)
    split = [i for i, lab in enumerate(labels) if len(set(lab)) > 1]
    assert split, "these data sets have test rows where the classes meet"
    assert opening.number == split[0]
    # At scikit-learn's defaults (k = 5), that row's vote is really split.
    row = data.X.iloc[[int(fit.split.test[opening.number])]]
    proba = fit.pipeline.predict_proba(row)[0]
    assert proba.max() < 1.0


def test_the_opening_row_stays_put_while_the_knobs_turn():
    data, fit = _fit(NEIGHBOURS, "iris", "classification", "knn_classifier")
    first = opening_row(fit, data)
    for values in ({"n_neighbors": 1}, {"n_neighbors": 15, "weights": "distance"}, {"p": 1}):
        _, other = _fit(NEIGHBOURS, "iris", "classification", "knn_classifier", **values)
        assert opening_row(other, data) == first
    # Another family on the same data and split opens on the same row.
    _, tree = _fit(TREE, "iris", "classification", "tree_classifier")
    assert opening_row(tree, data) == first


def test_without_test_rows_a_training_row_is_not_its_own_neighbour():
    data, fit = _fit(NEIGHBOURS, "iris", "classification", "knn_classifier", test_size=0.0)
    assert fit.split.test is None
    opening = opening_row(fit, data)
    assert opening.rows == "training"
    labels = _by_hand(fit, data, fit.split.train, drop_self=True)
    assert opening.number == next(i for i, lab in enumerate(labels) if len(set(lab)) > 1)


def test_a_number_target_opens_on_the_first_test_row():
    data, fit = _fit(NEIGHBOURS, "diabetes", "regression", "knn_regressor")
    assert opening_row(fit, data) == type(opening_row(fit, data))("test", 0)
