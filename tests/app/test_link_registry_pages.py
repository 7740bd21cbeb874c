"""The link registry on the pages (#19, #20): every key in a link is checked when the page
opens, not when its widget is first drawn; data-bound keys get a sentence too; a pinned A
from a link is fitted within the page's time budget."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from core.data.prepare import load_dataset
from core.fitting import fit_model
from core.registry import get_family
from core.row_predict import opening_row
from tests.app.conftest import APP
from tests.app.page_helpers import decode, frame_with, run_if_asked

LINEAR = "app_pages/linear_regression.py"
LOGISTIC = "app_pages/logistic_regression.py"


def _warnings(at) -> str:
    return " ".join(w.value for w in at.warning)


@pytest.mark.parametrize("text", ["inf", "1e309"])
def test_an_overflowing_resample_count_on_stability_is_named_and_the_widget_drawn(open_page, text):
    at = open_page(LINEAR, view="Stability", n_resamples=text, dataset="longley")
    assert f"n\\_resamples='{text}' was ignored" in _warnings(at)
    assert "50 is used instead" in _warnings(at)
    # The widget is drawn (the lock was a widget never reached), at the spec's default.
    assert at.number_input(key="n_resamples").value == 50
    assert "n_resamples" not in at.query_params
    at.run()
    assert not at.exception


@pytest.mark.parametrize("estimator", ["lasso", "elasticnet"])
def test_max_iter_for_another_estimator_is_checked_when_the_page_opens(open_page, estimator):
    """Ridge draws no max_iter box: the link's max_iter=inf used to wait for lasso and
    raise inside Streamlit then."""
    at = open_page(LINEAR, max_iter="inf")
    assert "max\\_iter='inf' was ignored" in _warnings(at)
    at.selectbox(key="estimator").set_value(estimator).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="max_iter").value == 1000


@pytest.mark.parametrize(
    ("page", "dataset", "key"),
    [
        (LINEAR, "synthetic_regression", "n_samples"),
        (LINEAR, "synthetic_regression", "n_features"),
        (LINEAR, "synthetic_regression", "n_informative"),
        (LOGISTIC, "synthetic_classification", "n_classes"),
    ],
)
def test_a_generator_option_is_checked_before_its_data_set_is_chosen(open_page, page, dataset, key):
    at = open_page(page, **{key: "inf"})
    assert f"{key.replace('_', chr(92) + '_')}='inf' was ignored" in _warnings(at)
    at.selectbox(key="dataset").set_value(dataset).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key=key).value == next(
        o.initial for o in _options(dataset) if o.name == key
    )


def _options(dataset_id: str):
    from core.data.catalogue import get_dataset_spec

    return get_dataset_spec(dataset_id).options


def test_a_column_the_data_do_not_have_is_named_not_dropped_silently(open_page):
    at = open_page(LOGISTIC, view="Boundary", boundary_x="nope", boundary_y="mean texture")
    notes = _warnings(at)
    assert "boundary\\_x='nope' was ignored" in notes and "mean radius is used instead" in notes
    assert "boundary_y" not in notes.replace("\\", "")
    assert at.selectbox(key="boundary_x").value == "mean radius"
    assert at.selectbox(key="boundary_y").value == "mean texture"


def test_an_unknown_tab_is_named():
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(LINEAR)
    at.query_params["view"] = "Nope"
    at.run()
    assert not at.exception
    assert "view='Nope' was ignored" in _warnings(at)
    assert "Compare is used instead" in _warnings(at)


def test_a_test_row_set_without_a_test_split_is_named(open_page):
    at = open_page("app_pages/decision_tree.py", view="Predict", test_size="0", row_set="test")
    assert "row\\_set='test' was ignored" in _warnings(at)


def test_a_row_that_is_no_whole_number_is_named_once(open_page):
    at = open_page("app_pages/decision_tree.py", view="Predict", row="inf")
    notes = [w.value for w in at.warning if "row=" in w.value]
    assert len(notes) == 1 and "the row the tab opens on is used instead" in notes[0]
    data = load_dataset("iris", "classification")
    family = get_family("decision_tree")
    setting = {s.name: s.initial for s in family.hyperparameters_for("tree_classifier")}
    fit = fit_model(family, "tree_classifier", setting, data, scale=False)
    assert at.number_input(key="row").value == opening_row(fit, data).number > 0


def test_a_slow_pinned_a_waits_for_a_click(open_page, monkeypatch):
    """A link's A is refitted with the page's budget: a long refit shows its estimate and
    a button, and is pinned only after the click."""
    import ui.reproduce
    import ui.widgets

    monkeypatch.setattr(ui.reproduce, "LONG_WORK_SECONDS", 1e-6)
    monkeypatch.setattr(ui.widgets, "LONG_WORK_SECONDS", 1e-6)
    pinned = '{"solver": "sag", "tol": 1e-12, "C": "inf", "max_iter": 3000}'
    at = open_page(LOGISTIC, A=pinned)
    asks = [i.value for i in at.info if "Refitting the link's pinned A" in i.value]
    assert asks and "would take about" in asks[0]
    assert "pinned_logistic_regression" not in at.session_state
    # The page itself (B) is drawn meanwhile.
    assert "Parameters the model learned" in [h.value for h in at.subheader]
    at.run()  # still asked, still not pinned: the flag waits for the fit
    assert "pinned_logistic_regression" not in at.session_state
    run = next(b for b in at.button if b.label.startswith("Run it"))
    run.click().run()
    assert not at.exception
    snapshot = at.session_state["pinned_logistic_regression"]
    assert snapshot.setting["solver"] == "sag" and snapshot.setting["max_iter"] == 3000
    assert not any("Refitting the link's pinned A" in i.value for i in at.info)


#: View controls a link carries (#24: everything that sets a view is in the link): the
#: page, the link's query, and the widget each key must reopen with its value.
VIEW_LINKS = [
    (LOGISTIC, {"units": "per unit", "coef_chart": "true"}, "radio", "units", "per unit"),
    (LOGISTIC, {"units": "per unit", "coef_chart": "true"}, "toggle", "coef_chart", True),
    (LINEAR, {"view": "Sweeps", "path_units": "per unit"}, "radio", "path_units", "per unit"),
    (
        "app_pages/neural_network.py",
        {"view": "Epochs", "epoch_drawing": "heatmap"},
        "radio",
        "epoch_drawing",
        "heatmap",
    ),
]


@pytest.mark.parametrize(("page", "query", "kind", "key", "value"), VIEW_LINKS)
def test_a_view_control_reopens_as_the_link_set_it(open_page, page, query, kind, key, value):
    at = run_if_asked(open_page(page, **query))
    assert not at.exception and "was ignored" not in _warnings(at)
    assert getattr(at, kind)(key=key).value == value


def test_a_linked_chart_draws_the_linked_units(open_page):
    """A link with the chart on and per unit draws the per-unit bars the table shows."""
    at = open_page(LOGISTIC, units="per unit", coef_chart="true")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    table = frame_with(at, "odds ratio").set_index("feature")
    bars = spec["data"][0]
    for feature, value in zip(bars["y"], decode(bars["x"]), strict=True):
        assert value == pytest.approx(table.at[feature, "per unit"], rel=1e-9)


@pytest.mark.parametrize(
    ("key", "text"), [("units", "furlongs"), ("coef_chart", "maybe"), ("path_units", "per mile")]
)
def test_a_view_value_no_control_takes_is_named(open_page, key, text):
    at = open_page(LOGISTIC, **{key: text})
    assert not at.exception
    assert f"{key.replace('_', chr(92) + '_')}='{text}' was ignored" in _warnings(at)
