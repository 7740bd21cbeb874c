"""AppTest: the gradient-descent page draws the core's walk, the exact optimum, and the real
SGD fit epoch by epoch, from links, and says what went wrong instead of failing.

Every expected number is computed here independently of the page: scikit-learn's closed-form
models for the optimum, core's optimiser on the same rows for the path, and the page's fit
refitted with :func:`core.fitting.fit_model` for the last epoch.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from core.data.prepare import load_dataset
from core.families.gradient_descent.diagnostics import diagnose, judge_run
from core.families.gradient_descent.family import FAMILY
from core.families.gradient_descent.loss import optimum
from core.families.gradient_descent.optimizer import DescentSettings, run_descent
from core.families.gradient_descent.problem import make_problem
from core.fitting import fit_model
from tests.app.page_helpers import decode

PAGE = "app_pages/gradient_descent.py"


def specs(at) -> list[dict]:
    return [json.loads(element.proto.spec) for element in at.get("plotly_chart")]


def trace(at, name: str) -> dict:
    """The first trace named ``name`` in any chart of the page."""
    for spec in specs(at):
        for t in spec["data"]:
            if t.get("name") == name:
                return t
    raise AssertionError(f"no trace named {name!r}")


def numbers(node: Any) -> list[np.ndarray]:
    """Every numeric array or number anywhere in a plotly spec."""
    out: list[np.ndarray] = []
    if isinstance(node, dict) and "bdata" in node:
        out.append(decode(node).astype(float).ravel())
    elif isinstance(node, dict):
        for value in node.values():
            out += numbers(value)
    elif isinstance(node, list):
        flat = [v for v in node if isinstance(v, int | float) and not isinstance(v, bool)]
        if flat:
            out.append(np.asarray(flat, dtype=float))
        for value in node:
            if isinstance(value, dict | list):
                out += numbers(value)
    elif isinstance(node, int | float) and not isinstance(node, bool):
        out.append(np.asarray([node], dtype=float))
    return out


def texts(at) -> list[str]:
    """Every sentence, warning and error on the page, unescaped."""
    found = [m.value for m in at.markdown] + [w.value for w in at.warning]
    found += [e.value for e in at.error] + [c.value for c in at.caption]
    return [t.replace("\\", "").removeprefix("- ") for t in found]


def training_rows(dataset_id: str, task: str) -> np.ndarray:
    data = load_dataset(dataset_id, task)
    estimator_id = FAMILY.estimators_for(task)[0].id
    values = {s.name: s.initial for s in FAMILY.hyperparameters_for(estimator_id)}
    return fit_model(FAMILY, estimator_id, values, data).split.train


@pytest.fixture(scope="module")
def diabetes_rows():
    return training_rows("diabetes", "regression")


def bmi_problem(diabetes_rows, scale: bool = True):
    return make_problem(
        load_dataset("diabetes", "regression"), "bmi", scale=scale, rows=diabetes_rows
    )


# --- the first screen ----------------------------------------------------------------------------
def test_default_page_is_light_and_offers_the_surface_first_among_its_own_views(open_page):
    at = open_page(PAGE)
    labels = [t.label for t in at.tabs]
    assert labels[:6] == ["Compare", "Sweeps", "Tune", "Predict", "Descent", "Epochs"]
    # No chart at all: the learned panel charts on a click, the surface and the replay
    # wait for their tabs.
    assert len(at.get("plotly_chart")) == 0
    assert not [w for w in at.number_input if w.key.startswith("gd_")]
    data = load_dataset("diabetes", "regression")
    values = {s.name: s.initial for s in FAMILY.hyperparameters_for("sgd_regressor")}
    fit = fit_model(FAMILY, "sgd_regressor", values, data)
    table = next(f.value for f in at.dataframe if "per unit" in f.value.columns)
    raw = fit.model.coef_ / fit.pipeline.named_steps["scale"].scale_
    np.testing.assert_allclose(table["per unit"], raw, rtol=1e-9)


def test_a_three_class_classifier_reads_each_row_against_the_rest(open_page):
    at = open_page(PAGE, dataset="iris")
    table = next(f.value for f in at.dataframe if "odds ratio" in f.value.columns)
    assert len(table) == 12 and set(table["odds against"]) == {"the rest"}
    np.testing.assert_allclose(table["odds ratio"], np.exp(table["per unit"]))


# --- the surface and the path ----------------------------------------------------------------
def test_link_draws_the_cores_path_and_the_closed_form_optimum(open_page, diabetes_rows):
    at = open_page(PAGE, dataset="diabetes", gd_feature="bmi", view="Descent")
    problem = bmi_problem(diabetes_rows)
    # The optimum, independently: least squares on standardised bmi over the same rows.
    raw = load_dataset("diabetes", "regression").X["bmi"].to_numpy()[diabetes_rows]
    x = (raw - raw.mean()) / raw.std()
    ols = LinearRegression().fit(x[:, None], problem.y)
    star = trace(at, "optimum")
    np.testing.assert_allclose(
        [decode(star["x"])[0], decode(star["y"])[0]], [ols.coef_[0], ols.intercept_], rtol=1e-10
    )
    # The path drawn is core's run with the view's defaults, every step of it.
    path = run_descent(problem, DescentSettings(eta0=0.05, epochs=200))
    drawn = trace(at, "A")
    np.testing.assert_allclose(decode(drawn["x"]), path.params[:, 0], rtol=1e-12)
    np.testing.assert_allclose(decode(drawn["y"]), path.params[:, 1], rtol=1e-12)
    assert tuple(decode(trace(at, "A: start")["x"])) == (0.0,)
    # Loss per step above the optimum, each parameter's steps and the rate per step.
    opt = optimum(problem)
    loss = next(
        s for s in specs(at) if "loss − minimum" in json.dumps(s["layout"], ensure_ascii=False)
    )
    np.testing.assert_allclose(
        decode(loss["data"][0]["y"]), np.maximum(path.loss - opt.loss, 1e-16 * path.loss[0])
    )
    steps = next(s for s in specs(at) if "yaxis2" in s["layout"])  # slope above intercept
    optimum_lines = [decode(t["y"])[0] for t in steps["data"] if t["name"] == "optimum"]
    assert optimum_lines == [opt.slope, opt.intercept]
    np.testing.assert_allclose(decode(steps["data"][0]["y"]), path.params[:, 0])
    rate = next(
        s for s in specs(at) if "learning rate" in json.dumps(s["layout"], ensure_ascii=False)
    )
    assert set(decode(rate["data"][0]["y"])) == {0.05}
    assert any(m.label == "A: converged" for m in at.metric)
    assert any("closed 99% of the loss gap" in t for t in texts(at))


def test_unscaled_feature_is_named_a_narrow_valley_with_the_users_numbers(open_page, diabetes_rows):
    at = open_page(PAGE, gd_feature="bmi", gd_scale="false", gd_eta0="0.002", view="Descent")
    problem = bmi_problem(diabetes_rows, scale=False)
    d = diagnose(problem, optimum(problem))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Condition number"] == f"{d.condition_number:.3g}"
    assert metrics["Largest stable rate 2/λmax"] == f"{d.max_stable_eta:.4g}"
    found = texts(at)
    assert any("narrow valley" in t and f"{d.condition_number:.3g}" in t for t in found)
    assert any("Standardising bmi" in t for t in found)
    # Below the limit but slow: the verdict says it zig-zags across the valley.
    assert metrics.get("A: too slow")
    assert any("zig-zags across the valley" in t for t in found)


def test_a_divergent_rate_is_caught_explained_and_drawn_with_finite_numbers(
    open_page, diabetes_rows
):
    at = open_page(PAGE, dataset="diabetes", gd_feature="bmi", gd_eta0="3", view="Descent")
    assert not at.exception
    found = texts(at)
    assert any(t.startswith("A: Divergent. Diverged at update") for t in found)
    assert any("1.5 × the largest stable rate" in t and "too large" in t for t in found)
    assert any(m.label == "A: divergent" for m in at.metric)
    path = run_descent(bmi_problem(diabetes_rows), DescentSettings(eta0=3.0, epochs=200))
    assert path.diverged
    np.testing.assert_allclose(decode(trace(at, "A")["x"]), path.params[:, 0])
    charts = specs(at)
    assert len(charts) == 4
    for spec in charts:
        for array in numbers(spec["data"]):
            assert np.isfinite(array).all()


def test_a_separable_feature_gives_a_message_not_a_chart(open_page):
    at = open_page(
        PAGE, dataset="iris", gd_feature="petal length (cm)", gd_class="setosa", view="Descent"
    )
    assert any("separates setosa from the rest perfectly" in t for t in texts(at))
    assert len(at.get("plotly_chart")) == 0  # the learned panel charts only on a click


def test_a_bad_link_value_falls_back_to_the_default_with_a_note(open_page):
    # gd_epochs=inf would raise inside Streamlit's own parsing of a whole-number widget.
    at = open_page(
        PAGE,
        gd_eta0="lots",
        gd_batch_size="7",
        gd_epochs="inf",
        gd_compare="true",
        gd_seed_b="1e400",
        gd_batch_size_b="8",
        view="Descent",
    )
    assert at.number_input(key="gd_eta0").value == 0.05
    assert at.number_input(key="gd_epochs").value == 200
    assert at.selectbox(key="gd_batch_size").value == "full"
    assert at.number_input(key="gd_seed_b").value == 0
    notes = [w.value.replace("\\", "") for w in at.warning]
    for key in ("gd_eta0='lots'", "gd_epochs='inf'", "gd_seed_b='1e400'"):
        assert any(f"The link's {key} was ignored" in n for n in notes), key
    assert any("gd_eta0='lots'" in n and "0.05 is used instead" in n for n in notes)
    assert any(m.label == "A: converged" for m in at.metric)


# --- A/B on one surface -------------------------------------------------------------------------
def test_ab_draws_both_settings_on_the_same_surface(open_page, diabetes_rows):
    at = open_page(PAGE, gd_compare="true", gd_momentum_b="0.9", view="Descent")
    problem = bmi_problem(diabetes_rows)
    a = run_descent(problem, DescentSettings(eta0=0.05))
    b = run_descent(problem, DescentSettings(eta0=0.05, momentum=0.9))
    np.testing.assert_allclose(decode(trace(at, "A")["x"]), a.params[:, 0])
    np.testing.assert_allclose(decode(trace(at, "B")["x"]), b.params[:, 0])
    surface = next(s for s in specs(at) if s["data"][0]["type"] == "contour")
    names = [t.get("name") for t in surface["data"]]
    assert {"A", "B", "optimum"} <= set(names)
    slopes = decode(surface["data"][0]["x"])
    for run in (a, b):
        assert slopes.min() <= run.params[:, 0].min() and run.params[:, 0].max() <= slopes.max()
    assert any(t.startswith("On the same surface A ended") for t in texts(at))
    opt = optimum(problem)
    verdicts = {
        f"{label}: {judge_run(problem, run, opt).kind}" for label, run in (("A", a), ("B", b))
    }
    assert {m.label for m in at.metric} >= verdicts


def test_b_can_start_from_as_values(open_page):
    at = open_page(PAGE, gd_compare="true", gd_eta0="0.3", view="Descent")
    assert at.number_input(key="gd_eta0_b").value == 0.05
    at.button(key="gd_copy_a").click().run()
    assert not at.exception
    assert at.number_input(key="gd_eta0_b").value == 0.3


# --- scikit-learn's SGD, epoch by epoch -----------------------------------------------------
@pytest.mark.parametrize(
    ("dataset", "task"), [("diabetes", "regression"), ("breast_cancer", "classification")]
)
def test_the_epochs_view_ends_at_the_page_fit(open_page, dataset, task):
    at = open_page(PAGE, dataset=dataset, view="Epochs")
    data = load_dataset(dataset, task)
    estimator_id = FAMILY.estimators_for(task)[0].id
    values = {s.name: s.initial for s in FAMILY.hyperparameters_for(estimator_id)}
    fit = fit_model(FAMILY, estimator_id, values, data)
    chart = next(
        s
        for s in specs(at)
        if "epoch (one partial_fit call each)" in json.dumps(s, ensure_ascii=False)
    )
    lines = [t for t in chart["data"] if t.get("showlegend") is not False]
    assert [t["name"] for t in lines] == list(data.X.columns)
    # Per SD of a standardised feature is what the estimator holds: the fit's coef_.
    last = [decode(t["y"])[-1] for t in lines]
    np.testing.assert_allclose(last, np.ravel(fit.model.coef_), rtol=1e-9, atol=1e-12)
    epochs = decode(lines[0]["x"])
    assert epochs[0] == 1 and epochs[-1] == fit.model.n_iter_
    found = texts(at)
    assert any("is the fitted model on this page, coefficient for coefficient" in t for t in found)
    knobs = next(f.value for f in at.dataframe if "two-parameter view" in f.value.columns)
    assert "gd_momentum" in set(knobs["two-parameter view"])


def test_a_classifier_link_draws_the_log_loss_optimum(open_page):
    at = open_page(PAGE, dataset="breast_cancer", view="Descent")
    feature = at.selectbox(key="gd_feature").value
    data = load_dataset("breast_cancer", "classification")
    rows = training_rows("breast_cancer", "classification")
    raw = data.X[feature].to_numpy()[rows]
    x = (raw - raw.mean()) / raw.std()
    positive = at.selectbox(key="gd_class").value
    y = (data.y.to_numpy()[rows] == positive).astype(int)
    model = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(x[:, None], y)
    star = trace(at, "optimum")
    np.testing.assert_allclose(decode(star["x"])[0], model.coef_[0, 0], rtol=1e-5)
    np.testing.assert_allclose(decode(star["y"])[0], model.intercept_[0], rtol=1e-5, atol=1e-6)
    assert any("log loss" in t for t in texts(at))


# --- tabs and their links -------------------------------------------------------------------
def test_a_tabs_link_opens_it_and_runs_only_its_body(open_page, open_tab):
    at = open_page(PAGE, view="Epochs")
    assert at.radio(key="epoch_units").value == "per SD"
    assert not [w for w in at.number_input if w.key.startswith("gd_")]
    at = open_tab(at, "Descent")
    assert at.number_input(key="gd_eta0").value == 0.05
    assert not [w for w in at.radio if w.key == "epoch_units"]
    assert any(s["data"][0]["type"] == "contour" for s in specs(at))


def test_a_long_replay_waits_for_a_click_then_shows_progress_and_caches(open_page, monkeypatch):
    import ui.families.gradient_descent as view

    monkeypatch.setattr(view, "replay_seconds", lambda fit: 30.0)
    at = open_page(PAGE, view="Epochs")
    assert not any("epoch (one partial_fit call each)" in json.dumps(s) for s in specs(at))
    assert any("would take about 30 s" in i.value for i in at.info)
    next(b for b in at.button if b.label.startswith("Run it")).click().run()
    assert not at.exception
    # The replay ran with its progress bar (created inside the cache) and ended at the fit.
    assert any("epoch (one partial_fit call each)" in json.dumps(s) for s in specs(at))
    # A rerun is a cache hit: the recorded bar replays and is removed without an error.
    at.run()
    assert not at.exception
    assert any("epoch (one partial_fit call each)" in json.dumps(s) for s in specs(at))


def test_a_knob_the_schedule_does_not_read_has_no_widget_and_no_say(open_page):
    """power_t matters only to 'invscaling', random_state only when rows are shuffled:
    the page hides them otherwise, fits with their initial values, and says so."""
    at = open_page(PAGE)
    keys = {w.key for w in at.number_input}
    assert "power_t" not in keys and "random_state" not in keys and "eta0" in keys
    note = next(c.value for c in at.caption if "Not shown" in c.value)
    assert "power\\_t" in note and "random\\_state" in note
    at.selectbox(key="learning_rate").set_value("invscaling").run()
    at.checkbox(key="shuffle").check().run()
    assert not at.exception
    keys = {w.key for w in at.number_input}
    assert {"power_t", "random_state"} <= keys
    at.number_input(key="power_t").set_value(0.5).run()
    at.number_input(key="random_state").set_value(3).run()
    # The setting now carries the values shown.
    hyper = at.dataframe[0].value.set_index("hyperparameter")
    assert hyper.loc["power_t", "your value"] == "0.5"
    assert hyper.loc["random_state", "your value"] == "3"
    assert not any("Not shown" in c.value for c in at.caption)
