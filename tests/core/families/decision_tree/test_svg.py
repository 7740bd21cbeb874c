"""The whole tree as an SVG download (#24): a well-formed file whose nodes are the fitted
tree's own (one box per node of ``tree_``, each split's feature and threshold as plot_tree
writes them), drawn to a bounded depth for a large tree, and with user column names kept as
literal, escaped text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from core.data.prepare import load_dataset, make_dataset
from core.families.decision_tree.structure import tree_structure
from core.families.decision_tree.svg import MOST_SVG_NODES, svg_depth, tree_svg
from core.fitting import fit_model
from core.registry import get_family

TREE = get_family("decision_tree")


def _fit(data, estimator, scale=False, **values):
    setting = {s.name: s.initial for s in TREE.hyperparameters_for(estimator)}
    setting.update(values)
    return fit_model(TREE, estimator, setting, data, scale=scale)


def _texts(svg: bytes) -> list[str]:
    """Every text element of the file (the XML must parse)."""
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


@pytest.mark.parametrize(
    ("dataset_id", "task", "estimator", "scale"),
    [
        ("iris", "classification", "tree_classifier", False),
        ("breast_cancer", "classification", "tree_classifier", True),
        ("diabetes", "regression", "tree_regressor", False),
    ],
)
def test_every_node_of_a_small_tree_is_drawn_with_its_own_split(dataset_id, task, estimator, scale):
    data = load_dataset(dataset_id, task)
    fit = _fit(data, estimator, scale=scale)
    structure = tree_structure(fit)
    picture = tree_svg(fit, structure)
    assert picture.depth is None and picture.file_name == "tree.svg"
    text = "\n".join(_texts(picture.svg))
    tree = fit.model.tree_
    ids = sorted(int(n) for n in re.findall(r"node #(\d+)", text))
    assert ids == list(range(tree.node_count))
    assert text.count("samples = ") == tree.node_count
    for node in np.flatnonzero(tree.children_left != -1):
        name = structure.feature_names[tree.feature[node]]
        # plot_tree's own rounding (precision=3) of the threshold the tree holds.
        assert f"{name} <= {round(float(tree.threshold[node]), 3)}" in text


def test_a_large_tree_is_drawn_to_the_deepest_depth_within_the_bound():
    data = load_dataset("diabetes", "regression")
    fit = _fit(data, "tree_regressor", max_depth=None)
    structure = tree_structure(fit)
    assert structure.n_nodes > MOST_SVG_NODES
    depth = svg_depth(structure)
    depths = structure.nodes["depth"]
    assert (depths <= depth).sum() <= MOST_SVG_NODES < (depths <= depth + 1).sum()
    picture = tree_svg(fit, structure)
    assert picture.depth == depth and picture.file_name == f"tree_to_depth_{depth}.svg"
    text = "\n".join(_texts(picture.svg))
    assert len(re.findall(r"node #\d+", text)) == int((depths <= depth).sum())


def test_user_column_names_stay_literal_text():
    rng = np.random.default_rng(0)
    names = ["$x$", "<b>bold</b>", "a & b"]
    frame = pd.DataFrame(rng.normal(size=(80, 3)), columns=names)
    frame["label"] = np.where(frame["$x$"] + frame["a & b"] > 0, "yes", "no")
    data = make_dataset(frame, "label", "classification", name="odd.csv")
    fit = _fit(data, "tree_classifier", max_depth=2)
    picture = tree_svg(fit, tree_structure(fit))
    text = "\n".join(_texts(picture.svg))  # parses: < and & arrive escaped
    used = {tree_structure(fit).feature_names[f] for f in fit.model.tree_.feature if f >= 0}
    for name in used:
        assert f"{name} <= " in text
    assert b"<b>bold" not in picture.svg


def test_the_familys_own_file_is_the_svg_and_is_made_only_when_asked():
    from core.families.decision_tree.svg import svg_file

    assert TREE.own_file is svg_file
    data = load_dataset("iris", "classification")
    fit = _fit(data, "tree_classifier")
    own = svg_file(fit)
    assert (own.label, own.file_name, own.mime) == ("Whole tree (SVG)", "tree.svg", "image/svg+xml")
    assert own.make() == tree_svg(fit, tree_structure(fit)).svg
    scaled = _fit(data, "tree_classifier", scale=True)
    assert "standard deviations" in svg_file(scaled).help
    assert all(f.own_file is None for f in (get_family("linear_regression"),))
