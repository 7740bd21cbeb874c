"""AppTest: the Sweeps tab shows the learned parameters moving on every family page (#18),
each point equal to an independent scikit-learn fit at that value."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from core.data.prepare import load_dataset
from core.fitting import split_data
from core.registry import get_family
from tests.app.page_helpers import page_fit, run_if_asked
from tests.app.test_sweeps_page import decode


def tree(model):
    leaves = model.get_n_leaves()
    return {
        "splits": model.tree_.node_count - leaves,
        "leaves": leaves,
        "depth": model.get_depth(),
    }


def coefficients(names):
    # Fitted on standardised features, a coefficient is already per SD of its feature.
    def read(model):
        return dict(zip(names, np.ravel(model.coef_), strict=True))

    return read


def weight_norms(model):
    return [float(np.linalg.norm(W)) for W in model.coefs_]  # in layer order


def stored(model):
    return {
        "stored values": model.n_samples_fit_ * model.n_features_in_,
        "rows per prediction": model.n_neighbors,
    }


DIABETES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
BREAST_CANCER = [str(c) for c in load_dataset("breast_cancer", "classification").X.columns]
CASES = [
    ("decision_tree", "iris", "classification", "tree_classifier", "max_depth", tree),
    ("nearest_neighbors", "iris", "classification", "knn_classifier", "n_neighbors", stored),
    ("neural_network", "iris", "classification", "mlp_classifier", "alpha", weight_norms),
    (
        "linear_regression",
        "diabetes",
        "regression",
        "elasticnet",
        "l1_ratio",
        coefficients(DIABETES),
    ),
    (
        "logistic_regression",
        "breast_cancer",
        "classification",
        "logistic",
        "l1_ratio",
        coefficients(BREAST_CANCER),
    ),
    (
        "gradient_descent",
        "diabetes",
        "regression",
        "sgd_regressor",
        "alpha",
        coefficients(DIABETES),
    ),
]


def measures_chart(at):
    for element in at.get("plotly_chart"):
        if "measures_chart" in element.proto.id:
            return json.loads(element.proto.spec)
    raise AssertionError("no chart of the learned parameters on the Sweeps tab")


@pytest.mark.parametrize(("family_id", "dataset", "task", "estimator", "param", "read"), CASES)
def test_sweeps_tab_charts_the_learned_parameters(
    open_page, family_id, dataset, task, estimator, param, read
):
    family = get_family(family_id)
    at = open_page(family.page_path, dataset=dataset, estimator=estimator, view="Sweeps")
    at.selectbox(key="curve_param").set_value(param).run()
    at.number_input(key="sweep_points").set_value(3).run()
    at = run_if_asked(at)
    assert not at.exception
    spec = measures_chart(at)
    traces = [t for t in spec["data"] if not str(t.get("name", "")).startswith("current")]
    assert traces
    data, fit = page_fit(family, dataset, task, estimator, family.scale_default)
    rows = split_data(data, 0.25, 0).train
    X, y = data.X.iloc[rows], data.y.iloc[rows]
    est_spec = family.get_estimator(estimator)
    swept = decode(traces[0]["x"])
    assert 3 <= len(swept) <= 4  # a whole-number grid also holds the current value
    for i, value in enumerate(swept):
        value = int(value) if param in ("max_depth", "n_neighbors") else float(value)
        model = est_spec.make({**fit.hyperparameters, param: value})
        steps = [StandardScaler()] if family.scale_default else []
        with warnings.catch_warnings():  # saga may stop at max_iter, as on the page
            warnings.simplefilter("ignore", ConvergenceWarning)
            make_pipeline(*steps, model).fit(X, y)
        expected = read(model)
        if isinstance(expected, list):  # a network's layers, in trace order
            got = [decode(t["y"])[i] for t in traces]
            np.testing.assert_allclose(got, expected, rtol=1e-9)
        else:
            assert {t["name"] for t in traces} == set(expected)
            for t in traces:
                assert decode(t["y"])[i] == pytest.approx(float(expected[t["name"]]), rel=1e-9)


def test_picking_a_swept_value_from_the_parameters_chart_sets_it(open_page):
    at = open_page(get_family("decision_tree").page_path, view="Sweeps")
    at.selectbox(key="curve_param").set_value("max_depth").run()
    at.number_input(key="sweep_points").set_value(3).run()
    at = run_if_asked(at)
    slider = at.select_slider(key="measures_snap_max_depth")
    slider.set_value(0).run()  # the first swept value, by position
    at.button(key="measures_use").click().run()
    assert not at.exception
    swept = decode(measures_chart(at)["data"][0]["x"])
    assert at.number_input(key="max_depth").value == int(swept[0])
