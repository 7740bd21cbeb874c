"""A new family is its package, one registry line and a page file, and every shared tab works
for it (#19).

The toy family in ``tests/app/toy_family/`` (scikit-learn's ``HuberRegressor``) is written as
a real family package. The test copies the app's source into a temporary folder, puts the
package at ``core/families/toy/``, adds one line to ``core/registry.py`` and a page file
shaped like the others, and nothing else. ``tests/app/any_family_driver.py`` then drives the
copy's page in a subprocess (Home, Compare, Sweeps, Tune, Predict, Stability, Reproduce,
History and ``/families``) and prints what it shows; the tests below compare those numbers with
scikit-learn fitted directly, and check that no shared file of the copy was edited.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import HuberRegressor
from sklearn.metrics import r2_score
from sklearn.model_selection import cross_validate, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

REPO = Path(__file__).resolve().parents[2]
TOY = Path(__file__).resolve().parent / "toy_family"
DRIVER = Path(__file__).resolve().parent / "any_family_driver.py"
#: What the app is made of; tests, benchmarks, .git and .venv are not copied.
SOURCES = ("app.py", "app_pages", "core", "ui", ".streamlit")

#: The one line a new family adds to core/registry.py: its package's name in ``PACKAGES``.
REGISTRY_LINE = '    "toy",'
#: The page file, shaped like app_pages/linear_regression.py (app.py builds the navigation
#: from the registry and opens ``app_pages/<family id>.py``).
PAGE = '''"""Huber regression page: the toy family, set versus learned."""

from core.registry import get_family
from ui.family_page import family_page

family_page(get_family("toy"))
'''
#: Every file of the copy that differs from the repository's.
NEW_FILES = {
    "core/families/toy/__init__.py": (TOY / "__init__.py").read_bytes(),
    "core/families/toy/family.py": (TOY / "family.py").read_bytes(),
    "app_pages/toy.py": PAGE.encode(),
}


def source_files(root: Path) -> dict[str, bytes]:
    """The app's files under ``root`` by relative path (compiled files left out)."""
    files = {}
    for name in SOURCES:
        path = root / name
        found = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in found:
            if "__pycache__" not in file.parts:
                files[file.relative_to(root).as_posix()] = file.read_bytes()
    return files


def add_registry_line(registry: str) -> str:
    """``core/registry.py`` with ``REGISTRY_LINE`` as the last entry of ``PACKAGES``."""
    lines = registry.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("PACKAGES")]
    assert starts, "core/registry.py has no PACKAGES tuple that a family joins with one line"
    end = next(i for i in range(starts[0], len(lines)) if lines[i].rstrip() == ")")
    return "".join([*lines[:end], REGISTRY_LINE + "\n", *lines[end:]])


def build_copy(dest: Path) -> dict[str, bytes]:
    """Copy the app to ``dest`` and add the toy family; return the originals it copied."""
    originals = source_files(REPO)
    for name, data in originals.items():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_bytes(data)
    for name, data in NEW_FILES.items():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_bytes(data)
    registry = dest / "core" / "registry.py"
    registry.write_text(add_registry_line(registry.read_text(encoding="utf-8")), encoding="utf-8")
    return originals


@pytest.fixture(scope="module")
def toy_app(tmp_path_factory):
    """The copy with the toy family, what the driver read off its pages, and the originals."""
    copy = tmp_path_factory.mktemp("app")
    originals = build_copy(copy)
    # -P: the driver's own folder is not put on the import path, so the app and the family
    # are imported from the copy only (the driver checks it).
    warnings = ["-W", "error::FutureWarning", "-W", "error::DeprecationWarning"]
    done = subprocess.run(
        [sys.executable, "-P", *warnings, str(DRIVER)],
        cwd=copy,
        env={**os.environ, "PYTHONPATH": str(copy)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:] + done.stdout[-2000:]
    return copy, json.loads(done.stdout.strip().splitlines()[-1]), originals


# --- scikit-learn, fitted directly: the page's data, split and pipeline, written out ---------
@cache
def diabetes() -> tuple[pd.DataFrame, pd.Series]:
    frame = load_diabetes(as_frame=True, scaled=False).frame
    return frame.drop(columns="target"), frame["target"]


def split() -> tuple[np.ndarray, np.ndarray]:
    """The page's split: a quarter of the rows for testing, seed 0."""
    return train_test_split(np.arange(442), test_size=0.25, random_state=0)


@cache
def huber(**values: float):
    """Standardised features, then ``HuberRegressor``, fitted on the training rows."""
    X, y = diabetes()
    train, _ = split()
    return make_pipeline(StandardScaler(), HuberRegressor(**values)).fit(
        X.iloc[train], y.iloc[train]
    )


def held_out_r2(pipeline) -> float:
    """R² on the page's test rows."""
    X, y = diabetes()
    _, test = split()
    return float(r2_score(y.iloc[test], pipeline.predict(X.iloc[test])))


def raw_coefficients(pipeline) -> np.ndarray:
    """The coefficients in the features' own units (the page's ``value`` column)."""
    return pipeline[-1].coef_ / pipeline[0].scale_


# --- the copy holds only the new family's files ---------------------------------------------
def test_only_the_registry_line_the_package_and_the_page_differ(toy_app):
    copy, _, originals = toy_app
    now = source_files(copy)  # after the pages ran
    changed = {name for name in {*now, *originals} if now.get(name) != originals.get(name)}
    assert changed == {"core/registry.py", *NEW_FILES}
    for name, data in NEW_FILES.items():
        assert now[name] == data
    diff = list(
        difflib.unified_diff(
            originals["core/registry.py"].decode().splitlines(),
            now["core/registry.py"].decode().splitlines(),
            lineterm="",
            n=0,
        )
    )
    assert [d for d in diff if d[:1] in "+-" and d[:3] not in ("+++", "---")] == [
        "+" + REGISTRY_LINE
    ]


def test_the_subprocess_imported_the_copy(toy_app):
    copy, result, _ = toy_app
    assert Path(result["core"]) == copy.resolve() / "core"


# --- the page and its shared tabs ------------------------------------------------------------
def test_home_and_the_page_show_what_huber_regression_learned(toy_app):
    _, result, _ = toy_app
    home = {row["family"]: row for row in result["home"]}
    assert home["Huber regression"]["parameters learned"] == 12  # 10 coef_, intercept_, scale_
    page = result["page"]
    assert page["title"] == "Huber regression"
    assert page["count"] == "12"
    assert page["tabs"] == [
        "Compare",
        "Sweeps",
        "Tune",
        "Predict",
        "Stability",
        "Reproduce",
        "History",
    ]
    fitted = huber()  # the page starts at scikit-learn's defaults
    learned = pd.DataFrame(page["learned"]).set_index("term")
    np.testing.assert_allclose(
        learned.loc[diabetes()[0].columns, "value"], raw_coefficients(fitted), rtol=1e-9
    )
    assert learned.at["(intercept)", "value_fitted"] == pytest.approx(
        fitted[-1].intercept_, rel=1e-9
    )
    assert learned.at["(residual scale)", "value"] == pytest.approx(fitted[-1].scale_, rel=1e-9)
    n_out = int(fitted[-1].outliers_.sum())
    assert any(f"the {n_out} of 331 training rows beyond" in m for m in page["markdown"])


def test_predict_tells_the_linear_story_of_a_row_without_the_family_declaring_it(toy_app):
    """The toy family declares no explain_row; HuberRegressor predicts with coef_ and
    intercept_, so the Predict tab adds them up, as scikit-learn fitted at B (alpha 100)."""
    _, result, _ = toy_app
    X, y = diabetes()
    _, test = split()
    fitted = huber(alpha=100.0)
    row = X.iloc[[test[3]]]
    scaled = (row.to_numpy()[0] - fitted[0].mean_) / fitted[0].scale_
    parts = fitted[-1].coef_ * scaled
    predicted = float(fitted.predict(row)[0])
    table = pd.DataFrame(result["predict"]["contributions"]).set_index("term")
    np.testing.assert_allclose(
        table.loc[X.columns, "contribution (as fitted)"], parts, rtol=1e-9, atol=1e-12
    )
    assert table.at["(intercept)", "contribution (as fitted)"] == pytest.approx(
        fitted[-1].intercept_, rel=1e-12
    )
    assert table.at["= sum", "contribution (as fitted)"] == pytest.approx(predicted, abs=1e-9)
    assert result["predict"]["metrics"]["Prediction"] == f"{predicted:.4g}"
    assert result["predict"]["metrics"]["Actual"] == f"{float(y.iloc[test[3]]):.4g}"
    # bmi edited to 40: only its contribution moves, by coef_ × the scaled change.
    edited = pd.DataFrame(result["predict_edited"]["contributions"]).set_index("term")
    moved = edited["contribution (as fitted)"] - table["contribution (as fitted)"]
    j = list(X.columns).index("bmi")
    step = fitted[-1].coef_[j] * (40.0 - row.iloc[0, j]) / fitted[0].scale_[j]
    assert moved["bmi"] == pytest.approx(step, rel=1e-9)
    assert (moved.drop(["bmi", "= sum"]) == 0).all()
    assert moved["= sum"] == pytest.approx(step, rel=1e-9)
    assert json.loads(result["predict_edited"]["edit"]) == {"bmi": 40.0}
    assert any("bmi's contribution" in i for i in result["predict_edited"]["info"])


def test_compare_shows_a_and_b_as_scikit_learn_fits_them(toy_app):
    _, result, _ = toy_app
    compare = result["compare"]
    setting = pd.DataFrame(compare["setting"]).set_index("setting")
    assert setting.at["alpha", "changed"] and not setting.at["epsilon", "changed"]
    assert setting.at["alpha", "B"] == "100"
    a, b = huber(), huber(alpha=100.0)
    terms = pd.DataFrame(compare["terms"]).set_index("term")
    features = diabetes()[0].columns
    np.testing.assert_allclose(terms.loc[features, "A"], raw_coefficients(a), rtol=1e-9)
    np.testing.assert_allclose(terms.loc[features, "B"], raw_coefficients(b), rtol=1e-9)
    assert terms.at["(residual scale)", "B"] == pytest.approx(b[-1].scale_, rel=1e-9)
    # The penalty shrinks the coefficients: B's are smaller in total.
    assert np.abs(terms.loc[features, "B"]).sum() < 0.5 * np.abs(terms.loc[features, "A"]).sum()
    metrics = pd.DataFrame(compare["metrics"]).set_index("metric")
    assert metrics.at["R² (test)", "A"] == pytest.approx(held_out_r2(a), rel=1e-9)
    assert metrics.at["R² (test)", "B"] == pytest.approx(held_out_r2(b), rel=1e-9)
    assert metrics.at["learned parameters", "A"] == metrics.at["learned parameters", "B"] == 12


def test_sweeps_chart_the_learned_parameters_and_scores_of_direct_refits(toy_app):
    _, result, _ = toy_app
    assert result["sweeps_param"] == "alpha"  # the penalty is swept first
    sweeps = result["sweeps"]
    settings = sweeps["settings"]
    measures = {t["name"]: t for t in sweeps["measures"] if not t["name"].startswith("current")}
    assert set(measures) == {*diabetes()[0].columns, "scale_"}
    swept = measures["bmi"]["x"]
    assert len(swept) == settings["points"]
    assert swept[0] == pytest.approx(settings["low"])
    assert swept[-1] == pytest.approx(settings["high"])
    curve = {t["name"]: t for t in sweeps["curve"]}
    assert curve["cross-validation"]["x"] == pytest.approx(swept)
    X, y = diabetes()
    train, _ = split()
    for i, alpha in enumerate(swept):
        # Each point is the page's setting (epsilon at its default) with alpha swept.
        fitted = huber(alpha=alpha)
        per_sd = dict(zip(X.columns, fitted[-1].coef_, strict=True))  # standardised features
        for name, value in per_sd.items():
            assert measures[name]["y"][i] == pytest.approx(value, rel=1e-9)
        assert measures["scale_"]["y"][i] == pytest.approx(fitted[-1].scale_, rel=1e-9)
        cv = cross_validate(
            make_pipeline(StandardScaler(), HuberRegressor(alpha=alpha)),
            X.iloc[train].to_numpy(dtype=float),
            y.iloc[train].to_numpy(dtype=float),
            cv=sweeps["folds"],
            scoring="r2",
        )
        assert curve["cross-validation"]["y"][i] == pytest.approx(cv["test_score"].mean(), rel=1e-9)


def test_tune_searches_chooses_and_makes_current_as_gridsearchcv_does(toy_app):
    from sklearn.model_selection import GridSearchCV, cross_val_score

    _, result, _ = toy_app
    assert result["tune_param"] == "alpha"
    tune = result["tune"]
    assert tune["asked"] and tune["asked"][0].startswith("Run the search (about ")
    curve = next(t for t in tune["curve"] if t["name"] == "mean over folds")
    grid = {"huberregressor__alpha": curve["x"]}
    assert len(curve["x"]) == 4
    X, y = diabetes()
    train, test = split()
    X_train, y_train = X.iloc[train].to_numpy(), y.iloc[train].to_numpy()
    model = make_pipeline(StandardScaler(), HuberRegressor())
    search = GridSearchCV(model, grid, scoring="r2", cv=5).fit(X_train, y_train)
    np.testing.assert_allclose(curve["y"], search.cv_results_["mean_test_score"], rtol=1e-9)
    nested = cross_val_score(GridSearchCV(model, grid, scoring="r2", cv=5), X_train, y_train, cv=5)
    metrics = tune["metrics"]
    assert float(metrics["Best inner-CV score (optimistic)"]) == pytest.approx(
        search.best_score_, abs=5e-5
    )
    assert float(metrics["Nested-CV estimate (honest)"]) == pytest.approx(nested.mean(), abs=5e-5)
    test_score = search.score(X.iloc[test].to_numpy(), y.iloc[test].to_numpy())
    assert float(metrics["Test score (touched once)"]) == pytest.approx(test_score, abs=5e-5)
    assert [row["outer score"] for row in tune["outer"]] == pytest.approx(nested, rel=1e-9)
    best = search.best_params_["huberregressor__alpha"]
    assert tune["alpha_after_use"] == pytest.approx(best, rel=1e-12)


def test_stability_shows_the_spread_around_the_fitted_coefficients(toy_app):
    _, result, _ = toy_app
    intervals = pd.DataFrame(result["stability"]["intervals"]).set_index("feature")
    b = huber(alpha=100.0)  # the page's setting now
    features = diabetes()[0].columns
    np.testing.assert_allclose(intervals.loc[features, "fitted"], raw_coefficients(b), rtol=1e-9)
    assert (intervals["low"] <= intervals["high"]).all()
    assert any("Stability across resamples" in m for m in result["stability"]["markdown"])


def test_reproduce_script_runs_and_prints_the_pages_parameters(toy_app, tmp_path):
    _, result, _ = toy_app
    reproduce = result["reproduce"]
    script = reproduce["files"]["toy_diabetes.py"]
    assert reproduce["shown"] == [script.rstrip("\n")]  # the page shows the file it offers
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    printed = json.loads(done.stdout)
    assert printed["estimator"] == "HuberRegressor"
    features = list(diabetes()[0].columns)
    page = pd.DataFrame(reproduce["learned"]).set_index("term")["value_fitted"]
    np.testing.assert_allclose(printed["learned"]["coef_"], page.loc[features], rtol=1e-9)
    assert printed["learned"]["intercept_"] == [pytest.approx(page["(intercept)"], rel=1e-9)]
    assert printed["learned"]["scale_"] == [pytest.approx(page["(residual scale)"], rel=1e-9)]
    b = huber(alpha=100.0)
    assert printed["metrics"]["R²"]["test"] == pytest.approx(held_out_r2(b), rel=1e-9)
    # The downloads hold the same fit and setting.
    csv = pd.read_csv(io.StringIO(reproduce["files"]["toy_diabetes_parameters.csv"]))
    assert list(dict.fromkeys(csv["group"])) == ["coef_", "intercept_", "scale_"]
    np.testing.assert_allclose(csv["value_fitted"], page.to_numpy(), rtol=1e-9)
    setting = json.loads(reproduce["files"]["toy_diabetes_setting.json"])
    assert setting["setting"]["alpha"] == 100 and setting["setting"]["epsilon"] == 1.35
    card = reproduce["files"]["toy_diabetes_model_card.md"]
    assert "Huber regression" in card and "scale_" in card and "Diabetes" in card


def test_history_lists_every_run_with_its_score(toy_app):
    _, result, _ = toy_app
    history = pd.DataFrame(result["history"])
    toy = history[history["page"] == "Huber regression"]
    assert list(toy["hyperparameters"]) == ["epsilon=1.35, alpha=0.0001", "epsilon=1.35, alpha=100"]
    assert (toy["parameters"] == 12).all()
    b = huber(alpha=100.0)
    assert toy["score"].iloc[-1] == pytest.approx(held_out_r2(b), rel=1e-9)
    # The headline names the largest coefficient per SD (standardised: coef_ as fitted).
    per_sd = pd.Series(b[-1].coef_, index=diabetes()[0].columns)
    name = per_sd.abs().idxmax()
    assert toy["learned"].iloc[-1] == f"12 learned; largest |{name}| = {per_sd[name]:.4g} per SD"


def test_families_page_lists_and_sweeps_the_toy_family(toy_app):
    _, result, _ = toy_app
    rows = {row["family"]: row for row in result["families"]}
    toy = rows["Huber regression"]
    assert toy["from"] == "your last run" and "alpha=100" in toy["setting"]
    assert toy["learned parameters"] == 12
    assert toy["test R²"] == pytest.approx(held_out_r2(huber(alpha=100.0)), rel=1e-9)
    # Its capacity is swept beside every other family's, each point a refit at that alpha.
    assert any("Huber regression: alpha" in c for c in result["families_captions"])
    points = [p for p in result["families_sweep"] if p["family"] == "Huber regression"]
    assert len(points) > 3
    assert [float(p["value"]) for p in points if p["current"]] == [100.0]
    for point in points:
        alpha = float(point["value"])
        assert point["test"] == pytest.approx(held_out_r2(huber(alpha=alpha)), rel=1e-9)
