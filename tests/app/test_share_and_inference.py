"""AppTest: inference and stability, the share link, the script, setting files, history."""

from __future__ import annotations

import ast
import io
import json

import numpy as np
import pandas as pd
import statsmodels.api as sm

from core.data.prepare import load_dataset
from core.fitting import fit_model
from core.registry import LINEAR_REGRESSION
from core.setting_file import setting_json
from tests.app.page_helpers import frame_with

LINEAR = "app_pages/linear_regression.py"
LOGISTIC = "app_pages/logistic_regression.py"


def test_ols_page_shows_statsmodels_standard_errors(open_page):
    at = open_page(LINEAR, dataset="longley", estimator="ols", test_size="0", view="Stability")
    table = frame_with(at, "std_err").set_index("term")
    data = load_dataset("longley", "regression")
    reference = sm.OLS(data.y, sm.add_constant(data.X)).fit()
    np.testing.assert_allclose(table["std_err"].iloc[1:], reference.bse.iloc[1:], rtol=1e-6)
    np.testing.assert_allclose(table["p_value"].iloc[1:], reference.pvalues.iloc[1:], rtol=1e-6)
    vifs = frame_with(at, "vif")
    assert len(vifs) == 6 and vifs["vif"].max() > 1000


def test_penalised_fit_says_why_and_shows_resampled_spread(open_page):
    at = open_page(LINEAR, estimator="ridge", n_resamples="20", view="Stability")
    assert any("classical standard errors" in i.value for i in at.info)
    spread = frame_with(at, "share_sign_flip")
    assert (spread["n"] == 20).all() and len(spread) == 11  # 10 features + intercept
    assert (spread["low"] <= spread["high"]).all()
    at.selectbox(key="resample").set_value("kfold").run()
    assert not at.exception
    assert not frame_with(at, "share_sign_flip").equals(spread)


def test_separation_is_a_message_not_a_traceback(open_page):
    at = open_page(LOGISTIC, C="inf", n_resamples="10")
    assert not at.exception
    assert any("perfectly separated" in w.value for w in at.warning)


def test_share_link_and_script_follow_the_setting(open_page):
    at = open_page(LINEAR, dataset="longley", estimator="lasso", alpha="10", view="Reproduce")
    link = next(c.value for c in at.code if "?" in c.value and "\n" not in c.value)
    assert link.endswith("?dataset=longley&estimator=lasso&alpha=10")
    script = next(c.value for c in at.code if c.language == "python")
    tree = ast.parse(script)
    assert any(
        isinstance(n, ast.ImportFrom) and n.module == "sklearn.linear_model" for n in ast.walk(tree)
    )
    assert "Lasso(" in script and "alpha=10" in script
    labels = {b.label for b in at.get("download_button")}
    assert {
        "Python script",
        "Parameters (CSV)",
        "Setting (JSON)",
        "Model card (Markdown)",
    } <= labels


def test_upload_link_says_the_data_cannot_travel(open_page):
    at = open_page(LINEAR, view="Reproduce")
    at.selectbox(key="dataset").set_value("upload").run()
    rows = "\n".join(f"{i},{i % 7},{2 * i + 1}" for i in range(30))
    at.file_uploader(key="upload").set_value(("d.csv", f"a,b,y\n{rows}".encode(), "text/csv"))
    at.run()
    assert any("cannot travel in a link" in c.value for c in at.caption)
    script = next(c.value for c in at.code if c.language == "python")
    assert 'FILE_NAME = "d.csv"' in script and 'SEP = ","' in script


def test_a_setting_file_restores_the_page(open_page):
    at = open_page(LINEAR, estimator="ols", view="Reproduce")
    document = setting_json(
        "linear_regression",
        {"dataset": "longley", "estimator": "ridge", "alpha": 2.5, "scale": False},
    )
    at.file_uploader(key="setting_file").set_value(
        ("s.json", document.encode(), "application/json")
    ).run()
    assert not at.exception
    assert at.selectbox(key="dataset").value == "longley"
    assert at.selectbox(key="estimator").value == "ridge"
    assert at.number_input(key="alpha").value == 2.5
    assert at.checkbox(key="scale").value is False
    assert any("Loaded the setting" in i.value for i in at.info)


def test_a_broken_setting_file_is_a_message(open_page):
    at = open_page(LINEAR, view="Reproduce")
    at.file_uploader(key="setting_file").set_value(
        ("s.json", b"{not json", "application/json")
    ).run()
    assert not at.exception and at.error
    assert at.selectbox(key="dataset").value == "diabetes"


def test_history_logs_fits_and_restores_one(open_page, open_tab):
    at = open_page(LINEAR, estimator="ridge", n_resamples="10", view="History")
    at.number_input(key="alpha").set_value(50.0).run()
    at.number_input(key="alpha").set_value(5.0).run()
    history = frame_with(at, "hyperparameters")
    assert list(history["run"]) == [1, 2, 3]
    assert "alpha=50" in history["hyperparameters"].iloc[1]
    # Select run 2 and restore it.
    state = at.session_state
    state["history_table"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    at.button(key="history_restore").click().run()
    assert at.number_input(key="alpha").value == 50.0
    at.button(key="history_pin").click().run()
    open_tab(at, "Compare")
    settings = frame_with(at, "setting").set_index("setting")
    assert settings.loc["alpha", "A"] == "50" and settings.loc["alpha", "B"] == "50"


def test_downloads_hold_what_they_claim(open_page, downloads, diabetes):
    at = open_page(LINEAR, estimator="ridge", n_resamples="10", view="Reproduce")
    buttons = {b.label: b for b in at.get("download_button")}
    assert buttons  # the formats' details are checked in tests/core/test_export.py
    payload = json.loads(setting_json("linear_regression", {"estimator": "ridge"}))
    assert payload["setting"] == {"estimator": "ridge"}
    # The parameters CSV holds the page's fit: value_fitted is the estimator's own values.
    fit = fit_model(LINEAR_REGRESSION, "ridge", {}, diabetes)
    table = pd.read_csv(io.BytesIO(downloads["linear_regression_diabetes_parameters.csv"]))
    assert list(table["group"].unique()) == ["coef_", "intercept_"]
    coefs = table[table["group"] == "coef_"]
    assert list(coefs["feature"]) == list(fit.feature_names)
    np.testing.assert_allclose(coefs["value_fitted"], fit.model.coef_.ravel(), rtol=1e-12)
    intercept = table.loc[table["group"] == "intercept_", "value_fitted"]
    np.testing.assert_allclose(intercept, np.atleast_1d(fit.model.intercept_), rtol=1e-12)
    setting = json.loads(downloads["linear_regression_diabetes_setting.json"])
    assert setting["family"] == "linear_regression"
    assert setting["setting"]["estimator"] == "ridge"
    card = downloads["linear_regression_diabetes_model_card.md"].decode()
    assert card.startswith("# Model card: Linear regression, Ridge (L2)")


def test_history_csv_defuses_an_upload_named_like_a_formula(open_page, downloads):
    at = open_page(LINEAR, estimator="ols", view="History")
    at.selectbox(key="dataset").set_value("upload").run()
    rows = "\n".join(f"{i},{i % 7},{2 * i + 1}" for i in range(30))
    name = '=HYPERLINK("http://x.example","y").csv'
    at.file_uploader(key="upload").set_value((name, f"a,b,y\n{rows}".encode(), "text/csv"))
    at.run()
    assert not at.exception
    history = frame_with(at, "learned")
    assert list(history["data"]) == ["Diabetes progression", name]  # the file's name
    csv = pd.read_csv(io.BytesIO(downloads["run_history.csv"]), dtype=str)
    assert list(csv["data"]) == ["Diabetes progression", "'" + name]
    assert "learned" in csv.columns and "strongest feature" not in csv.columns
