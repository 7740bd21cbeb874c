"""AppTest: one answer per question. The first screen and the Sweeps tab judge over-fitting
by the same stated rule, the Sweeps sentence and its button name the same best value, every
sweep chart runs left to right, and the Sweeps tab says what it shows for each family."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from core.fit_verdict import RULE
from core.registry import LINEAR_REGRESSION
from tests.app.page_helpers import page_fit, run_if_asked

LINEAR = "app_pages/linear_regression.py"
LOGISTIC = "app_pages/logistic_regression.py"
KNN = "app_pages/nearest_neighbors.py"


def plain(text: str) -> str:
    """Page text with Markdown's backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", text)


def texts(elements) -> list[str]:
    return [plain(e.value) for e in elements]


def charts(at) -> dict[str, dict]:
    return {e.proto.id: json.loads(e.proto.spec) for e in at.get("plotly_chart")}


def chart(at, key: str) -> dict:
    found = [spec for chart_id, spec in charts(at).items() if key in chart_id]
    assert found, f"no chart {key!r}"
    return found[0]


def decode(array) -> np.ndarray:
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array, dtype=float)


def test_ridge_on_diabetes_reads_one_rule_on_both_screens(open_page, open_tab):
    at = open_page(LINEAR, estimator="ridge", alpha="1", n_resamples="10")
    data, fit = page_fit(LINEAR_REGRESSION, "diabetes", "regression", "ridge", True, alpha=1.0)
    train, test = fit.metrics.loc["R²", "train"], fit.metrics.loc["R²", "test"]
    first = [t for t in texts(at.warning) if RULE in t]
    assert len(first) == 1, texts(at.warning)
    assert f"Training R² is {train:.3f} against {test:.3f} on the test rows" in first[0]
    assert "on this split the model over-fits" in first[0] and "Sweeps tab" in first[0]
    run_if_asked(open_tab(at, "Sweeps"))
    diagnosis = [
        t for t in texts(at.markdown) if RULE in t and "on cross-validated folds the model" in t
    ]
    assert len(diagnosis) == 1, texts(at.markdown)
    # Alpha = 1 on 5 unshuffled folds of the training rows, recomputed with scikit-learn.
    X, y = fit.split.train_rows(data)
    scores = cross_validate(
        make_pipeline(StandardScaler(), Ridge(alpha=1.0)),
        X,
        y,
        cv=KFold(5),
        return_train_score=True,
    )
    cv_train, cv_test = scores["train_score"].mean(), scores["test_score"].mean()
    assert cv_train - cv_test < 0.1
    assert (
        f"At alpha = 1 the cross-validated R² is {cv_test:.3f} against {cv_train:.3f}"
        in (diagnosis[0])
    )
    assert "on cross-validated folds the model does not over-fit" in diagnosis[0]
    # The tab says what it shows for a family with a coefficient path.
    assert any(
        "**Sweeps**: parameters and scores along any hyperparameter" in c for c in texts(at.caption)
    )


def test_logistic_sweeps_run_left_to_right(open_page):
    at = run_if_asked(open_page(LOGISTIC, n_resamples="10", view="Sweeps"))
    path, curve = chart(at, "path_chart"), chart(at, "curve_chart")
    for spec in (path, curve):
        assert spec["layout"]["xaxis"].get("autorange", True) is True, spec["layout"]["xaxis"]
        assert spec["layout"]["xaxis"]["type"] == "log"
    assert "weaker penalty →" in path["layout"]["xaxis"]["title"]["text"]
    captions = texts(at.caption)
    assert any("A larger C is a weaker penalty, so coefficients grow" in c for c in captions)
    assert any(c.endswith("A larger C is a weaker penalty.") for c in captions), captions


def test_knn_sweep_tries_the_current_k_and_names_one_best_value(open_page):
    at = run_if_asked(open_page(KNN, view="Sweeps"))
    cv = next(t for t in chart(at, "curve_chart")["data"] if t.get("name") == "cross-validation")
    ks, scores = decode(cv["x"]), decode(cv["y"])
    assert 5 in ks  # the page's n_neighbors is on the grid
    best = int(ks[np.argmax(scores)])  # the first of the highest, as the page's best value
    diagnosis = next(
        t for t in texts(at.markdown) if RULE in t and "on cross-validated folds the model" in t
    )
    assert "was not tried" not in diagnosis
    if best == 5:
        assert diagnosis.startswith("n_neighbors = 5 is the best value tried")
        assert "curve_use_best" not in [b.key for b in at.button]
    else:
        assert f"The best value tried, n_neighbors = {best}," in diagnosis
        assert at.button(key="curve_use_best").label == f"Use the best n_neighbors = {best}"
    captions = texts(at.caption)
    assert any("**Sweeps**: parameters and scores along any hyperparameter" in c for c in captions)
    assert not any("move the parameters" in c for c in captions)
