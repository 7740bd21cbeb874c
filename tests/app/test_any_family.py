"""The frame takes a family of any shape with no change to shared modules.

A throwaway family whose only learned parameter is a constant (scikit-learn's
``DummyRegressor``) is registered for the test and driven through every tab of a page.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyRegressor
from streamlit.testing.v1 import AppTest

import core.registry
from core.data.prepare import load_dataset
from core.family import EstimatorSpec, FamilySpec
from core.fitting import fit_model
from core.learned import LearnedParameters, ParameterGroup
from core.specs import ParamSpec
from core.text import Sentence


def _extract(fit) -> LearnedParameters:
    constant = np.asarray(fit.model.constant_, dtype=float).ravel()
    return LearnedParameters(
        groups=(ParameterGroup("constant_", "constant", constant, ((fit.target,),)),)
    )


def _interpret(fit, dataset, learned) -> list[Sentence]:
    value = learned.group("constant_").values[0]
    return [Sentence(f"Every prediction is the constant {value:.4g}, whatever the features.")]


DUMMY = FamilySpec(
    id="dummy_constant",
    title="Constant baseline",
    icon=":material/horizontal_rule:",
    tasks=("regression",),
    summary="Predicts one number learned from the target alone.",
    estimators=(
        EstimatorSpec(
            "dummy", "Constant", DummyRegressor, ("strategy",), "predicts a statistic of y."
        ),
    ),
    hyperparameters=(
        ParamSpec(
            name="strategy",
            label="strategy",
            kind="choice",
            default="mean",
            choices=("mean", "median"),
            help="Which statistic of the training target to predict.",
        ),
    ),
    learned="constant_ (one number)",
    default_dataset="diabetes",
    extract=_extract,
    interpret=_interpret,
    script_parameters='learned = {"constant_": model.constant_.ravel().tolist()}',
)


def _page() -> None:
    from tests.app.test_any_family import DUMMY
    from ui.family_page import family_page

    family_page(DUMMY)


@pytest.fixture
def dummy_page(monkeypatch):
    """The dummy family registered (the cached fits look families up by id)."""
    monkeypatch.setattr(core.registry, "ALL_FAMILIES", (*core.registry.ALL_FAMILIES, DUMMY))

    def _open(**query: str) -> AppTest:
        at = AppTest.from_function(_page, default_timeout=60)
        at.query_params.update(query)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return _open


@pytest.fixture(scope="module")
def diabetes_fit():
    data = load_dataset("diabetes", "regression")
    return data, fit_model(DUMMY, "dummy", {"strategy": "median"}, data)


def test_page_shows_the_learned_constant_and_its_sentence(dummy_page, diabetes_fit):
    data, _ = diabetes_fit
    at = dummy_page(strategy="median")
    assert at.title[0].value == "Constant baseline"
    assert at.metric[0].value == "1"  # one learned number
    expected = float(np.median(data.y.iloc[fit_model(DUMMY, "dummy", {}, data).split.train]))
    table = next(f.value for f in at.dataframe if "value" in f.value.columns)
    assert table["value"].iloc[0] == pytest.approx(expected)
    assert any("constant" in m.value for m in at.markdown)


def test_compare_tab_pins_a_and_shows_the_change(dummy_page):
    at = dummy_page()
    at.button(key="pinned_dummy_constant_pin").click().run()
    at.selectbox(key="strategy").set_value("median").run()
    assert not at.exception
    metrics = next(f.value for f in at.dataframe if "metric" in f.value.columns)
    row = metrics.set_index("metric").loc["learned parameters"]
    assert row["A"] == 1 and row["B"] == 1
    setting = next(f.value for f in at.dataframe if "setting" in f.value.columns)
    assert setting.set_index("setting").loc["strategy", "changed"]


def test_sweeps_tab_sweeps_the_choice(dummy_page):
    at = dummy_page(view="Sweeps")
    assert not at.error
    # A choice is swept as bars, one per strategy, with cross-validated scores.
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["data"][0]["type"] == "bar"


def test_reproduce_tab_downloads_and_script_hold_what_they_claim(
    dummy_page, downloads, diabetes_fit, tmp_path
):
    _, fit = diabetes_fit
    at = dummy_page(view="Reproduce", strategy="median")
    assert not at.exception
    csv = pd.read_csv(io.BytesIO(downloads["dummy_constant_diabetes_parameters.csv"]))
    assert list(csv["group"]) == ["constant_"]
    assert csv["value_fitted"].iloc[0] == pytest.approx(float(fit.model.constant_.ravel()[0]))
    setting = json.loads(downloads["dummy_constant_diabetes_setting.json"])
    assert setting["setting"]["strategy"] == "median"
    card = downloads["dummy_constant_diabetes_model_card.md"].decode()
    assert "Diabetes" in card and "constant_" in card and "median" in card
    script = downloads["dummy_constant_diabetes.py"].decode()
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    printed = json.loads(out.stdout)
    assert printed["learned"]["constant_"] == pytest.approx(fit.model.constant_.ravel().tolist())
    assert printed["metrics"]["R²"]["test"] == pytest.approx(fit.metrics.at["R²", "test"])


def test_history_tab_lists_the_fit_with_its_headline(dummy_page, diabetes_fit):
    data, _ = diabetes_fit
    at = dummy_page(view="History")
    history = next(f.value for f in at.dataframe if "learned" in f.value.columns)
    assert history["parameters"].iloc[-1] == 1
    mean = fit_model(DUMMY, "dummy", {}, data).model.constant_.ravel()[0]
    assert history["learned"].iloc[-1] == f"1 learned; largest |progression| = {mean:.4g}"
