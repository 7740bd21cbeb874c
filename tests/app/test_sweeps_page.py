"""AppTest: coefficient paths and validation curves, linked to the current setting."""

from __future__ import annotations

import json

import numpy as np
from sklearn.model_selection import validation_curve
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from core.data.prepare import load_dataset
from core.fitting import split_data
from core.registry import LINEAR_REGRESSION
from ui.widgets import grid_value

LINEAR = "app_pages/linear_regression.py"
LOGISTIC = "app_pages/logistic_regression.py"


def figure(at, first_trace_prefix):
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        names = [str(t.get("name", "")) for t in spec["data"]]
        if any(n.startswith(first_trace_prefix) for n in names):
            return spec
    raise AssertionError(f"no chart with a trace named {first_trace_prefix!r}…")


def decode(array):
    """Plotly's JSON may pack arrays as base64 typed arrays."""
    if isinstance(array, dict) and "bdata" in array:
        import base64

        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array, dtype=float)


def test_ols_explains_there_is_no_path(open_page):
    at = open_page(LINEAR, estimator="ols", view="Sweeps")
    assert any("has no penalty" in c.value for c in at.caption)


def test_lasso_path_marks_current_alpha_and_shrinks_to_the_right(open_page):
    at = open_page(LINEAR, estimator="lasso", alpha="2", n_resamples="10", view="Sweeps")
    spec = figure(at, "current")
    current = next(t for t in spec["data"] if str(t.get("name", "")).startswith("current"))
    assert decode(current["x"])[0] == 2.0
    age = next(t for t in spec["data"] if t.get("name") == "bmi")
    x, y = decode(age["x"]), decode(age["y"])
    assert np.all(np.diff(x) > 0) and abs(y[-1]) <= abs(y[0])
    assert y[-1] == 0.0  # lasso zeroes every coefficient at the largest alpha


def test_snapping_to_a_swept_value_sets_alpha(open_page):
    at = open_page(LINEAR, estimator="ridge", n_resamples="10", view="Sweeps")
    swept = decode(figure(at, "bmi")["data"][0]["customdata"])
    target = float(swept[-5])
    at.select_slider(key="path_snap_alpha").set_value(target).run()
    at.button(key="path_use").click().run()
    assert not at.exception
    # A swept value is set as the grid resolves it (3 significant digits): alpha=73900.
    assert at.number_input(key="alpha").value == grid_value(target)
    assert grid_value(target) == float(f"{target:.3g}")


def test_clicking_a_path_point_sets_alpha(open_page):
    at = open_page(LINEAR, estimator="ridge", n_resamples="10", view="Sweeps")
    at.session_state["path_chart_0"] = {
        "selection": {
            "points": [{"customdata": 12.5, "x": 12.5}],
            "point_indices": [0],
            "box": [],
            "lasso": [],
        }
    }
    at.run()
    assert not at.exception
    assert at.number_input(key="alpha").value == 12.5


def test_validation_curve_matches_scikit_learn_and_can_pick_the_best(open_page):
    at = open_page(LINEAR, estimator="ridge", n_resamples="10", sweep_points="5", view="Sweeps")
    at.number_input(key="sweep_points").set_value(5).run()
    spec = figure(at, "cross-validation")
    cv = next(t for t in spec["data"] if t.get("name") == "cross-validation")
    data = load_dataset("diabetes", "regression")
    split = split_data(data, 0.25, 0)
    X, y = data.X.iloc[split.train].to_numpy(), data.y.iloc[split.train].to_numpy()
    alphas = decode(cv["x"])
    _, test = validation_curve(
        make_pipeline(StandardScaler(), LINEAR_REGRESSION.get_estimator("ridge").make({})),
        X,
        y,
        param_name="ridge__alpha",
        param_range=alphas,
        cv=5,
    )
    np.testing.assert_allclose(decode(cv["y"]), test.mean(axis=1), rtol=1e-10)
    assert any("alpha" in m.value and "R²" in m.value for m in at.markdown)
    best = at.button(key="curve_use_best")
    best.click().run()
    chosen = at.number_input(key="alpha").value
    best_alpha = float(alphas[np.argmax(test.mean(axis=1))])
    assert chosen == grid_value(best_alpha) == float(f"{best_alpha:.3g}")


def test_a_categorical_hyperparameter_sweeps_as_bars(open_page):
    at = open_page(LOGISTIC, dataset="iris", n_resamples="10", view="Sweeps")
    at.selectbox(key="curve_param").set_value("class_weight").run()
    assert not at.exception
    spec = figure(at, "cross-validation")
    bars = [t for t in spec["data"] if t.get("type") == "bar"]
    assert bars and list(bars[0]["x"]) == ["none", "balanced"]


def test_logistic_path_per_class(open_page):
    at = open_page(LOGISTIC, dataset="iris", n_resamples="10", view="Sweeps")
    assert at.selectbox(key="path_class").options == ["setosa", "versicolor", "virginica"]
