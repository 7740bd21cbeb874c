"""AppTest: nothing on the nearest-neighbours page buys seconds without a click (#20).

Every piece of work a link can start is estimated first by the family's cost model (the
page's fit, the Sweeps tab through the sweep engine, the Speed tab's timings, the curve and
the regions over k); work estimated longer than ``LONG_WORK_SECONDS`` shows its estimate
and a "Run it" button, and has fitted nothing until it is clicked. Every k-NN fit
scikit-learn runs is counted, so "nothing ran" is a count, never a timing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from streamlit.testing.v1 import AppTest

from core.data.prepare import load_dataset
from core.families.nearest_neighbors.cost import search_seconds
from core.families.nearest_neighbors.family import FAMILY
from core.families.nearest_neighbors.speed import comparison_seconds, searches
from core.fitting import fit_model
from tests.app.page_helpers import frame_with
from ui.widgets import LONG_WORK_SECONDS

APP = str(Path(__file__).resolve().parents[3] / "app.py")
PAGE = "app_pages/nearest_neighbors.py"
#: Issue #20's link: 5,000 rows × 50 features, 3,750 of them stored.
ISSUE = {"dataset": "synthetic_regression", "n_samples": "5000", "n_features": "50"}


@pytest.fixture
def fits(monkeypatch):
    """The class of every k-NN model scikit-learn fits during the test, in order."""
    counted: list[str] = []
    for cls in (KNeighborsClassifier, KNeighborsRegressor):

        def counting(self, *args, _fit=cls.fit, **kwargs):
            counted.append(type(self).__name__)
            return _fit(self, *args, **kwargs)

        monkeypatch.setattr(cls, "fit", counting)
    return counted


def _open(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page(PAGE)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _run_buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button if b.label.startswith("Run it")]


def _notices(at: AppTest, what: str) -> list[str]:
    return [i.value for i in at.info if i.value.startswith(f"{what} would take about")]


def _issue_fit():
    data = load_dataset("synthetic_regression", "regression", n_samples=5000, n_features=50)
    values = {s.name: s.initial for s in FAMILY.hyperparameters_for("knn_regressor")}
    return data, fit_model(FAMILY, "knn_regressor", values, data)


def test_issue_20s_speed_link_shows_its_estimate_and_times_nothing_until_clicked(fits):
    at = _open(**ISSUE, view="Speed")
    assert fits == ["KNeighborsRegressor"]  # the page's own fit, and no search timed
    (notice,) = _notices(at, "Timing every search")
    assert not any("same_answer" in frame.value.columns for frame in at.dataframe)
    data, fit = _issue_fit()
    seconds = comparison_seconds(fit, data, leaf_sizes=(5, 100))  # the default leaf sizes
    assert seconds > LONG_WORK_SECONDS
    assert f"about {seconds:.0f} s" in notice and _run_buttons(at) == [f"Run it ({seconds:.0f} s)"]
    # The fewest searches (no extra leaf size) still take longer than a view may without
    # asking: the page asks again, with their own estimate, and only the click runs them.
    fits.clear()
    at.multiselect(key="speed_leaf_sizes").set_value([]).run()
    fewest = comparison_seconds(fit, data)
    assert fewest > LONG_WORK_SECONDS and _run_buttons(at) == [f"Run it ({fewest:.0f} s)"]
    assert fits == []
    next(b for b in at.button if b.label.startswith("Run it")).click().run()
    assert not at.exception
    table = frame_with(at, "same_answer")
    assert sorted(table["algorithm"]) == sorted(["auto", "brute", "kd_tree", "ball_tree"])
    assert table["same_answer"].all()
    # Each search at least once (brute force first, for the reference answers).
    assert len(fits) >= len(searches(fit)) == 5
    assert not _run_buttons(at) and not _notices(at, "Timing every search")


def test_issue_20s_sweeps_link_waits_with_the_engines_estimate(fits):
    at = _open(**ISSUE, view="Sweeps")
    # The page's own fit, and at most the Sweeps tab's second, warm timing of that same
    # fit (ui.sweep_panel re-times a fit when its first estimate looks long); no sweep point.
    assert fits in (["KNeighborsRegressor"], ["KNeighborsRegressor"] * 2)
    assert len(_notices(at, "This sweep")) == 1
    (label,) = _run_buttons(at)
    assert float(label.removeprefix("Run it (").removesuffix(" s)")) > LONG_WORK_SECONDS
    assert not [c for c in at.get("plotly_chart") if "curve_chart" in c.proto.id]


@pytest.mark.parametrize(
    "setting",
    [{"p": "1.5"}, {"algorithm": "ball_tree", "leaf_size": "1"}],
    ids=["p=1.5", "ball_tree-leaf_size=1"],
)
def test_issue_20s_slow_searches_ask_before_the_page_fits(fits, setting):
    """A Minkowski power of 1.5 takes a power per feature for every pair of rows (32 s on
    issue #20's link), and a ball tree with one row per leaf walks its whole index (4.5 s):
    the page's own fit asks first, before any tab, with the family's estimate."""
    at = _open(**ISSUE, **setting, view="Sweeps")
    assert fits == []  # not even the page's fit
    assert not at.tabs
    data, _ = _issue_fit()
    values = {s.name: s.initial for s in FAMILY.hyperparameters_for("knn_regressor")}
    values.update(
        {k: float(v) if k == "p" else int(v) if k == "leaf_size" else v for k, v in setting.items()}
    )
    X_train = data.X.iloc[:3750]
    seconds = search_seconds("knn_regressor", values, X_train, data.y.iloc[:3750])
    assert seconds > LONG_WORK_SECONDS
    assert [b.label for b in at.button if b.label.startswith("Fit it anyway")] == [
        f"Fit it anyway (about {seconds:.0f} s)"
    ]


def test_the_k_curve_waits_with_its_estimate_and_the_regions_draw(fits):
    """Iris's curve is leave-one-out over 112 rows at 7 values of k (784 fits): longer than
    a view may take unasked. The regions beside it are 5 quick refits: drawn at once."""
    at = _open(view="K")
    assert len(_notices(at, "The curve over k")) == 1
    (label,) = _run_buttons(at)
    assert float(label.removeprefix("Run it (").removesuffix(" s)")) > LONG_WORK_SECONDS
    assert not [c for c in at.get("plotly_chart") if "k_curve_chart" in c.proto.id]
    assert [c for c in at.get("plotly_chart") if "regions_chart" in c.proto.id]
    # The page's fit, then one refit per k of the regions (1, 3, 5, 15, 50): none for the curve.
    assert fits == ["KNeighborsClassifier"] * 6


def test_the_regions_wait_when_their_refits_are_long(fits):
    """Brute force with a Minkowski power of 1.5 on 3,750 stored rows: the page's fit is
    quick enough alone, the regions refit it at five values of k."""
    at = _open(
        dataset="synthetic_regression",
        n_samples="5000",
        n_features="2",
        n_informative="2",
        p="1.5",
        algorithm="brute",
        view="K",
    )
    assert fits == ["KNeighborsRegressor"]
    assert len(_notices(at, "The regions at each k")) == 1
    assert len(_notices(at, "The curve over k")) == 1
    assert not [c for c in at.get("plotly_chart") if "regions_chart" in c.proto.id]
