"""One row through a tree and through nearest neighbours (#22), recomputed from ``tree_``
(feature, threshold, children, value) and from ``kneighbors``: the path, the leaf's value,
the neighbours and their vote end at ``predict`` / ``predict_proba``; an edit that crosses a
threshold moves the path, one that does not leaves it; an edit changes the neighbours to
exactly those ``kneighbors`` finds for the edited row."""

from __future__ import annotations

import re

import numpy as np
import pytest

from core.data.prepare import load_dataset
from core.families.decision_tree.drawing import PATH_COLOUR
from core.fitting import fit_model
from core.registry import get_family
from core.row_predict import predict_row
from core.row_story import edited_row, feature_position_table
from core.text import format_number

TREE = get_family("decision_tree")
NEIGHBOURS = get_family("nearest_neighbors")


def _fit(family, dataset_id, task, estimator, scale, **values):
    data = load_dataset(dataset_id, task)
    setting = {s.name: s.initial for s in family.hyperparameters_for(estimator)}
    setting.update(values)
    return data, fit_model(family, estimator, setting, data, scale=scale)


def _walk(fit, row):
    """The path by hand: from the root, left while value <= threshold, on tree_'s arrays."""
    tree = fit.model.tree_
    prep = fit.pipeline[:-1]
    x = np.asarray(prep.transform(row) if len(prep) else row, dtype=float)[0]
    node, path = 0, [0]
    while tree.children_left[node] != -1:
        go_left = x[tree.feature[node]] <= tree.threshold[node]
        node = tree.children_left[node] if go_left else tree.children_right[node]
        path.append(int(node))
    return path


TREES = [
    ("iris", "classification", "tree_classifier", False, {}),
    ("diabetes", "regression", "tree_regressor", False, {"max_depth": 4}),
    ("breast_cancer", "classification", "tree_classifier", True, {}),
]


@pytest.mark.parametrize(("dataset_id", "task", "estimator", "scale", "values"), TREES)
def test_the_path_and_its_leaf_are_the_trees_own(dataset_id, task, estimator, scale, values):
    data, fit = _fit(TREE, dataset_id, task, estimator, scale, **values)
    tree = fit.model.tree_
    for position in (int(fit.split.train[0]), int(fit.split.test[3])):
        row = edited_row(data.X, position, {})
        story = TREE.explain_row(fit, data, row)
        path = _walk(fit, row)
        table = story.tables[0].frame
        assert table["node"].tolist() == path
        assert story.trace["path"] == tuple(path)
        for _, step in table.iloc[:-1].iterrows():
            went_left = step["row's value"] <= step["threshold"] + 1e-9 * abs(step["threshold"])
            assert step["goes"] == ("left (<=)" if went_left else "right (>)")
        leaf = path[-1]
        if task == "classification":
            fractions = tree.value[leaf, 0] / tree.value[leaf, 0].sum()
            np.testing.assert_allclose(fractions, fit.pipeline.predict_proba(row)[0], atol=1e-12)
            np.testing.assert_allclose(story.probabilities, fractions, atol=1e-12)
            assert story.prediction == fit.model.classes_[np.argmax(fractions)]
        else:
            assert story.prediction == pytest.approx(tree.value[leaf, 0, 0], abs=1e-9)
            assert story.prediction == pytest.approx(fit.pipeline.predict(row)[0], abs=1e-9)
        assert {m.label: m.value for m in story.metrics}["Questions asked"] == len(path) - 1
        marked = {int(n) for n in re.findall(rf"n(\d+) \[[^\n]*color=\"{PATH_COLOUR}\"", story.dot)}
        assert marked == set(path)


def test_an_edit_across_the_roots_threshold_moves_the_path_and_one_off_it_does_not():
    data, fit = _fit(TREE, "diabetes", "regression", "tree_regressor", False, max_depth=3)
    tree = fit.model.tree_
    position = int(fit.split.test[0])
    root_feature = int(tree.feature[0])
    name = str(data.X.columns[root_feature])
    value = float(data.X.iloc[position, root_feature])
    threshold = float(tree.threshold[0])
    across = threshold + 1.0 if value <= threshold else threshold - 1.0
    result = predict_row(TREE, fit, data, position, {name: across})
    before, after = result.original.trace["path"], result.story.trace["path"]
    assert before == tuple(_walk(fit, edited_row(data.X, position, {})))
    assert after == tuple(_walk(fit, edited_row(data.X, position, {name: across})))
    assert before[1] != after[1]
    moved = result.changed[1]
    assert moved.startswith(f"The path moved at node 0 ({name} <= ")
    assert f"ends in leaf {after[-1]} instead of leaf {before[-1]}" in moved
    # A feature no split on the path asks about: the path and the prediction stay.
    asked = {int(tree.feature[n]) for n in before[:-1]}
    free = next(j for j in range(data.X.shape[1]) if j not in asked)
    same = predict_row(TREE, fit, data, position, {str(data.X.columns[free]): 1e6})
    assert same.story.trace["path"] == before
    assert same.changed == (
        f"The prediction stays {format_number(same.story.prediction)}.",
        f"The path did not move: the row still ends in leaf {before[-1]}.",
    )


KNN = [
    ("iris", "classification", "knn_classifier", {}),
    ("diabetes", "regression", "knn_regressor", {"weights": "distance"}),
    ("wine", "classification", "knn_classifier", {"n_neighbors": 7, "weights": "distance"}),
]


@pytest.mark.parametrize(("dataset_id", "task", "estimator", "values"), KNN)
def test_the_neighbours_and_vote_are_kneighbors_and_end_at_predict(
    dataset_id, task, estimator, values
):
    data, fit = _fit(NEIGHBOURS, dataset_id, task, estimator, True, **values)
    model = fit.model
    scaler = fit.pipeline.named_steps["scale"]
    for position in (int(fit.split.train[2]), int(fit.split.test[1])):
        row = edited_row(data.X, position, {})
        story = NEIGHBOURS.explain_row(fit, data, row)
        z = (row.to_numpy(dtype=float) - scaler.mean_) / scaler.scale_
        distances, indices = model.kneighbors(z)
        table = story.tables[0].frame
        assert table["stored row"].tolist() == indices[0].tolist()
        assert table["row"].tolist() == fit.split.train[indices[0]].tolist()
        np.testing.assert_allclose(table["distance"], distances[0], atol=1e-12)
        # Distances by hand: Euclidean between the scaled row and the stored rows.
        stored = scaler.transform(data.X.iloc[fit.split.train[indices[0]]])
        np.testing.assert_allclose(
            np.sqrt(((stored - z) ** 2).sum(axis=1)), distances[0], atol=1e-9
        )
        d = distances[0]
        if model.weights == "uniform":
            w = np.ones_like(d)
        else:  # scikit-learn: a neighbour at distance 0 decides alone
            w = (d == 0).astype(float) if np.any(d == 0) else 1 / np.where(d == 0, 1, d)
        targets = data.y.iloc[fit.split.train[indices[0]]].to_numpy()
        if task == "classification":
            summed = np.array([w[targets == c].sum() for c in model.classes_])
            np.testing.assert_allclose(story.probabilities, summed / summed.sum(), atol=1e-12)
            np.testing.assert_allclose(story.probabilities, fit.pipeline.predict_proba(row)[0])
            assert story.prediction == fit.pipeline.predict(row)[0]
            votes = story.tables[1].frame
            np.testing.assert_allclose(votes["weight"], summed)
        else:
            expected = float((w * targets).sum() / w.sum())
            assert story.prediction == pytest.approx(expected, abs=1e-9)
            assert story.prediction == pytest.approx(fit.pipeline.predict(row)[0], abs=1e-9)
        itself = position in fit.split.train
        assert story.sentences[0].startswith("This is training row") == itself


def test_an_edit_changes_the_neighbours_to_those_of_the_edited_row():
    data, fit = _fit(NEIGHBOURS, "iris", "classification", "knn_classifier", True)
    position = int(fit.split.test[0])
    edit = {"petal length (cm)": 6.5, "petal width (cm)": 2.3}
    result = predict_row(NEIGHBOURS, fit, data, position, edit)
    scaled = fit.pipeline[:-1].transform(edited_row(data.X, position, edit))
    _, indices = fit.model.kneighbors(scaled)
    after = tuple(int(r) for r in fit.split.train[indices[0]])
    before = result.original.trace["neighbours"]
    assert result.story.trace["neighbours"] == after
    left = [r for r in before if r not in after]
    joined = [r for r in after if r not in before]
    assert left and joined
    assert result.changed[1] == (
        f"{len(joined)} of the {len(after)} neighbours changed: rows "
        + ", ".join(map(str, left))
        + " left; rows "
        + ", ".join(map(str, joined))
        + " joined (positions in the data set)."
    )
    # An edit is no stored row: the row is not its own neighbour any more.
    train_position = int(fit.split.train[0])
    moved = predict_row(NEIGHBOURS, fit, data, train_position, {"sepal width (cm)": 9.0})
    assert moved.original.sentences[0].startswith("This is training row")
    assert not moved.story.sentences[0].startswith("This is training row")


def test_each_value_sits_at_its_training_percentile_and_outside_values_are_flagged():
    data, fit = _fit(NEIGHBOURS, "iris", "classification", "knn_classifier", True)
    training = data.X.iloc[fit.split.train]
    position = int(fit.split.test[0])
    result = predict_row(NEIGHBOURS, fit, data, position, {"sepal width (cm)": 9.0})
    table = result.features.set_index("feature")
    for column in data.X.columns:
        value = table.loc[column, "value"]
        expected = 100 * np.mean(training[column].to_numpy() <= value)
        assert table.loc[column, "percentile"] == pytest.approx(expected)
        assert table.loc[column, "training min"] == training[column].min()
    assert table.loc["sepal width (cm)", "where"] == "extrapolation: above the training range"
    assert (table["where"] != "").sum() == 1
    assert result.notes and "sepal width (cm) = 9" in result.notes[0]
    np.testing.assert_allclose(
        table["scaled"], fit.pipeline[:-1].transform(result.row)[0], atol=1e-12
    )
    below = feature_position_table(
        training, result.row.assign(**{"sepal width (cm)": -1.0}), result.row
    )
    assert (
        below.set_index("feature")
        .loc["sepal width (cm)", "where"]
        .endswith("below the training range")
    )
