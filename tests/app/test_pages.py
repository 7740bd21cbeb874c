"""AppTest: every page renders, and the linear page reacts to widgets, links and uploads."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.data.prepare import load_dataset
from core.fitting import fit_model
from core.linear.parameters import extract_linear_parameters
from core.registry import FAMILIES, LINEAR_REGRESSION, get_family
from tests.app.page_helpers import decode, frame_with
from ui.family_page import shared_views

LINEAR = "app_pages/linear_regression.py"


def coefficient_table(at):
    """The learned-parameters table: the first data frame with a 'per unit' column."""
    for frame in at.dataframe:
        if "per unit" in frame.value.columns:
            return frame.value.set_index("feature")
    raise AssertionError("no coefficient table on the page")


def test_home_lists_every_family_with_counts(open_page):
    at = open_page()
    assert at.title[0].value == "Parameter Lab"
    table = at.dataframe[0].value.set_index("family")
    assert list(table.index) == [f.title for f in FAMILIES]
    row = table.loc["Linear regression"]
    assert row["hyperparameters you can set"] == len(LINEAR_REGRESSION.hyperparameters)
    assert row["parameters learned"] == 11  # 10 diabetes features + intercept


def test_home_links_every_page_of_the_navigation(open_page):
    at = open_page()
    linked = [link.proto.page for link in at.get("page_link")]
    # Every family page, then /families and /capacity: each page the sidebar offers
    # besides home.
    assert linked == [*(f.id for f in FAMILIES), "families", "capacity"]


def test_home_names_the_tabs_and_pages_that_answer_the_next_questions(open_page):
    """Tune (how values are chosen), Predict (one row) and Capacity, as each landed (#24)."""
    at = open_page()
    intro = at.markdown[0].value
    for tab in ("Tune", "Predict"):
        assert f"**{tab}** tab" in intro, tab
        # Each is a real tab of every family page.
        assert tab in [v.label for v in shared_views(FAMILIES[0], ())]
    assert "**Capacity**" in intro


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.id)
def test_every_family_page_renders_parameters_without_exception(open_page, family):
    at = open_page(family.page_path)
    assert at.title[0].value == family.title
    headers = [h.value for h in at.subheader]
    assert "Hyperparameters you set" in headers and "Parameters the model learned" in headers
    assert not at.error
    # The deeper sections are tabs; a fresh page opens on Compare and draws only that one.
    labels = [t.label for t in at.tabs]
    assert labels[:2] == ["Compare", "Sweeps"] and labels[-2:] == ["Reproduce", "History"]
    assert at.button(key=f"pinned_{family.id}_pin")
    assert not at.get("download_button")  # the Reproduce tab is closed


def test_default_linear_page_shows_the_core_fit(open_page, diabetes):
    at = open_page(LINEAR)
    default = LINEAR_REGRESSION.estimator_spec("regression").default
    assert default == "ridge" and at.selectbox(key="estimator").value == default
    expected = LINEAR_REGRESSION.extract(fit_model(LINEAR_REGRESSION, default, {}, diabetes))
    table = coefficient_table(at)
    np.testing.assert_allclose(table["per unit"], expected.detail.coef[0], rtol=1e-10)
    assert at.metric[0].value == "11"


def test_ols_from_a_link_shows_the_core_fit(open_page, diabetes):
    at = open_page(LINEAR, estimator="ols")
    expected = extract_linear_parameters(fit_model(LINEAR_REGRESSION, "ols", {}, diabetes))
    table = coefficient_table(at)
    np.testing.assert_allclose(table["per unit"], expected.coef[0], rtol=1e-10)
    assert at.metric[0].value == "11"


def test_changing_widgets_changes_the_coefficients(open_page, diabetes):
    at = open_page(LINEAR, estimator="ols")
    before = coefficient_table(at)["per SD"].abs().sum()
    at.selectbox(key="estimator").set_value("ridge").run()
    at.number_input(key="alpha").set_value(100.0).run()
    assert not at.exception
    after = coefficient_table(at)["per SD"]
    assert after.abs().sum() < 0.7 * before
    fit = fit_model(LINEAR_REGRESSION, "ridge", {"alpha": 100.0}, diabetes)
    expected = extract_linear_parameters(fit).coef_per_sd[0]
    np.testing.assert_allclose(after, expected, rtol=1e-10)
    # The set side lists what differs from scikit-learn, and names the rest in one line.
    hyper = at.dataframe[0].value.set_index("hyperparameter")
    assert list(hyper.columns) == ["your value", "scikit-learn default"]
    assert hyper.loc["alpha"].tolist() == ["100", "1"]
    assert "fit_intercept" not in hyper.index
    assert any("At scikit" in c.value and "fit\\_intercept = true" in c.value for c in at.caption)


def test_lasso_zeroes_show_in_table_and_interpretation(open_page):
    at = open_page(LINEAR, estimator="lasso", alpha="5")
    table = coefficient_table(at)
    assert (table["zero"] == "exactly 0").sum() >= 1
    assert any("set" in m.value and "exactly zero" in m.value for m in at.markdown)


def test_url_query_parameters_restore_a_setting(open_page, longley):
    at = open_page(
        LINEAR,
        dataset="longley",
        estimator="ridge",
        alpha="0.5",
        scale="false",
        test_size="0",
        seed="3",
    )
    assert at.selectbox(key="dataset").value == "longley"
    assert at.selectbox(key="estimator").value == "ridge"
    assert at.number_input(key="alpha").value == 0.5
    assert at.checkbox(key="scale").value is False
    assert at.number_input(key="test_size").value == 0.0
    fit = fit_model(
        LINEAR_REGRESSION, "ridge", {"alpha": 0.5}, longley, scale=False, test_size=0.0, seed=3
    )
    expected = extract_linear_parameters(fit)
    np.testing.assert_allclose(coefficient_table(at)["per unit"], expected.coef[0], rtol=1e-10)
    assert any("in-sample" in c.value for c in at.caption)


def test_synthetic_options_travel_in_the_url_and_show_true_coefficients(open_page):
    at = open_page(LINEAR, dataset="synthetic_regression", n_features="3", n_informative="1")
    table = coefficient_table(at)
    assert list(table.index) == ["x1", "x2", "x3"]
    assert (table["true (per unit)"] != 0).sum() == 1
    expected = load_dataset(
        "synthetic_regression", "regression", n_features=3, n_informative=1
    ).true_coef
    np.testing.assert_allclose(table["true (per unit)"], expected.to_numpy())


def test_invalid_url_values_fall_back_to_defaults(open_page):
    at = open_page(LINEAR, estimator="magic", alpha="-4", dataset="nope")
    notes = " ".join(w.value for w in at.warning)
    for key in ("estimator", "alpha", "dataset"):
        assert f"The link's {key}=" in notes
    assert "below the minimum" in notes
    assert at.selectbox(key="estimator").value == LINEAR_REGRESSION.estimator_spec().default
    assert at.selectbox(key="dataset").value == "diabetes"
    assert at.number_input(key="alpha").value == 1.0
    at.selectbox(key="estimator").set_value("lasso").run()  # another estimator, same default
    assert at.number_input(key="alpha").value == 1.0


def test_target_can_be_changed(open_page):
    at = open_page(LINEAR, dataset="longley")
    at.selectbox(key="target").set_value("GNP").run()
    assert not at.exception
    table = coefficient_table(at)
    assert "GNP" not in table.index and "TOTEMP" in table.index


def upload(at, content: bytes, name: str = "data.csv"):
    at.selectbox(key="dataset").set_value("upload").run()
    at.file_uploader(key="upload").set_value((name, content, "text/csv")).run()
    return at


def test_uploaded_csv_trains(open_page):
    at = open_page(LINEAR, estimator="ols")  # unpenalised: the exact slope comes back
    rows = "\n".join(f"{i},{'ab'[i % 2]},{3 * i + 1}" for i in range(40))
    upload(at, ("size;kind;price\n" + rows.replace(",", ";")).encode())
    assert not at.exception and not at.error
    assert at.selectbox(key="target").value == "price"
    table = coefficient_table(at)
    assert list(table.index) == ["size", "kind=b"]
    assert table.loc["size", "per unit"] == pytest.approx(3.0, rel=1e-8)
    assert any("encoded text columns" in i.value for i in at.info)  # the data notes box


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02binary", "binary"),
        (b"a,b\n1,2\n3,4,5\n", "could not be read"),
        (b"name,city\nann,rome\nbob,oslo\ncat,lima\n", "No column can be the target"),
        (b"a,y\n1,5\n2,5\n3,5\n4,5\n5,5\n", "No usable feature columns"),
    ],
)
def test_bad_csv_shows_an_error_and_no_exception(open_page, content, message):
    at = open_page(LINEAR)
    upload(at, content, "bad.csv")
    assert not at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    if b"5\n5,5" in content:  # the constant last column is explained, not just skipped
        assert any("same value in every row" in w.value for w in at.warning)
    # The user can pick another data set straight away.
    at.selectbox(key="dataset").set_value("diabetes").run()
    assert not at.exception and not at.error
    assert len(coefficient_table(at)) == 10


def test_convergence_warning_reaches_the_page(open_page):
    at = open_page(LINEAR, estimator="lasso", alpha="0.001", max_iter="2")
    assert any("ConvergenceWarning" in w.value for w in at.warning)


def test_pin_as_a_then_compare_with_b(open_page):
    at = open_page(LINEAR, estimator="ridge")
    at.button(key="pinned_linear_regression_pin").click().run()
    at.number_input(key="alpha").set_value(300.0).run()
    assert not at.exception
    frames = {tuple(f.value.columns): f.value for f in at.dataframe}
    settings = next(v for k, v in frames.items() if k[0] == "setting").set_index("setting")
    assert settings.loc["alpha", "A"] == "1" and settings.loc["alpha", "B"] == "300"
    assert bool(settings.loc["alpha", "changed"])
    # Values read as the page writes them: labels for choices, true/false, no Python reprs.
    assert settings.loc["estimator", "A"] == "Ridge (L2)"
    assert settings.loc["dataset", "B"] == "Diabetes progression"
    assert settings.loc["scale", "A"] == "true"
    metrics = next(v for k, v in frames.items() if k[0] == "metric").set_index("metric")
    assert metrics.loc["R² (train)", "B - A"] < 0
    chart = json.loads(at.get("plotly_chart")[-1].proto.spec)
    assert [trace["name"] for trace in chart["data"]] == ["A", "B"]
    at.button(key="pinned_linear_regression_clear").click().run()
    assert not any(next(iter(f.value.columns)) == "setting" for f in at.dataframe)


def test_switching_pages_keeps_each_widget_at_its_value(open_page):
    """A widget met again after a page switch starts from its default, not its minimum
    (a data widget once took no default when its key was in session state)."""
    at = open_page(LINEAR)
    # The gradient-descent page also opens on diabetes, so every widget AppTest carries
    # over still has a valid option (AppTest cannot carry a target another page lacks).
    at.switch_page("app_pages/gradient_descent.py").run()
    assert not at.exception
    assert at.number_input(key="test_size").value == 0.25
    assert "all rows (in-sample)" not in " ".join(c.value for c in at.caption)
    at.switch_page(LINEAR).run()
    assert at.number_input(key="test_size").value == 0.25 and at.checkbox(key="scale").value


def test_the_coefficient_chart_draws_on_a_click_with_the_tables_values(open_page):
    """The first screen carries no chart library; the toggle draws the table's values."""
    at = open_page(LINEAR)
    assert not at.get("plotly_chart")
    at.toggle(key="coef_chart").set_value(True).run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    bars = spec["data"][0]
    table = coefficient_table(at)
    shown = dict(zip(bars["y"], decode(bars["x"]), strict=True))
    for feature, value in shown.items():
        assert value == pytest.approx(table.loc[feature, "per SD"], rel=1e-9)


def test_an_upload_shows_its_first_rows_as_read(open_page):
    at = open_page(LINEAR, dataset="upload")
    csv = "size;rooms;price\n" + "\n".join(f"{i},5;{i % 4};{3 * i}" for i in range(1, 30))
    at.file_uploader(key="upload").set_value(("de.csv", csv.encode(), "text/csv")).run()
    preview = frame_with(at, "rooms")
    assert list(preview.columns) == ["size", "rooms", "price"] and len(preview) == 10
    assert preview["size"].iloc[0] == 1.5  # the decimal comma was read as a number


def test_an_upload_can_leave_features_out_and_the_script_follows(
    open_page, open_tab, downloads, tmp_path
):
    """An analyst drops an identifier column: the fit, its table and the script follow."""
    import subprocess
    import sys

    rows = "\n".join(f"{i},{(i * 7) % 5},{i % 3},{2 * i + (i * 7) % 5}" for i in range(40))
    data = f"row_id,x1,x2,y\n{rows}\n".encode()
    at = open_page(LINEAR, dataset="upload")
    at.file_uploader(key="upload").set_value(("shop.csv", data, "text/csv")).run()
    assert set(at.multiselect(key="features").value) == {"row_id", "x1", "x2"}
    at.multiselect(key="features").set_value(["x1", "x2"]).run()
    assert not at.exception
    table = coefficient_table(at)
    assert list(table.index) == ["x1", "x2"]
    open_tab(at, "Reproduce")
    (tmp_path / "shop.csv").write_bytes(data)
    script = downloads["linear_regression_upload.py"].decode()
    assert "X = X[FEATURES]" in script
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    printed = json.loads(out.stdout)
    assert printed["features"] == ["x1", "x2"]
    np.testing.assert_allclose(printed["coef"][0], table["per unit"], rtol=1e-8)


@pytest.mark.parametrize(
    ("family", "heading"),
    [
        (LINEAR_REGRESSION, None),  # every value shapes the model: no second group
        (get_family("neural_network"), "Steer the optimiser only"),
        (get_family("decision_tree"), "Randomness only"),
        (get_family("nearest_neighbors"), "Speed only"),
    ],
    ids=lambda v: getattr(v, "id", v),
)
def test_the_second_group_of_hyperparameters_is_named_for_what_it_holds(open_page, family, heading):
    at = open_page(family.page_path)
    captions = [c.value for c in at.caption]
    assert "**Shape the model**" in captions
    steering = [c for c in captions if c.startswith("**") and "only" in c]
    if heading is None:
        assert steering == []
    else:
        assert len(steering) == 1 and steering[0].startswith(f"**{heading}")
