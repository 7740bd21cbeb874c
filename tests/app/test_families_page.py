"""AppTest: the all-families page lists every family that serves the data set's task, with
its counts and scores, links to each family's page with the same setting, and sweeps every
family's capacity on a click; on a large upload it estimates every fit first and waits for
a click (#20)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import ui.cache
from core.data.prepare import load_dataset, make_dataset
from core.data.uploads import read_csv_upload
from core.fitting import fit_model, split_data
from core.registry import FAMILIES, get_family
from core.setting import Setting
from tests.app.page_helpers import shown_columns
from ui.widgets import LONG_WORK_SECONDS

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "app_pages/families.py"
LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def open_families(at: AppTest | None = None, **query: str) -> AppTest:
    if at is None:
        at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(PAGE)
    if query:
        at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def families_table(at: AppTest):
    for frame in at.dataframe:
        if "learned parameters" in frame.value.columns:
            return frame.value.set_index("family")
    raise AssertionError("no families table on the page")


def links(at: AppTest, table: bool = True) -> dict[str, tuple[str, dict[str, str]]]:
    """Family title to (page path, query as a dict), from the links line under the table;
    the table's ``page`` column holds the same addresses."""
    line = next(m.value for m in at.markdown if m.value.startswith("**Open a family's page"))
    found = {title.replace("\\", ""): url for title, url in LINK.findall(line)}
    if table:
        assert found == families_table(at)["page"].to_dict()
    out = {}
    for title, url in found.items():
        parts = urlsplit(url)
        query = parse_qs(parts.query, keep_blank_values=True)
        out[title] = (parts.path, {k: v[-1] for k, v in query.items()})
    return out


def titles(task: str) -> list[str]:
    return [f.title for f in FAMILIES if task in f.tasks]


def test_the_page_is_in_the_navigation_and_lists_every_regression_family_with_counts():
    at = open_families()
    assert at.title[0].value == "All families"
    assert not at.error
    table = families_table(at)
    assert list(table.index) == titles("regression")  # diabetes opens the page
    assert table.at["Linear regression", "learned parameters"] == 11
    diabetes = load_dataset("diabetes", "regression")
    n_train = len(split_data(diabetes, 0.25, 0).train)
    knn = table.loc["Nearest neighbours"]
    assert knn["learned parameters"] == 0
    assert knn["stored values"] == n_train * diabetes.X.shape[1] == 3310
    assert table.at["Linear regression", "shape the model"] == 2  # alpha, fit_intercept
    assert table["test R²"].notna().all()
    assert set(links(at)) == set(titles("regression"))


def test_the_table_holds_the_numbers_and_the_list_below_says_what_each_was_set():
    """The table fits 1280 px with its numbers; what each family was set and what its fit
    said (text too wide for a cell) is a list under it that wraps, one line per family,
    the same text the table keeps in its data behind the column menu."""
    at = open_families()
    table = families_table(at)
    assert shown_columns(at, "learned parameters") == [
        "family",
        "learned",
        "stored",
        "effective",
        "train",
        "test",
        "set",
        "shape the model",
        "fit time",
    ]
    listing = next(m.value for m in at.markdown if m.value.startswith("**Open a family's page"))
    lines = listing.split("\n- ")[1:]
    assert len(lines) == len(table)
    for line, (title, row) in zip(lines, table.iterrows(), strict=True):
        plain = line.replace("\\", "")  # the text goes through Markdown escaping
        assert plain.startswith(f"[{title}]({row['page']}): {row['estimator']}, ")
        assert f"the values its page starts from: {row['setting']}" in plain
        assert (row["note"] != "") == (":orange[" in line)
    nn = next(line for line in lines if line.startswith("[Neural network]"))
    assert "Training stopped at max_iter = 500 epochs" in nn.replace("\\", "")


@pytest.mark.parametrize(
    ("dataset", "task"), [("iris", "classification"), ("longley", "regression")]
)
def test_a_data_set_lists_only_the_families_serving_its_task(dataset, task):
    at = open_families(dataset=dataset)
    table = families_table(at)
    assert list(table.index) == titles(task)
    score = "test accuracy" if task == "classification" else "test R²"
    assert score in table.columns
    if task == "classification":
        assert "Linear regression" not in table.index
    else:
        assert "Logistic regression" not in table.index


def _metrics_test_score(at: AppTest, metric: str) -> float:
    for frame in at.dataframe:
        value = frame.value
        if list(value.columns) == ["train", "test"] and metric in value.index:
            return float(value.at[metric, "test"])
    raise AssertionError("no metrics table on the family page")


def test_each_rows_test_score_equals_the_family_pages_through_its_link():
    at = open_families(seed="3", test_size="0.3")
    table = families_table(at)
    opened = links(at)
    for title in table.index:
        page, query = opened[title]
        family = next(f for f in FAMILIES if f.title == title)
        assert page == f"/{family.id}"  # the page's url path
        assert query["seed"] == "3" and query["test_size"] == "0.3"
        assert query.get("dataset", family.default_dataset) == "diabetes"
        family_page = AppTest.from_file(APP, default_timeout=120)
        family_page.switch_page(family.page_path)
        family_page.query_params.update(query)
        family_page.run()
        assert not family_page.exception, [e.value for e in family_page.exception]
        assert family_page.title[0].value == title
        assert _metrics_test_score(family_page, "R²") == pytest.approx(
            table.at[title, "test R²"], rel=1e-12
        )


def test_the_links_carry_the_setting_last_used_on_each_family_page():
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("app_pages/linear_regression.py")
    at.query_params.update({"estimator": "lasso", "alpha": "0.5"})
    at.run()
    assert not at.exception
    at.query_params.clear()
    at = open_families(at)
    table = families_table(at)
    row = table.loc["Linear regression"]
    assert row["from"] == "your last run"
    assert row["estimator"] == "Lasso (L1)" and "alpha=0.5" in row["setting"]
    assert table.at["Decision tree", "from"] == "page start"
    page, query = links(at)["Linear regression"]
    assert page == "/linear_regression"
    assert query["estimator"] == "lasso" and float(query["alpha"]) == 0.5
    # the tree page starts unscaled; this page scales, so its link says so
    page, query = links(at)["Decision tree"]
    tree = get_family("decision_tree")
    assert page == f"/{tree.id}"
    assert query["dataset"] == "diabetes" and query["scale"] == "true"
    # diabetes opens the tree page on tree_regressor at max_depth 3: its start, left out
    assert "estimator" not in query and "max_depth" not in query


def test_a_family_that_cannot_fit_the_data_is_a_row_with_a_sentence():
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["run_history"] = [
        {
            "family": "decision_tree",
            "setting": Setting.of(
                "decision_tree",
                "tree_regressor",
                {"criterion": "poisson", "max_depth": 3},
                data={"dataset": "synthetic_regression"},
                data_key="synthetic_regression",
                target="y",
                scale=False,
                test_size=0.25,
                seed=0,
            ),
        }
    ]
    at = open_families(at, dataset="synthetic_regression")
    table = families_table(at)
    row = table.loc["Decision tree"]
    assert "oisson" in row["note"] and row["from"] == "your last run"
    assert row["test R²"] != row["test R²"]  # NaN: no fit
    assert table["test R²"].notna().sum() == len(table) - 1
    interpretation = " ".join(m.value for m in at.markdown)
    assert "Decision tree cannot be fitted here" in interpretation


def test_a_sweep_click_draws_one_trace_per_family_and_returning_is_instant():
    at = open_families(dataset="iris")
    assert not at.get("plotly_chart")  # waits for the click
    at.button(key="families_sweep").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (chart,) = at.get("plotly_chart")
    data = json.loads(chart.proto.spec)["data"]
    legend = [t["name"] for t in data if t.get("showlegend") is not False]
    assert legend == titles("classification")
    stars = [t["name"] for t in data if t["name"].endswith(": your setting")]
    assert len(stars) == len(legend)
    text = " ".join(m.value for m in at.markdown)
    assert "does best" in text
    # a rerun draws the chart again without asking (the sweep is cached)
    at.run()
    assert len(at.get("plotly_chart")) == 1
    assert all(b.key != "families_sweep" for b in at.button)


@pytest.mark.parametrize(
    ("key", "value"), [("seed", "inf"), ("dataset", "nope"), ("test_size", "2"), ("scale", "x")]
)
def test_a_bad_link_value_is_a_message(key, value):
    at = open_families(**{key: value})
    warnings = " ".join(w.value for w in at.warning).replace("\\", "")
    assert f"{key}=" in warnings and "ignored" in warnings
    assert list(families_table(at).index) == titles("regression")


# --- a large upload: estimate first, fit on a click (#20) --------------------------------------
def _csv(rows: int, features: int = 5, seed: int = 0) -> bytes:
    """Normal features and a class that depends on them linearly, with noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, features)).round(4)
    y = np.where(X @ rng.normal(size=features) + rng.normal(size=rows) > 0, "yes", "no")
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(features)]).assign(y=y)
    return frame.to_csv(index=False).encode()


def test_a_large_upload_shows_the_estimates_and_fits_nothing_until_the_click(monkeypatch):
    """12,000 rows: the network's own estimate (every one of its 500 epochs on 9,000 rows)
    and nearest neighbours' (predicting 12,000 rows against 9,000 stored ones) are over
    LONG_WORK_SECONDS honestly, on any machine: the page fitted every family at once."""
    fitted: list[str] = []
    real_fit = ui.cache.fit_model

    def counted(family, *args, **kwargs):
        fitted.append(family.id)
        return real_fit(family, *args, **kwargs)

    monkeypatch.setattr(ui.cache, "fit_model", counted)
    data = _csv(12_000)
    at = open_families(dataset="upload")
    at.file_uploader(key="upload").set_value(("big.csv", data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert fitted == []
    assert not any("learned parameters" in f.value.columns for f in at.dataframe)
    estimates = next(f.value for f in at.dataframe if "estimated time" in f.value.columns)
    assert list(estimates["family"]) == titles("classification")
    notice = " ".join(i.value for i in at.info)
    seconds = float(re.search(r"would take about ([\d,]+) s", notice).group(1).replace(",", ""))
    assert seconds > LONG_WORK_SECONDS
    (run,) = [b for b in at.button if b.label.startswith("Run it")]
    assert f"({seconds:.0f} s)" in run.label
    assert all(b.key != "families_sweep" for b in at.button)  # no sweep before the fits
    assert set(links(at, table=False)) == set(titles("classification"))

    run.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert sorted(fitted) == sorted(f.id for f in FAMILIES if "classification" in f.tasks)
    table = families_table(at)
    assert list(table.index) == titles("classification")
    assert table["test accuracy"].notna().all()
    # the numbers are fit_model's on the same rows
    upload = read_csv_upload(data, "big.csv")
    dataset = make_dataset(upload.frame, "y", "classification", name="big.csv")
    logistic = get_family("logistic_regression")
    start = {s.name: s.initial for s in logistic.hyperparameters_for("logistic")}
    direct = fit_model(logistic, "logistic", start, dataset)
    assert table.at["Logistic regression", "test accuracy"] == pytest.approx(
        direct.metrics.at["accuracy", "test"], rel=1e-12
    )
    # returning asks nothing and refits nothing
    at.run()
    assert len(fitted) == len(titles("classification"))
    assert not [b for b in at.button if b.label.startswith("Run it")]
    assert list(families_table(at).index) == titles("classification")


def _in_page_order(node):
    """Every element of the page, top to bottom."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _in_page_order(child)


def test_prose_points_where_the_sweep_is_and_no_cell_reads_none():
    """The interpretation sits under the sweep, so it says "above"; a fitted family that
    stores no rows shows 0 stored values (as the home table does), not an empty cell."""
    at = open_families(dataset="diabetes")
    order = [
        getattr(e, "value", "")
        for e in _in_page_order(at.main)
        if isinstance(getattr(e, "value", None), str)
    ]
    sweep = next(i for i, v in enumerate(order) if v == "Complexity against score")
    mention = next(i for i, v in enumerate(order) if "the sweep" in v and "Complexity" in v)
    assert sweep < mention and "the sweep above" in order[mention]
    stored = families_table(at)["stored values"]
    assert stored.notna().all()
    assert stored["Linear regression"] == 0
