"""The /capacity page through AppTest (#23): nothing runs before a click, each button
states its estimate, the tables are core's numbers, the settings travel in the link, a bad
link value gets a sentence, and the page's script reproduces its table."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

from core.registry import FAMILIES
from core.risk.bias_variance import BV_COLUMNS, bias_variance, bias_variance_setup
from core.risk.double_descent import DD_COLUMNS, DoubleDescentSetup, double_descent, theory_risk
from core.risk.settings import BV_FAMILY, CAPACITY_PAGE_SPECS

PAGE = "app_pages/capacity.py"
SMALL_BV = {"bv_family": "nearest_neighbors", "bv_n": "20", "bv_repeats": "3", "bv_seed": "4"}
SMALL_DD = {"dd_n": "20", "dd_repeats": "3", "dd_seed": "1"}


def _family(family_id):
    return next(f for f in FAMILIES if f.id == family_id)


def _run_button(at, key):
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_page_opens_with_two_estimates_and_runs_nothing(open_page):
    at = open_page(PAGE)
    assert at.title[0].value == "Capacity: bias, variance and double descent"
    headers = [h.value for h in at.subheader]
    assert headers == ["Bias and variance from refits", "Double descent: more features than rows"]
    labels = {b.key: b.label for b in at.button}
    assert labels["capacity_bv_run"].startswith("Run the refits (650 fits, about ")
    assert labels["capacity_dd_run"].startswith("Run the simulation (20 values of p, 50 draws")
    assert not at.dataframe and not at.get("plotly_chart")
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "Hastie" in text and "Statistical Learning" in text and "Geman" in text
    assert not at.warning


def test_bias_variance_run_shows_cores_table_and_a_script_that_reproduces_it(open_page):
    at = open_page(PAGE, **SMALL_BV)
    _run_button(at, "capacity_bv_run")
    page = at.dataframe[0].value
    assert list(page.columns) == list(BV_COLUMNS)
    setup = bias_variance_setup(_family("nearest_neighbors"), n=20, repeats=3, seed=4, degree=5)
    core = bias_variance(setup, n_jobs=1).table
    assert list(page.index) == list(core.index)
    np.testing.assert_allclose(page.to_numpy(), core.to_numpy(), rtol=1e-12)
    total = page["bias²"] + page["variance"] + page["noise"]
    np.testing.assert_allclose(total, page["expected test MSE"], rtol=1e-12)
    assert len(at.get("plotly_chart")) == 2  # the decomposition and the refitted curves
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [t["name"] for t in chart["data"]][-1] == "your setting"
    text = " ".join(m.value for m in at.markdown)
    assert "identity" in text
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(at.code[0].value, "script.py", "exec"), namespace)
    np.testing.assert_allclose(namespace["table"].to_numpy(), page.to_numpy(), rtol=1e-9)
    # A rerun shows the cached result without asking again.
    at.run()
    assert at.dataframe and "capacity_bv_run" not in [b.key for b in at.button]


def test_double_descent_run_shows_cores_table_and_the_theory(open_page):
    at = open_page(PAGE, **SMALL_DD)
    _run_button(at, "capacity_dd_run")
    page = at.dataframe[0].value
    assert list(page.columns) == list(DD_COLUMNS)
    core = double_descent(DoubleDescentSetup(n=20, repeats=3, seed=1), n_jobs=1).table
    np.testing.assert_allclose(page.to_numpy(), core.to_numpy(), rtol=1e-12)
    for gamma, theory in zip(page["p/n"], page["min-norm risk (theory)"], strict=True):
        assert theory == pytest.approx(theory_risk(gamma, 5.0, 1.0))
    text = " ".join(m.value for m in at.markdown)
    assert "The peak at p = n" in text and "min(n, p)" in text
    captions = " ".join(c.value for c in at.caption)
    assert "LinearRegression" in captions and "minimum-norm" in captions


def test_a_link_with_settings_opens_them(open_page):
    at = open_page(PAGE, bv_family="decision_tree", bv_sweep="degree", bv_noise="0.5", dd_r2="2.5")
    assert at.selectbox(key="bv_family").value == "decision_tree"
    assert at.selectbox(key="bv_sweep").value == "degree"
    assert at.number_input(key="bv_noise").value == 0.5
    assert at.number_input(key="dd_r2").value == 2.5
    captions = " ".join(c.value for c in at.caption)
    assert "polynomial degree of x" in captions and "σ = 0.5" in captions
    assert at.button(key="capacity_bv_run").label.startswith("Run the refits (750 fits")


@pytest.mark.parametrize(
    ("query", "key", "sentence"),
    [
        ({"bv_seed": "inf"}, "bv_seed", "bv\\_seed='inf' was ignored"),
        ({"dd_n": "5"}, "dd_n", "dd\\_n='5' was ignored"),
        ({"bv_family": "<script>"}, "bv_family", "bv\\_family="),
    ],
)
def test_a_bad_link_value_gets_a_sentence_and_the_default(open_page, query, key, sentence):
    at = open_page(PAGE, **query)
    warnings = " ".join(w.value for w in at.warning)
    assert sentence in warnings and "is used instead" in warnings
    assert key not in at.query_params
    if key == "bv_family":
        assert at.selectbox(key=key).value == BV_FAMILY.default
    else:
        spec_default = {"bv_seed": 0, "dd_n": 100}[key]
        assert at.number_input(key=key).value == spec_default
    at.run()
    assert not at.exception


@pytest.mark.parametrize("text", ["inf", "1e309", "-1", "nan", "", "<b>x</b>", "9" * 400])
def test_every_key_with_a_hostile_value_opens_without_a_traceback(open_page, text):
    """Every URL key of the page at once: each is dropped with its sentence or kept when
    valid, and the page is drawn to its buttons."""
    query = {s.name: text for s in CAPACITY_PAGE_SPECS}
    at = open_page(PAGE, **query)
    warnings = " ".join(w.value for w in at.warning)
    for spec in CAPACITY_PAGE_SPECS:
        if spec.name in at.query_params:  # kept: the value was valid for it
            assert spec.validate(text) is not None
        else:
            assert f"{spec.name.replace('_', chr(92) + '_')}=" in warnings
    assert {b.key for b in at.button} >= {"capacity_bv_run", "capacity_dd_run"}


def test_the_chart_marks_the_value_last_used_on_the_familys_page(open_page):
    """k = 9 set on the nearest-neighbours page (diabetes: a regressor) is the value the
    capacity chart marks, and the grid holds it."""
    at = open_page("app_pages/nearest_neighbors.py", dataset="diabetes", n_neighbors="9")
    at.switch_page(PAGE)
    at.query_params.update(SMALL_BV)
    at.run()
    _run_button(at, "capacity_bv_run")
    assert 9 in list(at.dataframe[0].value.index)
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    star = chart["data"][-1]
    assert star["name"] == "your setting" and star["x"] == [9]
