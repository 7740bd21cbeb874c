"""AppTest: the logistic page's parameters, URL state, solver choice and boundary."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

import ui.widgets
from core.data.prepare import load_dataset
from core.fitting import fit_model, split_data
from core.linear.parameters import extract_linear_parameters
from core.registry import LOGISTIC_REGRESSION
from tests.app.page_helpers import column_settings, decode, shown_columns

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


def test_the_table_shows_one_units_at_a_time_and_keeps_the_rest_behind_its_menu(open_page):
    """Half of a 1280 px page holds a feature, a coefficient and its odds ratio: the units
    control picks which pair, the caption says what the odds are against and where the
    other columns are, and the data keep every column."""
    at = open_page(PAGE)
    assert at.radio(key="units").value == "per SD"
    assert shown_columns(at, "odds ratio") == ["feature", "coefficient", "odds ratio"]
    table = parameter_table(at)
    assert {"per unit", "odds ratio", "odds against", "zero"} <= set(table.columns)
    caption = next(c.value for c in at.caption if c.value.startswith("Odds ratio"))
    assert "factor on the odds of malignant against benign" in caption
    assert "(coefficient per unit, odds ratio per unit, odds against, zero)" in caption
    assert "exactly 0" not in caption  # no L1 penalty: no coefficient is exactly zero

    at.radio(key="units").set_value("per unit").run()
    assert shown_columns(at, "odds ratio") == ["feature", "coefficient", "odds ratio"]
    config = column_settings(at, "odds ratio")
    assert config["per unit"]["label"] == "coefficient" and "hidden" not in config["per unit"]
    assert config["per SD"] == {**config["per SD"], "label": "coefficient per SD", "hidden": True}
    # Per unit, breast cancer's odds ratios run from about 1e-107 to 1e+39: written in full
    # they ran off their cells, so that column is in scientific notation; the others are not.
    assert table["odds ratio"].max() > 1e30 and table["odds ratio"].min() < 1e-30
    assert config["odds ratio"]["type_config"]["format"] == "%.3e"
    assert config["per unit"]["type_config"]["format"] == "%.4g"
    assert config["odds ratio per SD"]["type_config"]["format"] == "%.4g"
    # The chart draws the units the table shows.
    at.toggle(key="coef_chart").set_value(True).run()
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    per_unit = dict(zip(table["feature"], table["per unit"], strict=True))
    for feature, value in zip(bars["y"], decode(bars["x"]), strict=True):
        assert value == pytest.approx(per_unit[feature], rel=1e-9)


def test_an_l1_fit_counts_its_exact_zeros_in_the_caption(open_page):
    at = open_page(PAGE, l1_ratio="1", C="0.05", solver="saga", max_iter="5000")
    table = parameter_table(at)
    zeros = int((table["zero"] == "exactly 0").sum())
    assert zeros > 0 and (table.loc[table["zero"] == "exactly 0", "per unit"] == 0).all()
    assert any(f"{zeros} coefficients are exactly 0." in c.value for c in at.caption)


def test_a_multinomial_table_shows_the_class_and_names_the_reference_once(open_page):
    at = open_page(PAGE, dataset="iris", units="per unit")
    assert at.radio(key="units").value == "per unit"
    assert shown_columns(at, "odds ratio") == ["class", "feature", "coefficient", "odds ratio"]
    assert any(
        "factor on the odds of each class against setosa, whose own rows hold none" in c.value
        for c in at.caption
    )


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
