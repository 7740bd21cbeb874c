"""A CSV whose column names or class labels are HTML reaches every chart as text.

Plotly reads ``<a href>`` in a chart's strings as a live link and ``<span style>`` as a style;
every figure builder escapes user text (core/plot_text.py). Each family page gets an upload
with hostile feature names, every tab is opened (with the cheap work that draws its chart
done), and no chart Streamlit receives may hold the raw markup, while the escaped name must be
there: the names were drawn, as text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.plot_text import plot_text
from core.registry import FAMILIES

APP = str(Path(__file__).resolve().parents[2] / "app.py")
LINK = '<a href="https://evil.example/">click</a>'
IMAGE = "<img src=x onerror=alert(1)>"
STYLE = '<span style="font-size:90px">x</span>'
RAW = re.compile(r"<a\s+href|<img|<span\s+style", re.IGNORECASE)
#: Buttons that draw a chart of features in a few seconds on 60 rows (the k and width curves
#: name no feature, so they are left unclicked).
CHEAP_WORK = ("Pin this setting as A", "Refit with random_state")


def _csv(names: list[str], labels: tuple[str, str] | None = ("0", "1"), rows: int = 60) -> bytes:
    """Seeded rows of ``names`` and a target ``y``: two classes, or a number without
    ``labels``."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, len(names)))
    score = X[:, 0] + 0.5 * X[:, 1] + 0.3 * rng.normal(size=rows)
    y = np.round(score, 4) if labels is None else np.where(score > 0, labels[1], labels[0])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*names, "y"])
    for row, label in zip(X, y, strict=True):
        writer.writerow([f"{v:.4f}" for v in row] + [label])
    return buffer.getvalue().encode()


def _upload(page: str, data: bytes) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(page)
    at.query_params["dataset"] = "upload"
    at.run()
    at.file_uploader(key="upload").set_value(("hostile.csv", data, "text/csv")).run()
    target = next(box for box in at.selectbox if box.label == "Target")
    if target.value != "y":
        target.set_value("y").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _charts(at: AppTest) -> list[list[str]]:
    """Every string of every chart on the page, as the browser gets it (plotly's JSON
    writes ``<`` as ``\\u003c``: decoded here, so raw markup cannot hide)."""
    return [list(_strings(json.loads(chart.proto.spec))) for chart in at.get("plotly_chart")]


def _do_cheap_work(at: AppTest) -> AppTest:
    """Click each button of :data:`CHEAP_WORK` on the page once."""
    done: set[str] = set()
    while True:
        button = next(
            (b for b in at.button if b.label.startswith(CHEAP_WORK) and b.label not in done),
            None,
        )
        if button is None:
            return at
        done.add(button.label)
        button.click().run()
        assert not at.exception, [e.value for e in at.exception]


def _every_tab(at: AppTest, open_tab) -> dict[str, list[list[str]]]:
    """The charts of each tab of a family page, its cheap work done."""
    charts = {}
    for label in [t.label for t in at.tabs]:
        _do_cheap_work(open_tab(at, label))
        charts[label] = _charts(at)
    return charts


def _raw(charts: dict[str, list[list[str]]]) -> list[tuple[str, str]]:
    return [
        (tab, s[:120])
        for tab, c in charts.items()
        for strings in c
        for s in strings
        if RAW.search(s)
    ]


def _tabs_showing(charts: dict[str, list[list[str]]], text: str) -> list[str]:
    return [tab for tab, c in charts.items() if any(text in s for strings in c for s in strings)]


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.id)
def test_hostile_feature_names_are_text_in_every_chart(family, open_tab):
    labels = ("0", "1") if "classification" in family.tasks else None
    at = _upload(family.page_path, _csv([LINK, STYLE, IMAGE], labels))
    assert "Parameters the model learned" in [h.value for h in at.subheader]
    charts = _every_tab(at, open_tab)
    assert sum(len(c) for c in charts.values()) >= 2, charts.keys()
    assert _raw(charts) == []
    assert _tabs_showing(charts, plot_text(LINK)), "no chart drew the feature names"


@pytest.mark.parametrize(
    ("page", "tab"),
    [("app_pages/logistic_regression.py", "Boundary"), ("app_pages/neural_network.py", "Epochs")],
)
def test_hostile_class_labels_are_text_in_the_legend(page, tab, open_tab):
    at = _upload(page, _csv([LINK, "x2"], labels=("no", IMAGE)))
    open_tab(at, tab)
    charts = {tab: _charts(at)}
    assert _raw(charts) == []
    assert _tabs_showing(charts, plot_text(IMAGE)) == [tab]


def test_the_families_page_takes_the_upload_without_raw_markup():
    """Its one chart (score against effective parameters, after a sweep of about 20 s) holds
    family and hyperparameter names only; its builder is checked in tests/core."""
    at = _upload("app_pages/families.py", _csv([LINK, STYLE, IMAGE]))
    assert at.dataframe, "no table of the families' fits"
    assert _raw({"families": _charts(at)}) == []
