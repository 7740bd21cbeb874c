"""AppTest: the Tune tab on every family page (#21). A link opens it with a search set but
runs nothing; a click runs it; its three numbers and its surface equal scikit-learn's own
search on the page's pipeline; "Use these values" makes the chosen values the page's."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score

from core.registry import FAMILIES, get_family
from core.search import make_plan, sklearn_grids
from core.setting import Setting
from tests.app.page_helpers import page_fit
from tests.app.test_sweeps_page import decode

#: One search per family: its page, data, estimator and what the link asks to tune.
CASES = {
    "linear_regression": ("diabetes", "regression", "ridge", {"tune": "alpha"}),
    "logistic_regression": ("breast_cancer", "classification", "logistic", {"tune": "C"}),
    "neural_network": ("iris", "classification", "mlp_classifier", {"tune": "alpha"}),
    "decision_tree": (
        "iris",
        "classification",
        "tree_classifier",
        {"tune": "max_depth", "tune2": "criterion"},
    ),
    "nearest_neighbors": ("iris", "classification", "knn_classifier", {"tune": "n_neighbors"}),
    "gradient_descent": ("diabetes", "regression", "sgd_regressor", {"tune": "alpha"}),
}
#: A small search, so the whole file stays quick: 3 points, 3 inner and 3 outer folds.
SMALL = {"tune_points": "3", "tune_folds": "3", "tune_outer": "3"}
LABELS = (
    "Best inner-CV score (optimistic)",
    "Nested-CV estimate (honest)",
    "Test score (touched once)",
)


def test_every_registered_family_has_a_case():
    assert set(CASES) == {f.id for f in FAMILIES}


def metrics(at):
    return {m.label: float(m.value) for m in at.metric if m.label in LABELS}


def tune_chart(at):
    for element in at.get("plotly_chart"):
        if "tune_chart" in element.proto.id:
            return json.loads(element.proto.spec)
    raise AssertionError("no score surface on the Tune tab")


def reference(family, dataset_id, task, estimator, params):
    """scikit-learn's GridSearchCV on the page's pipeline and training rows, the grid the
    tab's plan holds, and cross_val_score of that search."""
    data, fit = page_fit(family, dataset_id, task, estimator, family.scale_default)
    start = Setting.on(
        data,
        family.id,
        estimator,
        {k: v for k, v in fit.hyperparameters.items() if k not in params},
        scale=family.scale_default,
    )
    plan = make_plan(family, start, data, params, [3] * len(params), inner=3, outer=3)
    grid = {
        f"model__{n}": g for n, g in zip(params, sklearn_grids(family, start, plan), strict=True)
    }
    X_train, y_train = fit.split.train_rows(data)
    X_test, y_test = fit.split.test_rows(data)
    scoring = "r2" if task == "regression" else "accuracy"
    pipeline = clone(fit.pipeline)  # the grid overrides the searched values
    # The reference's own ConvergenceWarnings (SGD at a small max_iter) are expected: the
    # page records them as sentences.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(pipeline, grid, scoring=scoring, cv=3).fit(
            X_train.to_numpy(), y_train.to_numpy()
        )
        nested = cross_val_score(
            GridSearchCV(pipeline, grid, scoring=scoring, cv=3),
            X_train.to_numpy(),
            y_train.to_numpy(),
            cv=3,
        )
    test = search.score(X_test.to_numpy(), y_test.to_numpy())
    return plan, search, nested, test


@pytest.mark.parametrize("family_id", list(CASES))
def test_a_link_sets_up_the_search_a_click_runs_it_and_use_makes_it_current(open_page, family_id):
    family = get_family(family_id)
    dataset_id, task, estimator, asked = CASES[family_id]
    at = open_page(
        family.page_path, dataset=dataset_id, estimator=estimator, view="Tune", **asked, **SMALL
    )
    # The link set the search up and ran nothing: the button waits with its estimate.
    assert at.selectbox(key="tune").value == asked["tune"]
    assert at.selectbox(key="tune2").value == asked.get("tune2", "none")
    assert at.number_input(key="tune_folds").value == 3
    assert not metrics(at)
    run = at.button(key="tune_run")
    assert run.label.startswith("Run the search (about ") and run.label.endswith(" s)")
    run.click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = metrics(at)
    params = [asked["tune"]] + ([asked["tune2"]] if "tune2" in asked else [])
    plan, search, nested, test = reference(family, dataset_id, task, estimator, params)
    assert shown[LABELS[0]] == pytest.approx(search.best_score_, abs=5e-5)
    assert shown[LABELS[1]] == pytest.approx(nested.mean(), abs=5e-5)
    assert shown[LABELS[2]] == pytest.approx(test, abs=5e-5)
    # The surface: a curve for one hyperparameter, a heatmap with cell text for two.
    spec = tune_chart(at)
    means = search.cv_results_["mean_test_score"]
    if len(params) == 1:
        curve = next(t for t in spec["data"] if t.get("name") == "mean over folds")
        np.testing.assert_allclose(decode(curve["y"]), means, rtol=1e-9)
    else:
        heat = spec["data"][0]
        assert heat["type"] == "heatmap"
        z = decode(heat["z"])  # rows: the second parameter
        if isinstance(heat["z"], dict) and "shape" in heat["z"]:
            z = z.reshape([int(n) for n in str(heat["z"]["shape"]).split(",")])
        order = [
            (p[f"model__{params[0]}"], p[f"model__{params[1]}"])
            for p in search.cv_results_["params"]
        ]
        xs, ys = plan.grids
        for (x, y), mean in zip(order, means, strict=True):
            assert z[ys.index(y), xs.index(x)] == pytest.approx(mean, rel=1e-9)
        assert all("±" in cell for row in heat["text"] for cell in row)
    # The outer folds' choices and the sentence about them.
    assert any("outer folds chose" in m.value for m in at.markdown)
    # "Use these values" makes the chosen values the page's setting.
    # (Disabled when the page already holds them: then the check below holds at once.)
    if not at.button(key="tune_use").disabled:
        at.button(key="tune_use").click().run()
        assert not at.exception, [e.value for e in at.exception]
    best = {k.removeprefix("model__"): v for k, v in search.best_params_.items()}
    for name, value in best.items():
        widget = next(
            (w for w in [*at.number_input, *at.selectbox, *at.text_input] if w.key == name), None
        )
        assert widget is not None, name
        shown_value = widget.value
        if isinstance(value, float):
            assert float(shown_value) == pytest.approx(value, rel=1e-12), name
        else:
            assert shown_value == value, name
    assert at.button(key="tune_use").disabled  # already current
    assert metrics(at) == shown  # the result stays: the search left these values out


def test_a_bad_tune_link_is_dropped_with_a_sentence(open_page):
    family = get_family("linear_regression")
    at = open_page(family.page_path, view="Tune", tune="nope", tune_points="inf", tune_strategy="x")
    warnings = " ".join(w.value for w in at.warning)
    assert "tune=" in warnings and "tune\\_points=" in warnings and "tune\\_strategy=" in warnings
    assert at.selectbox(key="tune").value == "alpha"
    assert at.number_input(key="tune_points").value == 6
    assert not metrics(at)


def test_a_family_estimator_with_nothing_to_tune_says_so(open_page):
    at = open_page(get_family("linear_regression").page_path, estimator="ols", view="Tune")
    assert any("nothing to tune" in i.value for i in at.info)
