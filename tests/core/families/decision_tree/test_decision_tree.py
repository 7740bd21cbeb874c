"""The decision-tree family: its specs, the node table against ``tree_``, one row's path, the
drawing, the depth and pruning sweeps, the learned-parameter count and the script lines."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from core.data.prepare import load_dataset
from core.data.tables import Dataset
from core.families.decision_tree import drawing as tree_drawing
from core.families.decision_tree import refits
from core.families.decision_tree import structure as tree_nodes
from core.families.decision_tree.family import FAMILY, extract, interpret, setting_problem
from core.families.decision_tree.figures import (
    depth_sweep_figure,
    importance_figure,
    pruning_figure,
)
from core.fitting import FitError, fit_model
from core.setting import Setting
from core.sweeps import SCORING_SHARE, sweep_seconds
from core.text import format_number


def page_values(estimator_id: str, **changes):
    """The page's first setting for an estimator, with some values changed."""
    values = {s.name: s.initial for s in FAMILY.hyperparameters_for(estimator_id)}
    return {**values, **changes}


def setting_of(fit, dataset, split):
    """The Setting of a test's fit (its resolved values, the data set, the split)."""
    return Setting.on(dataset, fit.family_id, fit.estimator_id, fit.hyperparameters, **split)


@pytest.fixture(scope="module")
def iris():
    return load_dataset("iris", "classification")


#: The fixtures' fit settings, for the sweeps that refit them.
SETTINGS_SCALED = {"scale": True, "test_size": 0.25, "seed": 0}
SETTINGS_RAW = {**SETTINGS_SCALED, "scale": False}


@pytest.fixture(scope="module")
def iris_fit(iris):
    # Standardised on purpose: thresholds are then held in standardised units.
    return fit_model(FAMILY, "tree_classifier", page_values("tree_classifier"), iris, scale=True)


@pytest.fixture(scope="module")
def diabetes_fit(diabetes):
    values = page_values("tree_regressor", max_depth=None)
    return fit_model(FAMILY, "tree_regressor", values, diabetes, scale=False)


def model_rows(fit, dataset):
    """Training rows as the tree saw them, and their targets."""
    X, y = fit.split.train_rows(dataset)
    return tree_nodes.model_input(fit.pipeline, X), y.to_numpy()


# --- specs ---------------------------------------------------------------------------------
def test_each_estimator_gets_its_own_criterion_with_scikit_learns_defaults():
    for estimator in FAMILY.estimators:
        sk_defaults = estimator.estimator().get_params()
        for spec in FAMILY.hyperparameters_for(estimator.id):
            assert sk_defaults[spec.name] == spec.default, (estimator.id, spec.name)
    classifier = {s.name: s for s in FAMILY.hyperparameters_for("tree_classifier")}
    regressor = {s.name: s for s in FAMILY.hyperparameters_for("tree_regressor")}
    assert classifier["criterion"].choices == ("gini", "entropy", "log_loss")
    # friedman_mse is deprecated in scikit-learn 1.9 (a FutureWarning, an error here).
    assert regressor["criterion"].choices == ("squared_error", "absolute_error", "poisson")
    assert classifier["max_depth"].initial == 3 and classifier["random_state"].initial == 0
    assert FAMILY.scale_default is False and FAMILY.resampled_terms is None


def test_every_offered_criterion_fits_and_the_other_estimators_do_not():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y_class = (X[:, 0] > 0).astype(int)
    y_count = rng.poisson(3.0, size=60).astype(float) + 1
    for estimator_id, cls, y in (
        ("tree_classifier", DecisionTreeClassifier, y_class),
        ("tree_regressor", DecisionTreeRegressor, y_count),
    ):
        spec = next(s for s in FAMILY.hyperparameters_for(estimator_id) if s.name == "criterion")
        for criterion in spec.choices:
            cls(criterion=criterion, max_depth=2).fit(X, y)
        other = "squared_error" if cls is DecisionTreeClassifier else "gini"
        with pytest.raises(ValueError, match="criterion"):
            cls(criterion=other).fit(X, y)


def test_the_regressor_page_validates_its_own_criterion(diabetes):
    fit = fit_model(
        FAMILY, "tree_regressor", {"criterion": "absolute_error", "max_depth": 2}, diabetes
    )
    assert fit.model.criterion == "absolute_error"
    with pytest.raises(ValueError, match="not one of"):
        fit_model(FAMILY, "tree_regressor", {"criterion": "gini"}, diabetes)


def test_poisson_refusal_is_a_sentence(diabetes):
    y = diabetes.y
    assert setting_problem("tree_regressor", {"criterion": "poisson"}, None, y) is None
    shifted = y - 100
    text = setting_problem("tree_regressor", {"criterion": "poisson"}, None, shifted)
    n_negative = int((shifted < 0).sum())
    assert f"{n_negative} of the {len(y)} training values of progression" in text
    assert "squared_error" in text
    zeros = pd.Series(np.zeros(10), name="count")
    assert "every training value of count is 0" in setting_problem(
        "tree_regressor", {"criterion": "poisson"}, None, zeros
    )
    assert setting_problem("tree_regressor", {"criterion": "squared_error"}, None, shifted) is None
    # scikit-learn refuses exactly these cases.
    negative = Dataset("shifted", "regression", diabetes.X, shifted, "")
    with pytest.raises(FitError, match="negative"):
        fit_model(FAMILY, "tree_regressor", {"criterion": "poisson"}, negative)


# --- the node table ------------------------------------------------------------------------
def test_node_table_is_tree_arrays_exactly(iris_fit, iris):
    tree = iris_fit.model.tree_
    nodes = tree_nodes.node_table(iris_fit.model, iris_fit.feature_names, iris_fit.pipeline)
    leaf = tree.children_left == -1
    assert len(nodes) == tree.node_count
    np.testing.assert_array_equal(nodes["is_leaf"], leaf)
    np.testing.assert_array_equal(nodes["feature"][~leaf], tree.feature[~leaf])
    np.testing.assert_array_equal(nodes["threshold"][~leaf], tree.threshold[~leaf])
    assert (nodes["feature"][leaf] == -1).all() and nodes["threshold"][leaf].isna().all()
    np.testing.assert_array_equal(nodes["impurity"], tree.impurity)
    np.testing.assert_array_equal(nodes["samples"], tree.n_node_samples)
    np.testing.assert_array_equal(nodes["left"], tree.children_left)
    np.testing.assert_array_equal(nodes["right"], tree.children_right)
    classes = [str(c) for c in iris_fit.model.classes_]
    fractions = nodes[[f"fraction: {c}" for c in classes]].to_numpy()
    counts = nodes[[f"count: {c}" for c in classes]].to_numpy()
    np.testing.assert_array_equal(fractions, tree.value[:, 0, :])
    np.testing.assert_array_equal(
        counts, tree.value[:, 0, :] * tree.weighted_n_node_samples[:, None]
    )
    names = np.array(iris_fit.feature_names)
    assert list(nodes["feature_name"][~leaf]) == list(names[tree.feature[~leaf]])

    # Independently: the rows decision_path sends through each node, counted by class.
    X, y = model_rows(iris_fit, iris)
    through = iris_fit.model.decision_path(X).toarray().astype(bool)
    manual = np.array([[np.sum(through[:, n] & (y == c)) for c in classes] for n in nodes.index])
    np.testing.assert_allclose(counts, manual, rtol=0, atol=1e-9)
    # Depth: a row through node n visits its ancestors first, and they have smaller ids
    # (scikit-learn numbers nodes depth first).
    depth = []
    for n in nodes.index:
        row = np.flatnonzero(through[:, n])[0]
        depth.append(int(np.sum(np.flatnonzero(through[row]) < n)))
    np.testing.assert_array_equal(nodes["depth"], depth)


def test_raw_thresholds_are_the_unscaled_trees_thresholds(iris_fit, iris):
    """A tree on standardised features splits the same rows; mapped back to the features'
    own units, its thresholds are those of the tree fitted on raw features."""
    raw_fit = fit_model(
        FAMILY, "tree_classifier", page_values("tree_classifier"), iris, scale=False
    )
    scaled = tree_nodes.node_table(iris_fit.model, iris_fit.feature_names, iris_fit.pipeline)
    raw = tree_nodes.node_table(raw_fit.model, raw_fit.feature_names, raw_fit.pipeline)
    np.testing.assert_array_equal(scaled["feature"], raw["feature"])
    np.testing.assert_array_equal(scaled["samples"], raw["samples"])
    np.testing.assert_allclose(scaled["threshold_raw"], raw["threshold"], rtol=1e-6)
    np.testing.assert_array_equal(raw["threshold_raw"], raw["threshold"])


def test_regressor_leaves_hold_the_mean_target_of_their_rows(diabetes_fit, diabetes):
    nodes = tree_nodes.node_table(
        diabetes_fit.model, diabetes_fit.feature_names, diabetes_fit.pipeline
    )
    X, y = model_rows(diabetes_fit, diabetes)
    through = diabetes_fit.model.decision_path(X).toarray().astype(bool)
    means = np.array([y[through[:, n]].mean() for n in nodes.index])
    np.testing.assert_allclose(nodes["value"], means, rtol=1e-10)
    np.testing.assert_array_equal(nodes["value"], diabetes_fit.model.tree_.value[:, 0, 0])


# --- learned parameters ----------------------------------------------------------------------
@pytest.mark.parametrize("which", ["iris_fit", "diabetes_fit"])
def test_extract_counts_splits_and_leaf_values(which, request):
    fit = request.getfixturevalue(which)
    tree = fit.model.tree_
    learned = extract(fit)
    internal = tree.children_left != -1
    n_splits, n_leaves = int(internal.sum()), int((~internal).sum())
    per_leaf = len(fit.model.classes_) if hasattr(fit.model, "classes_") else 1
    assert learned.n_parameters == 2 * n_splits + per_leaf * n_leaves
    assert learned.detail.n_parameters == learned.n_parameters
    np.testing.assert_array_equal(learned.group("tree_.feature").values, tree.feature[internal])
    np.testing.assert_array_equal(learned.group("tree_.threshold").fitted, tree.threshold[internal])
    leaf_values = tree.value[~internal, 0]
    expected = leaf_values if per_leaf > 1 else leaf_values[:, 0]
    np.testing.assert_array_equal(learned.group("tree_.value").values, expected)
    terms = learned.table()["term"]
    assert terms.is_unique


@pytest.mark.parametrize("which", ["iris_fit", "diabetes_fit"])
def test_script_lines_read_the_values_extract_reports(which, request, iris, diabetes):
    fit = request.getfixturevalue(which)
    dataset = iris if which == "iris_fit" else diabetes
    X_train, y_train = fit.split.train_rows(dataset)
    namespace = {
        "np": np,
        "pipeline": fit.pipeline,
        "model": fit.pipeline.named_steps["model"],
        "X_train": X_train,
        "y_train": y_train,
        "SCALE": "scale" in fit.pipeline.named_steps,
        "feature_names": list(fit.feature_names),
    }
    exec(FAMILY.script_parameters, namespace)
    learned = extract(fit)
    table = learned.table()
    assert list(namespace["learned"]) == [g.name for g in learned.groups]
    for name, values in namespace["learned"].items():
        expected = table.loc[table["group"] == name, "value_fitted"].to_numpy()
        np.testing.assert_array_equal(np.ravel(values), expected)


# --- one row's path --------------------------------------------------------------------------
def test_decision_path_of_a_row_ends_in_its_leaf_and_follows_the_thresholds(iris):
    fit = fit_model(FAMILY, "tree_classifier", page_values("tree_classifier"), iris, scale=False)
    for position in (0, 60, 120):
        row = iris.X.iloc[[position]]
        path = tree_nodes.decision_path_nodes(fit.pipeline, row)
        assert path == list(fit.model.decision_path(row).indices)
        assert path[0] == 0 and path[-1] == fit.model.apply(row)[0]
        steps = tree_nodes.path_table(fit, iris, position)
        assert list(steps["node"]) == path
        questions = steps[steps["goes"] != "leaf"]
        left = questions["row_value"] <= questions["threshold_raw"]
        assert list(left) == list(questions["goes"] == "left (<=)")
        assert list(steps["goes"]).count("leaf") == 1
    with pytest.raises(ValueError, match="does not exist"):
        tree_nodes.path_table(fit, iris, len(iris.y))


# --- the drawing -----------------------------------------------------------------------------
QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def dot_unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


@pytest.fixture(scope="module")
def awkward():
    """Iris with column names an uploaded CSV file can have."""
    data = load_dataset("iris", "classification")
    names = ["C:\\path\\n", "sepal width", "<b>len</b> & {x|y}", 'petal "width"\nin cm']
    X = data.X.set_axis(names, axis=1)
    return Dataset("awkward", "classification", X, data.y, "")


def test_dot_labels_survive_quotes_backslashes_brackets_and_newlines(awkward):
    fit = fit_model(
        FAMILY, "tree_classifier", page_values("tree_classifier", max_depth=None), awkward
    )
    structure = tree_nodes.tree_structure(fit)
    drawing = tree_drawing.tree_dot(structure)
    body = drawing.dot.strip().splitlines()
    assert body[0] == "digraph tree {" and body[-1] == "}"
    for line in body[1:-1]:
        # One statement per line: quotes balanced, nothing after the semicolon.
        assert line.endswith(";"), line
        assert '"' not in QUOTED.sub("", line), line
    labels = [dot_unescape(m) for line in body for m in QUOTED.findall(line)]
    used = {structure.feature_names[f] for f in structure.nodes["feature"] if f >= 0}
    assert used == set(awkward.X.columns) - {"sepal width"}
    for name in used:
        shown = name.replace("\n", " ")
        assert any(label.startswith(f"{shown} <= ") for label in labels), name
    # Past the escaped backslashes, the only escapes are line breaks and quotes (no \N, \l).
    assert set(re.findall(r"\\.", drawing.dot.replace("\\\\", ""))) == {"\\n", '\\"'}


def test_dot_escape_turns_control_characters_into_one_space():
    assert tree_drawing.dot_escape('a\r\n\tb "c" \\N') == 'a b \\"c\\" \\\\N'
    assert tree_drawing.dot_label(["x <= 1", 'y"']) == '"x <= 1\\ny\\""'


def test_collapsing_hides_the_nodes_below_the_depth_and_says_how_many(diabetes_fit):
    structure = tree_nodes.tree_structure(diabetes_fit)
    nodes = structure.nodes
    depth = 3
    path = [0, int(nodes.at[0, "left"])]
    while not nodes.at[path[-1], "is_leaf"]:
        path.append(int(nodes.at[path[-1], "right"]))
    drawing = tree_drawing.tree_dot(structure, collapse_depth=depth, highlight=path)
    assert drawing.shown == int((nodes["depth"] <= depth).sum())
    assert drawing.hidden == int((nodes["depth"] > depth).sum())
    assert drawing.shown + drawing.hidden == structure.n_nodes
    assert drawing.path_hidden == sum(nodes.at[n, "depth"] > depth for n in path)
    statements = [line for line in drawing.dot.splitlines() if re.match(r"  n\d+", line)]
    boxes = [s for s in statements if "->" not in s]
    assert len(boxes) == drawing.shown
    collapsed = nodes[(nodes["depth"] == depth) & ~nodes["is_leaf"]]
    dashed = [s for s in boxes if "dashed" in s]
    assert len(dashed) == len(collapsed)
    # Each collapsed box counts its hidden descendants; together they are all the hidden.
    hidden_counts = [int(re.search(r"\[(\d+) nodes hidden below\]", s).group(1)) for s in dashed]
    assert sum(hidden_counts) == drawing.hidden
    red_boxes = [s for s in boxes if tree_drawing.PATH_COLOUR in s]
    assert len(red_boxes) == sum(nodes.at[n, "depth"] <= depth for n in path)
    full = tree_drawing.tree_dot(structure)
    assert full.hidden == 0 and full.shown == structure.n_nodes
    assert tree_drawing.readable_depth(nodes) == 4  # 1 + 2 + 4 + 8 + 16 = 31 nodes down to depth 4


# --- sweeps ----------------------------------------------------------------------------------
def test_depth_sweep_is_real_refits(iris_fit, iris):
    sweep = refits.depth_sweep(iris_fit, iris, setting_of(iris_fit, iris, SETTINGS_SCALED))
    X, y = model_rows(iris_fit, iris)
    X_test, y_test = iris_fit.split.test_rows(iris)
    X_test = tree_nodes.model_input(iris_fit.pipeline, X_test)
    free = DecisionTreeClassifier(random_state=0).fit(X, y)
    assert list(sweep.table["max_depth"]) == list(range(1, free.get_depth() + 1))
    for _, row in sweep.table.iterrows():
        model = DecisionTreeClassifier(max_depth=int(row["max_depth"]), random_state=0).fit(X, y)
        assert row["leaves"] == model.get_n_leaves() and row["depth"] == model.get_depth()
        assert row["splits"] == model.tree_.node_count - model.get_n_leaves()
        assert row["train"] == pytest.approx(model.score(X, y), abs=1e-12)
        assert row["test"] == pytest.approx(model.score(X_test, y_test), abs=1e-12)
    assert sweep.score == "accuracy" and "real refits" in sweep.note
    fig = depth_sweep_figure(sweep, current=3)
    assert list(fig.data[0].y) == list(sweep.table["train"])
    assert list(fig.data[-1].y) == list(sweep.table["leaves"])
    leaves_axis = fig.layout.yaxis2  # a count: whole-number ticks from 0
    assert leaves_axis.tick0 == 0 and float(leaves_axis.dtick).is_integer()


def test_depth_sweep_stops_at_the_bound(diabetes_fit, diabetes):
    sweep = refits.depth_sweep(
        diabetes_fit, diabetes, setting_of(diabetes_fit, diabetes, SETTINGS_RAW), bound=4
    )
    assert list(sweep.table["max_depth"]) == [1, 2, 3, 4]
    assert "the sweep stops at 4" in sweep.note


def test_the_depth_and_pruning_estimates_are_the_sweep_engines(iris_fit, iris):
    """One time rule (#19): the tree's sweeps are timed by the engine's estimate, each
    refit costing the page's fit and its scoring, as the Sweeps tab times its own."""
    setting = setting_of(iris_fit, iris, SETTINGS_SCALED)
    depths = [None, *range(1, refits.MAX_SWEEP_DEPTH + 1)]
    assert refits.depth_sweep_seconds(iris, setting, 0.01) == pytest.approx(
        sweep_seconds(FAMILY, setting, iris, "max_depth", depths, fit_seconds=0.01)
    )
    per_fit = 0.01 * (1 + SCORING_SHARE)
    assert refits.depth_sweep_seconds(iris, setting, 0.01) == pytest.approx(21 * per_fit)
    assert refits.depth_sweep_seconds(iris, setting, 0.01, bound=4) == pytest.approx(5 * per_fit)
    # The path's own unpruned tree, then at most MAX_PRUNING_ALPHAS refits.
    assert refits.pruning_sweep_seconds(iris, setting, 0.01) == pytest.approx(
        (refits.MAX_PRUNING_ALPHAS + 1) * per_fit
    )


def test_the_sweeps_report_progress_over_their_refits(iris_fit, iris):
    setting = setting_of(iris_fit, iris, SETTINGS_SCALED)
    done = []
    sweep = refits.depth_sweep(iris_fit, iris, setting, progress=lambda *a: done.append(a))
    n = len(sweep.table)
    assert done == [(i, n) for i in range(1, n + 1)]
    done.clear()
    sweep = refits.pruning_sweep(
        iris_fit, iris, setting, most=5, progress=lambda *a: done.append(a)
    )
    assert done == [(i, len(sweep.table)) for i in range(1, len(sweep.table) + 1)]


def test_pruning_sweep_refits_evenly_chosen_alphas_of_the_path(diabetes_fit, diabetes):
    X, y = model_rows(diabetes_fit, diabetes)
    path = DecisionTreeRegressor(random_state=0).cost_complexity_pruning_path(X, y)
    sweep = refits.pruning_sweep(
        diabetes_fit, diabetes, setting_of(diabetes_fit, diabetes, SETTINGS_RAW), most=6
    )
    table = sweep.table
    assert len(path.ccp_alphas) > 6 and len(table) == 6
    positions = np.round(np.linspace(0, len(path.ccp_alphas) - 1, 6)).astype(int)
    np.testing.assert_array_equal(table["ccp_alpha"], np.maximum(path.ccp_alphas[positions], 0))
    np.testing.assert_array_equal(table["total_leaf_impurity"], path.impurities[positions])
    # Minimal cost-complexity pruning nests: more pruning never adds leaves; the last alpha
    # prunes the tree to its root.
    assert (np.diff(table["leaves"]) <= 0).all()
    assert (
        table["leaves"].iloc[-1] == 1
        and table["leaves"].iloc[0] == diabetes_fit.model.get_n_leaves()
    )
    alpha = table["ccp_alpha"].iloc[3]
    model = DecisionTreeRegressor(random_state=0, ccp_alpha=alpha).fit(X, y)
    assert table["leaves"].iloc[3] == model.get_n_leaves()
    assert table["train"].iloc[3] == pytest.approx(model.score(X, y), abs=1e-12)
    assert f"{len(path.ccp_alphas)} alphas; 6 of them" in sweep.note
    fig = pruning_figure(sweep)
    assert list(fig.data[0].x) == list(table["ccp_alpha"])


def test_pick_evenly_keeps_first_and_last():
    values = np.arange(100)
    picked = refits.pick_evenly(values, 40)
    assert len(picked) == 40 and picked[0] == 0 and picked[-1] == 99
    assert list(refits.pick_evenly(values[:5], 40)) == [0, 1, 2, 3, 4]


def test_importances_are_scikit_learns_and_come_with_the_caveat(iris_fit, iris):
    table = tree_nodes.importance_table(iris_fit)
    model = iris_fit.model
    by_name = dict(zip(iris_fit.feature_names, model.feature_importances_, strict=True))
    for _, row in table.iterrows():
        assert row["importance"] == by_name[row["feature"]]
    assert table["importance"].sum() == pytest.approx(1.0)
    internal = model.tree_.children_left != -1
    assert table["splits"].sum() == internal.sum()
    assert table["importance"].is_monotonic_decreasing
    fig = importance_figure(table)
    assert list(fig.data[0].x) == list(table["importance"][table["importance"] > 0][::-1])
    texts = " ".join(s.text for s in interpret(iris_fit, iris, extract(iris_fit)))
    assert "not learned parameters" in texts and "impurity decrease" in texts


# --- interpretation --------------------------------------------------------------------------
def test_interpretation_uses_the_trees_numbers(iris_fit, iris, diabetes_fit, diabetes):
    learned = extract(iris_fit)
    structure = learned.detail
    texts = [s.text for s in interpret(iris_fit, iris, learned)]
    joined = " ".join(texts)
    assert f"{structure.n_splits} splits and {structure.n_leaves} leaves" in joined
    assert f"{learned.n_parameters} numbers" in joined
    assert f"reached depth {structure.depth}, the max_depth you set" in joined
    root = structure.nodes.loc[0]
    assert f"whether {root['feature_name']} <= {format_number(root['threshold_raw'])}" in joined
    assert "converted back to the features' own units" in joined  # standardised fit

    sentences = interpret(diabetes_fit, diabetes, extract(diabetes_fit))
    train, test = diabetes_fit.metrics.loc["R²", "train"], diabetes_fit.metrics.loc["R²", "test"]
    gap = next(s for s in sentences if "over-fitting" in s.text)
    assert gap.level == "warning" and f"{train:.3f} against {test:.3f}" in gap.text
    nodes = extract(diabetes_fit).detail.nodes
    small = int((nodes["is_leaf"] & (nodes["samples"] < tree_nodes.SMALL_LEAF)).sum())
    assert any(f"{small} of the {int(nodes['is_leaf'].sum())} leaves" in s.text for s in sentences)
    assert any("With no depth limit it grew to depth" in s.text for s in sentences)


def test_a_tree_without_splits_says_so(iris):
    fit = fit_model(FAMILY, "tree_classifier", {"max_depth": 1, "min_samples_split": 1000}, iris)
    learned = extract(fit)
    assert learned.n_parameters == 3  # one leaf, three class fractions
    sentence = next(s for s in interpret(fit, iris, learned) if "made no split" in s.text)
    assert sentence.level == "warning"
    assert tree_drawing.tree_dot(learned.detail).shown == 1
