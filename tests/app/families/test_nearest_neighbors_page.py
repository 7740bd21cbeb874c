"""AppTest: the nearest-neighbours page learns nothing and says so, shows what it stores, one
row's neighbours as kneighbors finds them, the curve over k and the search algorithms."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from core.data.prepare import load_dataset
from core.families.nearest_neighbors.k_curve import curve_grid, k_validation_curve
from core.families.nearest_neighbors.stored import model_input
from core.registry import get_family
from core.row_predict import opening_row
from core.setting import Setting
from tests.app.page_helpers import frame_with, run_if_asked
from tests.app.page_helpers import page_fit as shared_page_fit

PAGE = "app_pages/nearest_neighbors.py"
FAMILY = get_family("nearest_neighbors")


def page_fit(dataset: str, task: str, estimator: str, scale: bool = True, **values):
    """The fit this page makes for a setting."""
    return shared_page_fit(FAMILY, dataset, task, estimator, scale, **values)


def metrics(at):
    return {m.label: m.value for m in at.metric}


def chart(at, key):
    for element in at.get("plotly_chart"):
        if element.proto.id.endswith(key) or key in element.proto.id:
            return json.loads(element.proto.spec)
    raise AssertionError(f"no chart {key!r}")


@pytest.mark.parametrize(
    ("query", "rows", "features", "parametric"),
    [
        ({}, 112, 4, ("LogisticRegression", 15)),  # 3 classes × (4 weights + 1)
        ({"dataset": "diabetes"}, 331, 10, ("LinearRegression", 11)),
        ({"dataset": "breast_cancer", "test_size": "0.5"}, 284, 30, ("LogisticRegression", 31)),
    ],
)
def test_nothing_is_learned_and_the_stored_rows_are_counted(
    open_page, query, rows, features, parametric
):
    at = open_page(PAGE, **query)
    shown = metrics(at)
    assert shown["Learned parameters"] == "0"
    assert shown["Stored values instead"] == f"{rows * features:,}"
    model, count = parametric
    assert shown["Would be learned"] == f"{count:,}"
    helps = {m.label: m.help for m in at.metric}
    assert helps["Would be learned"].startswith(f"What {model} would learn")
    held = frame_with(at, "held by the model").set_index("kind")["numbers"]
    assert held["learned"] == 0 and held["would be learned"] == count
    assert held["data, stored"].tolist() == [rows * features, rows]
    assert any("Nothing is learned." in m.value for m in at.markdown)


def test_one_neighbour_of_a_training_row_is_itself(open_page):
    at = open_page(PAGE, view="Predict", n_neighbors="1", row_set="training", row="7")
    _, fit = page_fit("iris", "classification", "knn_classifier", n_neighbors=1)
    neighbours = frame_with(at, "distance")
    assert len(neighbours) == 1
    assert neighbours["row"].iloc[0] == fit.split.train[7]
    assert neighbours["distance"].iloc[0] == 0
    assert metrics(at)["Neighbours"] == "1"


@pytest.mark.parametrize(
    ("query", "dataset", "task", "estimator", "values"),
    [
        ({"row_set": "test", "row": "3"}, "iris", "classification", "knn_classifier", {}),
        (
            {"dataset": "diabetes", "weights": "distance", "row_set": "test", "row": "10"},
            "diabetes",
            "regression",
            "knn_regressor",
            {"weights": "distance"},
        ),
    ],
)
def test_neighbours_shown_are_those_kneighbors_finds(
    open_page, query, dataset, task, estimator, values
):
    at = open_page(PAGE, view="Predict", **query)
    data, fit = page_fit(dataset, task, estimator, **values)
    position = int(fit.split.test[int(query["row"])])
    row = data.X.iloc[[position]]
    distances, indices = fit.model.kneighbors(model_input(fit.pipeline, row))
    neighbours = frame_with(at, "distance")
    assert neighbours["stored row"].tolist() == indices[0].tolist()
    assert neighbours["row"].tolist() == fit.split.train[indices[0]].tolist()
    np.testing.assert_allclose(neighbours["distance"], distances[0])
    targets = data.y.iloc[fit.split.train[indices[0]]]
    assert neighbours["target"].astype(str).tolist() == targets.astype(str).tolist()
    predicted = fit.pipeline.predict(row)[0]
    if task == "classification":
        assert metrics(at)["Prediction"] == str(predicted)
        votes = frame_with(at, "share")
        assert votes["weight"].sum() == pytest.approx(fit.model.n_neighbors)
        assert votes.set_index("class")["share"].idxmax() == str(predicted)
    else:
        weights = 1 / distances[0]
        assert neighbours["weight"].tolist() == pytest.approx(weights.tolist())
        assert metrics(at)["Prediction"] == f"{predicted:.4g}"


def test_more_neighbours_than_training_rows_is_a_sentence(open_page):
    at = open_page(PAGE, dataset="longley", n_neighbors="1000")
    assert any("only 12 training rows" in e.value for e in at.error)
    assert not at.tabs


def test_k_view_curve_draws_at_once_when_quick_then_sets_the_best_k(open_page):
    """Longley's curve is 7 × 12 leave-one-out fits, well within the time a view may take
    without asking: it is drawn as the view opens."""
    at = open_page(PAGE, dataset="longley", view="K")
    assert not [b.label for b in at.button if b.label.startswith("Run it")]
    data, fit = page_fit("longley", "regression", "knn_regressor")
    ks, cv = curve_grid(len(fit.split.train))
    assert cv == "loo"  # 12 training rows: leave-one-out applies
    setting = Setting.on(data, FAMILY.id, "knn_regressor", fit.hyperparameters)
    expected = k_validation_curve(fit, data, setting, ks, cv=cv)
    spec = chart(at, "k_curve_chart")
    assert spec["data"][1]["x"] == expected.table["n_neighbors"].tolist()
    np.testing.assert_allclose(spec["data"][1]["y"], expected.table["validation"])
    at.button(key="k_use_best").click().run()
    assert not at.exception
    assert at.number_input(key="n_neighbors").value == expected.best
    # Moving k reuses the curve: nothing to click, the line moves.
    assert not [b.label for b in at.button if b.label.startswith("Run it")]
    assert chart(at, "k_curve_chart")["layout"]["shapes"][0]["x0"] == expected.best


def test_k_view_regions_follow_k_on_two_features(open_page):
    at = open_page(PAGE, dataset="moons", view="K")
    scores = frame_with(at, "current")
    assert scores.loc[scores["current"] != "", "n_neighbors"].tolist() == [5]
    assert chart(at, "regions_chart")["layout"]["title"]["text"] == "n_neighbors = 5"
    slider = next(s for s in at.select_slider if s.key.startswith("regions_k"))
    slider.set_value(1).run()
    assert chart(at, "regions_chart")["layout"]["title"]["text"] == "n_neighbors = 1"
    # With k = 1 every training row is its own neighbour: a perfect training score.
    assert scores.set_index("n_neighbors").loc[1, "train"] == 1.0


def test_speed_view_finds_the_same_neighbours_with_every_search(open_page):
    at = open_page(PAGE, view="Speed")  # quick on iris: timed as the view opens
    table = frame_with(at, "same_answer")
    assert set(table["algorithm"]) == {"auto", "brute", "kd_tree", "ball_tree"}
    assert table["same_answer"].all() and (table["differing_untied"] == 0).all()
    assert sorted(table.loc[table["algorithm"] == "kd_tree", "leaf_size"]) == [5, 30, 100]
    assert at.success


def test_the_sweeps_tab_keeps_k_within_a_folds_rows_and_never_prints_a_traceback(open_page):
    """iris trains on 112 rows, so a 5-fold sweep's folds train on 89: k stops there."""
    at = run_if_asked(open_page(PAGE, view="Sweeps"))
    texts = [e.value for e in (*at.caption, *at.markdown, *at.warning, *at.info)]
    assert not any("Traceback" in t or ".py" in t for t in texts), texts
    curve = chart(at, "curve_chart")
    cv = next(t for t in curve["data"] if t.get("name") == "cross-validation")
    xs = cv["x"] if isinstance(cv["x"], list) else None
    if xs is None:  # plotly sends large arrays base64-encoded
        import base64

        xs = np.frombuffer(base64.b64decode(cv["x"]["bdata"]), dtype=cv["x"]["dtype"])
    assert max(xs) <= 89 and min(xs) >= 1
    assert at.number_input(key="sweep_high_n_neighbors").value == 89  # the grid's top
    # Only the validation curve: a neighbours model has no coefficient path to sit beside.
    assert "**Coefficient path**" not in [m.value for m in at.markdown]


def test_the_regions_open_on_the_pair_that_separates_best(open_page):
    """iris: the petal pair, not the sepal pair that overlaps most (#24); the pair is the two
    largest one-way ANOVA F statistics on the training rows."""
    from sklearn.feature_selection import f_classif

    at = run_if_asked(open_page(PAGE, view="K"))
    x, y = at.selectbox(key="regions_x").value, at.selectbox(key="regions_y").value
    assert {x, y} == {"petal length (cm)", "petal width (cm)"}
    data = load_dataset("iris", "classification")
    train, _ = train_test_split(
        np.arange(len(data.y)), test_size=0.25, random_state=0, stratify=data.y
    )
    scores, _ = f_classif(data.X.iloc[train], data.y.iloc[train])
    ranked = list(data.X.columns[np.argsort(-scores)][:2])
    assert [x, y] == ranked
    # A link still chooses the pair.
    at = run_if_asked(
        open_page(PAGE, view="K", regions_x="sepal length (cm)", regions_y="sepal width (cm)")
    )
    assert at.selectbox(key="regions_x").value == "sepal length (cm)"


def test_predict_opens_on_a_test_row_whose_vote_is_split_and_keeps_it_as_k_changes(open_page):
    at = open_page(PAGE, view="Predict")
    data, fit = page_fit("iris", "classification", "knn_classifier")
    opening = opening_row(fit, data)
    assert (at.radio(key="row_set").value, at.number_input(key="row").value) == (
        "test",
        opening.number,
    )
    assert opening.number > 0  # test row 0's five neighbours all agree
    vote = frame_with(at, "share").set_index("class")["share"]
    # The vote kneighbors gives for that row: split, not 5 of 5.
    row = data.X.iloc[[int(fit.split.test[opening.number])]]
    proba = fit.pipeline.predict_proba(row)[0]
    assert vote.to_numpy() == pytest.approx(proba, abs=1e-12)
    assert 0 < vote.max() < 1
    at.number_input(key="n_neighbors").set_value(9).run()
    assert (at.radio(key="row_set").value, at.number_input(key="row").value) == (
        "test",
        opening.number,
    )
