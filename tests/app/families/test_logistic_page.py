"""AppTest: the logistic page's parameters, URL state, solver choice and boundary."""

from __future__ import annotations

import json

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

import ui.widgets
from core.data.prepare import load_dataset
from core.fitting import fit_model, split_data
from core.linear.parameters import extract_linear_parameters
from core.registry import LOGISTIC_REGRESSION

PAGE = "app_pages/logistic_regression.py"


def parameter_table(at):
    for frame in at.dataframe:
        if "odds ratio" in frame.value.columns:
            return frame.value
    raise AssertionError("no parameter table")


def chart(at, name):
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        if any(str(t.get("name", "")).startswith(name) for t in spec["data"]):
            return spec
    raise AssertionError(f"no chart with a trace named {name!r}")


def test_binary_default_shows_one_row_of_odds_ratios(open_page):
    at = open_page(PAGE)
    table = parameter_table(at)
    assert len(table) == 30 and set(table["class"]) == {"malignant"}
    np.testing.assert_allclose(table["odds ratio"], np.exp(table["per unit"]))
    assert any("chose **lbfgs**" in c.value for c in at.caption)
    assert any("multiplies the odds of malignant" in m.value for m in at.markdown)


def test_multiclass_shows_one_row_per_class(open_page):
    at = open_page(PAGE, dataset="iris")
    table = parameter_table(at)
    assert len(table) == 12
    assert sorted(table["class"].unique()) == ["setosa", "versicolor", "virginica"]
    assert at.metric[0].value == "15"
    # Odds are against the first class; its own rows say so instead of naming itself.
    reference = table[table["class"] == "setosa"]
    assert set(reference["odds against"]) == {"(reference)"}
    assert reference["odds ratio"].isna().all()
    others = table[table["class"] != "setosa"]
    assert set(others["odds against"]) == {"setosa"} and others["odds ratio"].notna().all()
    # The odds ratios come before the long text columns (visible in a half-width column).
    columns = list(table.columns)
    assert columns.index("odds ratio per SD") < columns.index("odds against")


def test_no_penalty_from_a_link(open_page):
    at = open_page(PAGE, dataset="synthetic_classification", C="inf", max_iter="5000")
    assert at.text_input(key="C").value == "inf"
    data = load_dataset("synthetic_classification", "classification")
    fit = fit_model(LOGISTIC_REGRESSION, "logistic", {"C": float("inf"), "max_iter": 5000}, data)
    expected = extract_linear_parameters(fit).coef[0]
    np.testing.assert_allclose(parameter_table(at)["per unit"], expected, rtol=1e-10)


def test_an_invalid_solver_in_a_link_falls_back_to_auto(open_page):
    at = open_page(PAGE, l1_ratio="1", solver="lbfgs", C="0.1", max_iter="3000")
    solver = at.selectbox(key="solver")
    assert solver.value == "auto" and "lbfgs" not in solver.options
    assert any("chose **saga**" in c.value for c in at.caption)
    assert (parameter_table(at)["zero"] == "exactly 0").sum() > 0


def test_a_bad_c_keeps_the_default_with_a_note(open_page):
    at = open_page(PAGE, dataset="iris", C="lots")
    assert any("expected a number" in w.value for w in at.warning)
    assert len(parameter_table(at)) == 12


def test_boundary_line_is_drawn_from_the_two_feature_model(open_page):
    at = open_page(PAGE, boundary_x="mean radius", boundary_y="mean texture", view="Boundary")
    spec = chart(at, "boundary")
    line = next(t for t in spec["data"] if str(t.get("name", "")).startswith("boundary"))
    xs, ys = line["x"], line["y"]
    data = load_dataset("breast_cancer", "classification")
    two = data.__class__(**{**data.__dict__, "X": data.X[["mean radius", "mean texture"]]})
    params = extract_linear_parameters(fit_model(LOGISTIC_REGRESSION, "logistic", {}, two))
    w, b = params.coef[0], params.intercept[0]
    np.testing.assert_allclose(w[0] * np.array(xs) + w[1] * np.array(ys) + b, 0, atol=1e-8)
    c_lines = [t for t in spec["data"] if str(t.get("name", "")).startswith("C=")]
    assert len(c_lines) >= 3


def test_the_lines_at_other_c_are_direct_refits_and_wait_when_long(open_page, monkeypatch):
    """The dotted lines are the one sweep engine's refits of the two-feature model: each
    lies on the boundary of a LogisticRegression fitted by hand on those two features. When
    the engine's estimate is over LONG_WORK_SECONDS (lowered here), they wait for a click."""
    monkeypatch.setattr(ui.widgets, "LONG_WORK_SECONDS", 0.0)
    at = open_page(PAGE, boundary_x="mean radius", boundary_y="mean texture", view="Boundary")
    spec = chart(at, "boundary")
    assert not [t for t in spec["data"] if str(t.get("name", "")).startswith("C=")]
    (run,) = [b for b in at.button if b.label.startswith("Run it")]
    assert any("boundary at 5 other values of C" in i.value for i in at.info)
    run.click().run()
    assert not at.exception
    spec = chart(at, "boundary")
    drawn = {t["name"]: t for t in spec["data"] if str(t.get("name", "")).startswith("C=")}
    assert len(drawn) >= 3
    data = load_dataset("breast_cancer", "classification")
    train = split_data(data, 0.25, 0).train
    X = data.X[["mean radius", "mean texture"]].to_numpy()[train]
    y = data.y.to_numpy()[train]
    scaler = StandardScaler().fit(X)
    for name, trace in drawn.items():
        model = LogisticRegression(C=float(name.removeprefix("C="))).fit(scaler.transform(X), y)
        w = model.coef_[0] / scaler.scale_
        b = model.intercept_[0] - w @ scaler.mean_
        xs, ys = np.asarray(trace["x"], dtype=float), np.asarray(trace["y"], dtype=float)
        np.testing.assert_allclose(w[0] * xs + w[1] * ys + b, 0, atol=1e-6)


def test_pin_and_compare_across_c(open_page):
    at = open_page(PAGE, dataset="iris")
    at.button(key="pinned_logistic_regression_pin").click().run()
    at.text_input(key="C").set_value("0.01").run()
    assert not at.exception
    frames = [f.value for f in at.dataframe]
    terms = next(f for f in frames if "B - A" in f.columns and "term" in f.columns)
    assert terms["term"].str.contains(": ").all()  # "class: feature" terms
    intercepts = terms["term"].str.endswith(": (intercept)")
    assert (~intercepts).sum() == 12 and intercepts.sum() == 3  # one intercept per class
