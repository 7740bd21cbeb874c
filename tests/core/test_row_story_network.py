"""One row through a network (#22): the forward pass recomputed here from ``coefs_`` and
``intercepts_`` equals every layer the page shows and ends at ``predict_proba`` /
``predict`` within 1e-9; the activation diagram colours each unit by that activation; an
edit that pushes a ReLU unit below zero switches exactly that unit off."""

from __future__ import annotations

import numpy as np
import pytest

from core.data.prepare import load_dataset
from core.fitting import fit_model
from core.registry import get_family
from core.row_predict import predict_row
from core.row_story import edited_row

NETWORK = get_family("neural_network")

CASES = [
    ("iris", "classification", "mlp_classifier", {}),
    ("breast_cancer", "classification", "mlp_classifier", {}),
    ("diabetes", "regression", "mlp_regressor", {}),
    ("iris", "classification", "mlp_classifier", {"activation": "tanh"}),
    ("diabetes", "regression", "mlp_regressor", {"activation": "logistic"}),
]
IDS = ["iris", "breast_cancer", "diabetes", "iris-tanh", "diabetes-logistic"]


def _fit(dataset_id, task, estimator, values):
    data = load_dataset(dataset_id, task)
    setting = {s.name: s.initial for s in NETWORK.hyperparameters_for(estimator)}
    setting.update(values)
    return data, fit_model(NETWORK, estimator, setting, data)


ACT = {
    "relu": lambda z: np.maximum(z, 0),
    "tanh": np.tanh,
    "logistic": lambda z: 1 / (1 + np.exp(-z)),
    "identity": lambda z: z,
}


def _forward(fit, row):
    """The forward pass from the public attributes (and the scaler's mean_ / scale_)."""
    scaler = fit.pipeline.named_steps["scale"]
    a = (row.to_numpy(dtype=float)[0] - scaler.mean_) / scaler.scale_
    model = fit.model
    pres, acts = [], [a]
    for i, (W, b) in enumerate(zip(model.coefs_, model.intercepts_, strict=True)):
        z = a @ W + b
        if i < len(model.coefs_) - 1:
            a = ACT[model.activation](z)
        elif model.out_activation_ == "softmax":
            e = np.exp(z - z.max())
            a = e / e.sum()
        else:
            a = ACT[model.out_activation_](z)
        pres.append(z)
        acts.append(a)
    return pres, acts


@pytest.mark.parametrize(("dataset_id", "task", "estimator", "values"), CASES, ids=IDS)
def test_the_forward_pass_is_the_pages_and_ends_at_the_estimators_prediction(
    dataset_id, task, estimator, values
):
    data, fit = _fit(dataset_id, task, estimator, values)
    for position in (int(fit.split.train[0]), int(fit.split.test[4])):
        row = edited_row(data.X, position, {})
        story = NETWORK.explain_row(fit, data, row)
        pres, acts = _forward(fit, row)
        assert len(story.tables) == len(pres)
        for table, z, a in zip(story.tables, pres, acts[1:], strict=True):
            np.testing.assert_allclose(table.frame["pre-activation z"], z, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(table.frame["activation a"], a, rtol=1e-12, atol=1e-12)
        for table, z in zip(story.tables[:-1], pres[:-1], strict=True):
            if fit.model.activation == "relu":
                assert table.frame["on"].tolist() == (z > 0).tolist()
            else:
                assert "on" not in table.frame
        out = acts[-1]
        if task == "classification":
            proba = fit.pipeline.predict_proba(row)[0]
            expected = np.array([1 - out[0], out[0]]) if out.size == 1 else out
            np.testing.assert_allclose(expected, proba, rtol=0, atol=1e-9)
            np.testing.assert_allclose(story.probabilities, proba, rtol=0, atol=1e-12)
            assert story.prediction == fit.pipeline.predict(row)[0]
        else:
            assert out[0] == pytest.approx(fit.pipeline.predict(row)[0], abs=1e-9)
            assert story.prediction == pytest.approx(out[0], abs=1e-9)
        # The diagram colours every unit by its activation (inputs: as the network sees them).
        figure = story.figures[0].figure
        layers = [t for t in figure.data if t.customdata is not None and len(t.customdata[0]) == 3]
        assert len(layers) == len(acts)
        for trace, a in zip(layers, acts, strict=True):
            np.testing.assert_allclose(np.asarray(trace.marker.color, dtype=float), a, atol=1e-12)


def test_relu_units_that_are_off_are_named_and_crossed_out():
    data, fit = _fit("iris", "classification", "mlp_classifier", {})
    row = edited_row(data.X, int(fit.split.test[0]), {})
    story = NETWORK.explain_row(fit, data, row)
    pres, _ = _forward(fit, row)
    off = [np.flatnonzero(z <= 0) for z in pres[:-1]]
    for layer, units in enumerate(off, start=1):
        sentence = next(s for s in story.sentences if s.startswith(f"Hidden {layer}:"))
        assert f"{len(units)} of {len(pres[layer - 1])} ReLU units are off" in sentence
        for u in units:
            assert f"h{layer}_{u + 1}" in sentence
    metric = {m.label: m.value for m in story.metrics}
    assert metric["ReLU units off"] == sum(len(u) for u in off)
    figure = story.figures[0].figure
    hidden = next(t for t in figure.data if t.name == "hidden 1")
    crossed = [j for j, s in enumerate(hidden.marker.symbol) if s == "circle-x"]
    assert crossed == off[0].tolist()


def _lone_switch(fit, data):
    """A row, a unit on for it, a feature and a change of that feature that takes exactly
    that unit of hidden layer 1 to just below zero (every other unit keeps its side)."""
    scale = fit.pipeline.named_steps["scale"].scale_
    W = fit.model.coefs_[0]
    for position in fit.split.test:
        z = _forward(fit, edited_row(data.X, int(position), {}))[0][0]
        for unit in np.flatnonzero(z > 0):
            for k in np.argsort(-np.abs(W[:, unit])):
                if W[k, unit] == 0:
                    continue
                change = -(z[unit] + 0.01) / (W[k, unit] / scale[k])
                moved = z + change * W[k, :] / scale[k]
                if ((moved > 0) == (z > 0)).sum() == len(z) - 1:
                    return int(position), int(unit), int(k), float(change), moved
    raise AssertionError("no lone switch found")


def test_an_edit_below_a_units_threshold_switches_exactly_that_unit_off():
    data, fit = _fit("iris", "classification", "mlp_classifier", {})
    position, unit, k, change, moved = _lone_switch(fit, data)
    feature = str(data.X.columns[k])
    new = float(data.X.iloc[position, k]) + change
    result = predict_row(NETWORK, fit, data, position, {feature: new})
    after, _ = _forward(fit, edited_row(data.X, position, {feature: new}))
    np.testing.assert_allclose(after[0], moved, atol=1e-9)
    layer_one = next(s for s in result.changed if s.startswith("Hidden 1:"))
    assert layer_one == f"Hidden 1: switched off: h1_{unit + 1}."
    assert result.story.trace["off"][1].tolist() == (moved <= 0).tolist()
    assert result.changed[0].startswith("The prediction")
    # Undoing the edit switches it back on.
    back = NETWORK.explain_row(fit, data, edited_row(data.X, position, {}))
    assert result.story.changes(result.story, back)[0] == f"Hidden 1: switched on: h1_{unit + 1}."
