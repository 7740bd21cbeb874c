"""AppTest: the decision-tree page shows the fitted tree_ exactly, one row's path, and the
depth and pruning sweeps that set max_depth and ccp_alpha."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from core.families.decision_tree import refits
from core.families.decision_tree.drawing import PATH_COLOUR
from core.families.decision_tree.structure import model_input
from core.registry import get_family
from core.row_predict import opening_row
from tests.app.page_helpers import column_settings, frame_with, run_if_asked, shown_columns
from tests.app.page_helpers import page_fit as shared_page_fit

PAGE = "app_pages/decision_tree.py"
FAMILY = get_family("decision_tree")


def page_fit(dataset: str, task: str, estimator: str, scale: bool = False, **values):
    """The fit this page makes for a setting."""
    return shared_page_fit(FAMILY, dataset, task, estimator, scale, **values)


def splits_shown(at):
    return frame_with(at, "yes (<=) node")


def leaves_shown(at):
    for frame in at.dataframe:
        columns = frame.value.columns
        if "node" in columns and "feature" not in columns and "samples" in columns:
            return frame.value
    raise AssertionError("no leaf table")


def metrics(at):
    return {m.label: m.value for m in at.metric}


def drawings(at):
    return [g.proto.spec for g in at.get("graphviz_chart")]


def drawn_nodes(dot: str) -> list[int]:
    return [int(n) for n in re.findall(r"^  n(\d+) \[", dot, flags=re.MULTILINE)]


def test_default_page_shows_every_split_and_leaf_of_tree_(open_page):
    at = open_page(PAGE)
    _, fit = page_fit("iris", "classification", "tree_classifier")
    tree = fit.model.tree_
    internal = np.flatnonzero(tree.children_left != -1)
    leaves = np.flatnonzero(tree.children_left == -1)

    splits = splits_shown(at)
    assert splits["node"].tolist() == internal.tolist()
    assert splits["feature"].tolist() == [fit.feature_names[f] for f in tree.feature[internal]]
    np.testing.assert_allclose(splits["threshold"], tree.threshold[internal])
    np.testing.assert_allclose(splits["gini"], tree.impurity[internal])
    assert splits["samples"].tolist() == tree.n_node_samples[internal].tolist()
    assert splits["yes (<=) node"].tolist() == tree.children_left[internal].tolist()

    shown = leaves_shown(at)
    assert shown["node"].tolist() == leaves.tolist()
    fractions = tree.value[leaves, 0, :]
    counts = fractions * tree.weighted_n_node_samples[leaves, None]
    for k, name in enumerate(fit.model.classes_):
        np.testing.assert_allclose(shown[f"fraction: {name}"], fractions[:, k])
        np.testing.assert_allclose(shown[f"count: {name}"], counts[:, k])
    assert shown["prediction"].tolist() == list(fit.model.classes_[fractions.argmax(axis=1)])

    counted = metrics(at)
    n_classes = len(fit.model.classes_)
    assert counted["Parameters"] == str(2 * len(internal) + n_classes * len(leaves))
    assert counted["Splits"] == str(len(internal))
    assert counted["Leaves"] == str(len(leaves))
    assert counted["Depth"] == str(fit.model.get_depth())
    # A small tree is drawn whole: every node, no hidden ones.
    (dot,) = drawings(at)
    assert sorted(drawn_nodes(dot)) == list(range(tree.node_count))
    assert not [c.value for c in at.caption if "hidden" in c.value or "Drawn to" in c.value]
    assert "rankdir=LR" not in dot  # at most 4 nodes a level: top-down fits the column


def test_the_tables_show_the_learned_numbers_first_and_the_rest_behind_their_menu(open_page):
    """Half of a 1280 px page holds a split's feature and threshold and each leaf's class
    fractions (the numbers the tree learned, headed by the class); the statistics beside
    them stay in the data, behind the table's column menu, and the captions say so."""
    at = open_page(PAGE)
    assert shown_columns(at, "yes (<=) node") == ["node", "feature", "threshold", "gini"]
    assert shown_columns(at, "fraction: setosa") == [
        "node",
        "samples",
        "setosa",
        "versicolor",
        "virginica",
    ]
    hidden = column_settings(at, "fraction: setosa")
    assert all(hidden[f"count: {c}"]["hidden"] for c in ("setosa", "versicolor", "virginica"))
    assert hidden["gini"] == {"type_config": {"type": "number", "format": "%.4g"}, "hidden": True}
    notes = [c.value for c in at.caption if c.value.startswith("More columns")]
    # One sentence for both tables (the first screen is at most 2,500 px).
    assert notes == [
        "More columns (depth, samples, child nodes, gini, predicted class, counts) are in "
        "each table's *Show/hide columns* menu."
    ]
    # Standardised, the split table also shows the threshold as the tree holds it.
    at = open_page(PAGE, scale="true")
    assert shown_columns(at, "yes (<=) node") == [
        "node",
        "feature",
        "threshold",
        "as held",
        "gini",
    ]


def test_a_regression_link_shows_the_leaf_values(open_page):
    at = open_page(PAGE, dataset="diabetes", max_depth="2")
    _, fit = page_fit("diabetes", "regression", "tree_regressor", max_depth=2)
    tree = fit.model.tree_
    leaves = np.flatnonzero(tree.children_left == -1)
    shown = leaves_shown(at)
    assert shown["node"].tolist() == leaves.tolist()
    np.testing.assert_allclose(shown["value"], tree.value[leaves, 0, 0])
    np.testing.assert_allclose(shown["squared_error"], tree.impurity[leaves])
    assert metrics(at)["Parameters"] == "10"  # 3 splits × 2 + 4 leaves × 1
    assert metrics(at)["Depth"] == "2"


def test_standardising_changes_the_stored_thresholds_not_the_splits(open_page):
    at = open_page(PAGE, dataset="diabetes", max_depth="3", scale="true")
    _, raw = page_fit("diabetes", "regression", "tree_regressor", max_depth=3)
    _, scaled = page_fit("diabetes", "regression", "tree_regressor", scale=True, max_depth=3)
    internal = raw.model.tree_.children_left != -1
    splits = splits_shown(at)
    # Shown in the features' own units: the unscaled tree's thresholds...
    np.testing.assert_allclose(splits["threshold"], raw.model.tree_.threshold[internal])
    # ...beside the numbers the standardised tree actually holds.
    np.testing.assert_allclose(
        splits["threshold (standardised)"], scaled.model.tree_.threshold[internal]
    )


def test_a_deep_tree_is_drawn_collapsed_and_a_control_shows_more(open_page):
    at = open_page(PAGE, dataset="diabetes", max_depth="6")
    _, fit = page_fit("diabetes", "regression", "tree_regressor", max_depth=6)
    n_nodes = fit.model.tree_.node_count
    (dot,) = drawings(at)
    drawn = drawn_nodes(dot)
    assert len(drawn) < n_nodes
    assert any(
        f"{len(drawn)} of {n_nodes} nodes; {n_nodes - len(drawn)} nodes are hidden" in c.value
        for c in at.caption
    )
    assert dot.count("nodes hidden below]") > 0
    assert "rankdir=LR" in dot  # 8 nodes at the drawn depth: sideways keeps labels legible
    at.slider(key="tree_drawn").set_value(6).run()
    assert not at.exception
    (dot,) = drawings(at)
    assert sorted(drawn_nodes(dot)) == list(range(n_nodes))
    assert any(f"All {n_nodes} nodes drawn" in c.value for c in at.caption)


def test_tree_view_link_highlights_one_test_rows_path(open_page):
    at = open_page(PAGE, dataset="diabetes", max_depth="2", view="Predict", row_set="test", row="5")
    data, fit = page_fit("diabetes", "regression", "tree_regressor", max_depth=2)
    position = int(fit.split.test[5])
    row = data.X.iloc[[position]]
    expected = fit.model.decision_path(model_input(fit.pipeline, row)).indices.tolist()

    path = frame_with(at, "goes")
    assert path["node"].tolist() == sorted(expected)
    assert path["goes"].iloc[-1] == "leaf"
    for _, step in path.iloc[:-1].iterrows():
        went_left = step["row's value"] <= step["threshold"]
        assert step["goes"] == ("left (<=)" if went_left else "right (>)")
    # The drawing in the tab marks exactly the path's nodes.
    dot = drawings(at)[-1]
    marked = [int(n) for n in re.findall(rf"n(\d+) \[[^\n]*color=\"{PATH_COLOUR}\"", dot)]
    assert sorted(set(marked)) == sorted(expected)
    predicted = float(fit.pipeline.predict(row)[0])
    assert metrics(at)["Prediction"] == f"{predicted:.4g}"
    assert metrics(at)["Questions asked"] == "2"


@pytest.mark.parametrize(
    ("row", "message"),
    [("100000", "There are only 38 test rows"), ("inf", "row='inf' was ignored")],
)
def test_a_row_that_does_not_exist_gives_a_message(open_page, row, message):
    at = open_page(PAGE, view="Predict", row=row)
    assert any(message in w.value for w in at.warning)


def test_poisson_on_a_negative_target_is_a_sentence_not_a_traceback(open_page):
    at = open_page(PAGE, dataset="synthetic_regression", criterion="poisson")
    assert any("poisson criterion" in e.value for e in at.error)
    assert not at.tabs  # the page stops after the message; the widgets stay


def test_depth_view_sweeps_real_refits_and_sets_max_depth(open_page):
    at = open_page(PAGE, dataset="wine", view="Depth")
    table = frame_with(at, "max_depth")
    _, fit = page_fit("wine", "classification", "tree_classifier")
    now = table.set_index("max_depth").loc[3]
    assert now["leaves"] == fit.model.get_n_leaves()
    assert now["train"] == pytest.approx(fit.metrics.loc["accuracy", "train"])
    # Deeper than the unlimited tree grows would fit the same tree: the sweep stops there.
    _, free = page_fit("wine", "classification", "tree_classifier", max_depth=None)
    assert table["max_depth"].max() == free.model.get_depth()

    at.select_slider(key="depth_pick").set_value(1).run()
    at.button(key="depth_use").click().run()
    assert not at.exception
    assert at.number_input(key="max_depth").value == 1
    assert metrics(at)["Depth"] == "1" and metrics(at)["Leaves"] == "2"


def test_depth_and_pruning_sweeps_are_timed_by_the_sweep_engines_estimate(open_page, monkeypatch):
    """One time rule (#19): the Depth tab asks the engine's estimate (sweep_seconds) how
    long its refits take, shows it and waits; a click runs that sweep alone."""
    asked = []

    def estimate(family, setting, dataset, parameter, grid, *, cv=None, fit_seconds=0.0):
        asked.append((family.id, parameter, len(grid), fit_seconds))
        return 600.0

    monkeypatch.setattr(refits, "sweep_seconds", estimate)
    at = open_page(PAGE, dataset="wine", view="Depth")
    notices = [i.value for i in at.info if "would take about 600 s" in i.value]
    assert [n.split(" would")[0] for n in notices] == ["The depth sweep", "The pruning sweep"]
    assert [b.label for b in at.button if b.label.startswith("Run it")] == ["Run it (600 s)"] * 2
    assert not [f for f in at.dataframe if "max_depth" in f.value.columns]
    # Each estimate is asked with the page's fit time, then again with a warm one.
    grids = {(family, parameter, n) for family, parameter, n, _ in asked}
    assert grids == {
        ("decision_tree", "max_depth", refits.MAX_SWEEP_DEPTH + 1),
        ("decision_tree", "ccp_alpha", refits.MAX_PRUNING_ALPHAS + 1),
    }
    assert all(seconds > 0 for *_, seconds in asked)
    next(b for b in at.button if b.label.startswith("Run it")).click().run()
    assert not at.exception
    assert len(frame_with(at, "max_depth")) > 1  # the depth sweep ran and drew its table
    assert [b.label for b in at.button if b.label.startswith("Run it")] == ["Run it (600 s)"]


def test_choosing_an_alpha_on_the_pruning_path_prunes_the_tree(open_page):
    at = open_page(PAGE, dataset="wine", view="Depth", max_depth="5")
    path = frame_with(at, "ccp_alpha")
    assert path["ccp_alpha"].is_monotonic_increasing
    assert path["leaves"].is_monotonic_decreasing
    chosen = len(path) // 2
    at.select_slider(key="alpha_pick").set_value(chosen).run()
    at.button(key="alpha_use").click().run()
    assert not at.exception
    alpha = at.number_input(key="ccp_alpha").value
    assert path["ccp_alpha"].iloc[chosen] <= alpha < path["ccp_alpha"].iloc[chosen + 1]
    # The page's refit at that alpha is the pruned tree the path promised.
    assert metrics(at)["Leaves"] == str(int(path["leaves"].iloc[chosen]))
    _, fit = page_fit("wine", "classification", "tree_classifier", max_depth=5, ccp_alpha=alpha)
    assert (
        splits_shown(at)["node"].tolist()
        == np.flatnonzero(fit.model.tree_.children_left != -1).tolist()
    )


def test_importance_view_matches_feature_importances_with_the_caveat(open_page):
    at = open_page(PAGE, dataset="wine", view="Importance")
    _, fit = page_fit("wine", "classification", "tree_classifier")
    table = frame_with(at, "importance")
    expected = dict(zip(fit.feature_names, fit.model.feature_importances_, strict=True))
    for _, row in table.iterrows():
        assert row["importance"] == pytest.approx(expected[row["feature"]])
    assert table["importance"].is_monotonic_decreasing
    assert any("not learned parameters" in i.value for i in at.info)


def test_tabs_run_only_when_open(open_page, open_tab):
    at = open_page(PAGE)
    assert not any(f.value.columns.tolist()[:1] == ["max_depth"] for f in at.dataframe)
    assert len(drawings(at)) == 1  # the panel's drawing only
    at = open_tab(at, "Predict")
    data, fit = page_fit("iris", "classification", "tree_classifier")
    opening = opening_row(fit, data)
    assert len(drawings(at)) == 2
    assert at.radio(key="row_set").value == opening.rows == "test"
    assert at.number_input(key="row").value == opening.number


def test_user_text_from_a_csv_stays_text(open_page):
    rng = np.random.default_rng(0)
    names = ['a"b\\n*x*', "[link](http://x) $y$"]
    frame = pd.DataFrame({names[0]: rng.normal(size=60), names[1]: rng.normal(size=60)})
    frame["target"] = np.where(frame[names[0]] + frame[names[1]] > 0, "**yes**", "no|pe")
    at = open_page(PAGE, dataset="upload")
    at.query_params["view"] = "Predict"
    at.file_uploader(key="upload").set_value(
        ("d.csv", frame.to_csv(index=False).encode(), "text/csv")
    )
    at.run()
    assert not at.exception
    assert set(splits_shown(at)["feature"]) <= set(names)
    # Class labels are Markdown-escaped in the metrics; the DOT labels escape the quote.
    assert metrics(at)["Prediction"] in (r"\*\*yes\*\*", r"no\|pe")
    assert 'a\\"b\\\\n*x*' in drawings(at)[0]
    assert at.number_input(key="row")  # the Predict tab is open: the path is drawn too
    assert len(drawings(at)) == 2


def test_the_sweep_caption_mentions_scaling_only_when_the_page_scales(open_page):
    at = run_if_asked(open_page("app_pages/decision_tree.py", view="Sweeps"))  # unscaled
    captions = [c.value for c in at.caption if "cross-validated" in c.value]
    assert captions and all("scaling" not in c for c in captions)
    scaled = run_if_asked(open_page("app_pages/decision_tree.py", view="Sweeps", scale="true"))
    assert any("(scaling included)" in c.value for c in scaled.caption)


def test_reproduce_offers_the_whole_tree_as_svg_and_other_families_do_not(open_page, open_tab):
    at = open_tab(open_page(PAGE, dataset="breast_cancer", max_depth="none"), "Reproduce")
    own = at.get("download_button")
    files = [b for b in own if b.proto.id.endswith("own_file") or "own_file" in b.proto.id]
    assert [b.proto.label for b in files] == ["Whole tree (SVG)"]
    assert "plot_tree" in files[0].proto.help
    linear = open_tab(open_page("app_pages/linear_regression.py"), "Reproduce")
    assert not [b for b in linear.get("download_button") if "own_file" in b.proto.id]
