"""AppTest: the Predict tab on every family page (#22). A link's row and edits open the row
as edited, its prediction is the estimator's own on the edited values, an edit in a box
goes to the link and the link opens it again; another row drops the edits; a bad edit is
named; the tree's path and the network's activations are drawn."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from core.data.catalogue import get_dataset_spec
from core.links import edits_query_value
from core.registry import FAMILIES
from core.row_story import edited_row
from core.text import escape_markdown, format_number
from tests.app.page_helpers import frame_with, page_fit

IDS = [f.id for f in FAMILIES]


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _setting(family):
    """The page's default data set, task, estimator and scaling."""
    dataset = family.default_dataset
    task = get_dataset_spec(dataset).task
    estimator = family.estimator_spec(task).default
    return dataset, task, estimator, family.scale_default


def _shown(value) -> str:
    if isinstance(value, float):
        return format_number(value)
    return escape_markdown(value)


def _open(open_page, family, **query):
    return open_page(family.page_path, view="Predict", **query)


@pytest.mark.parametrize("family", FAMILIES, ids=IDS)
def test_a_links_row_and_edit_open_the_edited_rows_prediction(open_page, family):
    dataset, task, estimator, scale = _setting(family)
    data, fit = page_fit(family, dataset, task, estimator, scale)
    j = 2
    feature = str(data.X.columns[j])
    position = int(fit.split.test[3])
    new = float(data.X.iloc[:, j].max()) + 1.0  # above the training range
    at = _open(open_page, family, row_set="test", row="3", edit=edits_query_value({feature: new}))
    assert at.number_input(key="row").value == 3
    assert at.radio(key="row_set").value == "test"
    assert at.number_input(key=f"whatif_{j}").value == new
    assert at.number_input(key="whatif_0").value == float(data.X.iloc[position, 0])
    row = edited_row(data.X, position, {feature: new})
    predicted = fit.pipeline.predict(row)[0]
    shown = metrics(at)
    assert shown["Prediction"] == _shown(float(predicted) if task == "regression" else predicted)
    assert shown["Actual"] == _shown(data.y.iloc[position])
    changed = [i.value for i in at.info if i.value.startswith("**What changed.**")]
    assert len(changed) == 1 and "prediction" in changed[0]
    outside = [w.value for w in at.warning if "Outside the training range" in w.value]
    assert len(outside) == 1 and escape_markdown(feature) in outside[0]
    positions = frame_with(at, "percentile").set_index("feature")
    assert positions.loc[feature, "value"] == new
    assert positions.loc[feature, "percentile"] == 100.0
    assert positions.loc[feature, "where"] == "extrapolation: above the training range"
    assert positions["edited"].sum() == 1


@pytest.mark.parametrize("family", FAMILIES, ids=IDS)
def test_an_edit_goes_to_the_link_and_the_link_opens_it_again(open_page, family):
    dataset, task, estimator, scale = _setting(family)
    data, fit = page_fit(family, dataset, task, estimator, scale)
    at = _open(open_page, family, row_set="training", row="5")
    assert "edit" not in at.query_params
    feature = str(data.X.columns[0])
    new = float(data.X.iloc[:, 0].quantile(0.9)) + 0.5
    at.number_input(key="whatif_0").set_value(new).run()
    assert not at.exception
    link = at.query_params["edit"]
    assert json.loads(link) == {feature: new}
    position = int(fit.split.train[5])
    expected = fit.pipeline.predict(edited_row(data.X, position, {feature: new}))[0]
    after = metrics(at)["Prediction"]
    assert after == _shown(float(expected) if task == "regression" else expected)
    # The link the page wrote (the bound row keys as the page holds them) opens it again.
    again = _open(open_page, family, row_set="training", row="5", edit=link)
    assert again.number_input(key="whatif_0").value == new
    assert metrics(again)["Prediction"] == after
    pd.testing.assert_frame_equal(frame_with(again, "percentile"), frame_with(at, "percentile"))
    # Another row drops the edits: its own values, out of the link.
    at.number_input(key="row").set_value(6).run()
    assert "edit" not in at.query_params
    assert at.number_input(key="whatif_0").value == float(data.X.iloc[int(fit.split.train[6]), 0])
    assert not [i for i in at.info if i.value.startswith("**What changed.**")]


def test_the_reset_button_takes_the_row_back_and_the_edit_out_of_the_link(open_page):
    family = FAMILIES[0]
    at = _open(open_page, family, row="2", edit='{"bmi": 40}')
    assert at.number_input(key="whatif_2").value == 40.0
    at.button(key="whatif_reset").click().run()
    assert "edit" not in at.query_params
    dataset, task, estimator, scale = _setting(family)
    data, fit = page_fit(family, dataset, task, estimator, scale)
    # Without row_set in the link the tab opens on the test rows.
    assert at.number_input(key="whatif_2").value == float(data.X.iloc[int(fit.split.test[2]), 2])
    assert at.button(key="whatif_reset").disabled


def test_a_bad_edit_in_a_link_is_named_and_the_rest_is_kept(open_page):
    family = FAMILIES[0]
    at = _open(open_page, family, edit='{"bmi": 30, "nope": 1, "age": "x"}')
    notes = [w.value for w in at.warning if "edit=" in w.value]
    assert len(notes) == 2
    bad = escape_markdown("edit='nope:1' was ignored (not a feature of these data)")
    assert any(bad in n for n in notes)
    assert any(escape_markdown("edit='age:x' was ignored (not a number)") in n for n in notes)
    assert at.number_input(key="whatif_2").value == 30.0
    assert json.loads(at.query_params["edit"]) == {"bmi": 30.0}
    broken = _open(open_page, family, edit="{{{")
    assert any(escape_markdown("(not a JSON object)") in w.value for w in broken.warning)
    assert "edit" not in broken.query_params


def test_the_tree_tab_draws_the_path_and_an_edit_across_the_root_moves_it(open_page):
    family = next(f for f in FAMILIES if f.id == "decision_tree")
    data, fit = page_fit(family, "iris", "classification", "tree_classifier", False)
    tree = fit.model.tree_
    name = str(data.X.columns[tree.feature[0]])
    value = float(data.X.iloc[int(fit.split.train[0]), tree.feature[0]])
    left = value <= tree.threshold[0]
    across = tree.threshold[0] + 1.0 if left else tree.threshold[0] - 1.0
    at = _open(
        open_page, family, row_set="training", row="0", edit=edits_query_value({name: across})
    )
    path = frame_with(at, "goes")
    assert path["node"].iloc[1] == (tree.children_right[0] if left else tree.children_left[0])
    changed = next(i.value for i in at.info if i.value.startswith("**What changed.**"))
    assert "The path moved at node 0" in changed
    dots = [g.proto.spec for g in at.get("graphviz_chart")]
    assert len(dots) == 2 and "not taken" in dots[-1]


def test_the_network_tab_colours_the_diagram_by_activation(open_page):
    family = next(f for f in FAMILIES if f.id == "neural_network")
    at = _open(open_page, family)
    (chart,) = at.get("plotly_chart")
    spec = json.loads(chart.proto.spec)
    names = [t.get("name") for t in spec["data"]]
    assert {"input", "hidden 1", "output"} <= set(names)
    hidden = next(t for t in spec["data"] if t.get("name") == "hidden 1")
    assert hidden["marker"]["colorscale"] and "activation" in hidden["hovertemplate"]
    layers = [frame_with(at, "pre-activation z")]
    assert list(layers[0].columns) == ["unit", "bias", "pre-activation z", "activation a", "on"]
    assert metrics(at)["ReLU units off"].isdigit()


def test_a_linear_row_offers_each_waterfall_and_draws_the_one_picked(open_page):
    family = next(f for f in FAMILIES if f.id == "logistic_regression")
    at = _open(open_page, family, dataset="iris")
    choice = at.radio(key="predict_chart")
    assert len(choice.options) == 6 and choice.value.endswith("as fitted")
    choice.set_value(choice.options[1]).run()
    (chart,) = at.get("plotly_chart")
    spec = json.loads(chart.proto.spec)
    assert spec["data"][0]["type"] == "waterfall"
    contributions = frame_with(at, "contribution (raw units)")
    assert isinstance(contributions, pd.DataFrame) and "class" in contributions


def test_a_wide_table_asks_which_features_to_edit_and_keeps_the_edited_ones(open_page):
    family = next(f for f in FAMILIES if f.id == "logistic_regression")
    at = _open(open_page, family, edit='{"worst area": 3000}')
    picked = at.multiselect(key="whatif_features")
    assert len(picked.options) == 30
    assert picked.value[:8] == picked.options[:8] and picked.value[-1] == "worst area"
    assert at.number_input(key="whatif_23").value == 3000.0
    at.multiselect(key="whatif_features").set_value(["mean radius"]).run()
    assert [n.key for n in at.number_input if n.key.startswith("whatif_")] == ["whatif_0"]
    # The edit stays while its box is hidden; other data with other columns start afresh.
    assert json.loads(at.query_params["edit"]) == {"worst area": 3000.0}
    at.selectbox(key="dataset").set_value("iris").run()
    assert not at.exception
    assert not at.multiselect and "edit" not in at.query_params
    assert [n.key for n in at.number_input if n.key.startswith("whatif_")] == [
        f"whatif_{j}" for j in range(4)
    ]


def test_compare_shows_one_row_under_a_and_b_with_the_terms_that_moved_it(open_page):
    family = FAMILIES[0]
    at = open_page(family.page_path)
    at.button(key=f"pinned_{family.id}_pin").click().run()
    at.number_input(key="alpha").set_value(100.0).run()
    at.toggle(key="compare_row").set_value(True).run()
    assert not at.exception
    data, fit_a = page_fit(family, "diabetes", "regression", "ridge", True)
    _, fit_b = page_fit(family, "diabetes", "regression", "ridge", True, alpha=100.0)
    # The row both fits are asked about is the Predict tab's opening row: test row 0 of a
    # number target.
    row = edited_row(data.X, int(fit_a.split.test[0]), {})
    terms = frame_with(at, "B − A").set_index("term")
    assert terms.at["= sum", "A"] == pytest.approx(fit_a.pipeline.predict(row)[0], abs=1e-9)
    assert terms.at["= sum", "B"] == pytest.approx(fit_b.pipeline.predict(row)[0], abs=1e-9)
    shown = metrics(at)
    assert shown["Prediction under A"] == format_number(float(fit_a.pipeline.predict(row)[0]))
    assert shown["Prediction under B"] == format_number(float(fit_b.pipeline.predict(row)[0]))
