"""A link that sets a hyperparameter to ``none`` opens that model, and the page's own
Reproduce link opens it again in a fresh session: for every family page, the learned
parameters the page offers for download equal a direct scikit-learn fit.

A fit with ``random_state=None`` draws from NumPy's global generator, so the test seeds it
before the page fits and before the direct fit: the same draws then make the same model,
which a page that quietly fitted ``random_state=0`` instead would not.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, LogisticRegression, SGDRegressor
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from threadpoolctl import threadpool_limits

from core.data.prepare import load_dataset
from core.registry import FAMILIES, get_family
from core.setting_file import setting_json
from ui.cache import clear_caches

#: The global NumPy seed set before every fit that may draw from it.
GLOBAL_SEED = 12345


@dataclass(frozen=True)
class Case:
    """A link to a family page and the scikit-learn model it should fit."""

    family_id: str
    dataset: str
    task: str
    link: dict[str, str]
    model: Callable[[], Any]
    scale: bool
    #: The link's values that mean ``None``, by key.
    nones: tuple[str, ...] = field(default=())
    seed: int = 0
    test_size: float = 0.25


CASES = [
    # The link: the unlimited tree, not the page's start value of 3.
    Case(
        "decision_tree",
        "breast_cancer",
        "classification",
        {"dataset": "breast_cancer", "seed": "1", "max_depth": "none"},
        lambda: DecisionTreeClassifier(max_depth=None, random_state=0),
        scale=False,
        nones=("max_depth",),
        seed=1,
    ),
    # Every nullable value of the tree at once, in each spelling a hand-written link may use.
    Case(
        "decision_tree",
        "diabetes",
        "regression",
        {
            "dataset": "diabetes",
            "max_depth": "None",
            "max_leaf_nodes": "",
            "random_state": "NONE",
            "min_samples_leaf": "3",
            "min_samples_split": "4",
        },
        lambda: DecisionTreeRegressor(
            max_depth=None,
            max_leaf_nodes=None,
            random_state=None,
            min_samples_leaf=3,
            min_samples_split=4,
        ),
        scale=False,
        nones=("max_depth", "max_leaf_nodes", "random_state"),
    ),
    # Every value that shapes the fit is in the link, so the case holds whatever the page
    # starts from; shuffle=false makes random_state=None draw nothing.
    Case(
        "gradient_descent",
        "diabetes",
        "regression",
        {
            "tol": "none",
            "random_state": "none",
            "learning_rate": "constant",
            "eta0": "0.005",
            "max_iter": "40",
            # Shuffled, so random_state=None is read (draws from the global generator).
            "shuffle": "true",
        },
        lambda: SGDRegressor(
            learning_rate="constant",
            eta0=0.005,
            max_iter=40,
            tol=None,
            shuffle=True,
            random_state=None,
        ),
        scale=True,
        nones=("tol", "random_state"),
    ),
    Case(
        "neural_network",
        "iris",
        "classification",
        {
            "random_state": "none",
            "hidden_layer_sizes": "5",
            "alpha": "0.01",
            "learning_rate_init": "0.01",
            "max_iter": "500",
        },
        lambda: MLPClassifier(
            hidden_layer_sizes=(5,),
            alpha=0.01,
            learning_rate_init=0.01,
            max_iter=500,
            random_state=None,
        ),
        scale=True,
        nones=("random_state",),
    ),
    # The pages with no nullable value: a couple of values away from the start.
    Case(
        "linear_regression",
        "diabetes",
        "regression",
        {"estimator": "lasso", "alpha": "0.5", "max_iter": "5000"},
        lambda: Lasso(alpha=0.5, max_iter=5000),
        scale=True,
    ),
    Case(
        "logistic_regression",
        "breast_cancer",
        "classification",
        {"C": "0.5", "class_weight": "balanced", "seed": "3"},
        lambda: LogisticRegression(C=0.5, l1_ratio=0.0, class_weight="balanced"),
        scale=True,
        seed=3,
    ),
    Case(
        "nearest_neighbors",
        "iris",
        "classification",
        {"n_neighbors": "7", "weights": "distance"},
        lambda: KNeighborsClassifier(n_neighbors=7, weights="distance"),
        scale=True,
    ),
]


def test_every_family_page_and_nullable_value_has_a_case():
    assert {c.family_id for c in CASES} == {f.id for f in FAMILIES}
    nullable = {(f.id, s.name) for f in FAMILIES for s in f.every_hyperparameter() if s.nullable}
    assert {(c.family_id, name) for c in CASES for name in c.nones} == nullable


def direct_fit(case: Case) -> Any:
    """The model fitted by scikit-learn alone, on the page's training rows: a (stratified)
    ``train_test_split`` of the row positions, standardised on the training rows."""
    data = load_dataset(case.dataset, case.task)
    stratify = data.y if case.task == "classification" else None
    train, _ = train_test_split(
        np.arange(len(data.y)),
        test_size=case.test_size,
        random_state=case.seed,
        stratify=stratify,
    )
    steps = [("scale", StandardScaler())] if case.scale else []
    pipeline = Pipeline([*steps, ("model", case.model())])
    np.random.seed(GLOBAL_SEED)  # noqa: NPY002 (None draws from the global generator)
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipeline.fit(data.X.iloc[train], data.y.iloc[train])
    return pipeline.named_steps["model"]


def fitted_values(model: Any, group: str) -> np.ndarray:
    """A group of the parameters file, read from a scikit-learn model by its attribute
    name: ``coef_``, ``coefs_[1]``; a tree's splits at its inner nodes, values at leaves."""
    if group.startswith("tree_."):
        tree = model.tree_
        inner = tree.children_left != -1
        values = getattr(tree, group.removeprefix("tree_."))
        return values[inner] if group != "tree_.value" else values[~inner].ravel()
    indexed = re.fullmatch(r"(\w+)\[(\d+)\]", group)
    if indexed:
        return np.ravel(getattr(model, indexed[1])[int(indexed[2])])
    return np.ravel(getattr(model, group))


def open_fresh(open_page, page: str, query: dict[str, str]):
    """A new session on the page with this query, fitting afresh (caches emptied, the
    global generator seeded)."""
    clear_caches()
    np.random.seed(GLOBAL_SEED)  # noqa: NPY002 (None draws from the global generator)
    return open_page(page, **query)


def reproduce(at, open_tab, downloads, stem: str) -> tuple[dict[str, str], pd.DataFrame]:
    """The page's Reproduce link (as a query) and its learned-parameters file."""
    open_tab(at, "Reproduce")
    link = next(c.value for c in at.code if "?" in c.value and "\n" not in c.value)
    query = dict(parse_qsl(link.split("?", 1)[1], keep_blank_values=True))
    return query, pd.read_csv(io.BytesIO(downloads[f"{stem}_parameters.csv"]))


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c.family_id}-{'&'.join(map('='.join, c.link.items()))}" for c in CASES]
)
def test_a_link_opens_the_fit_it_names_and_the_pages_link_opens_it_again(
    open_page, open_tab, downloads, case
):
    family = get_family(case.family_id)
    at = open_fresh(open_page, family.page_path, case.link)
    assert not [w.value for w in at.warning if "link" in w.value.lower()]
    specs = {s.name: s for s in family.every_hyperparameter()}
    for name in case.nones:
        assert at.number_input(key=name).value is None, name
        # The address bar says none (or nothing, where none is where the page starts).
        expected = None if specs[name].initial is None else "none"
        assert at.query_params.get(name) == expected, name
    address = dict(at.query_params)

    stem = f"{family.id}_{case.dataset}"
    share, learned = reproduce(at, open_tab, downloads, stem)
    # The Reproduce link and the address bar agree on every value the link holds.
    assert {k: address.get(k) for k in share} == share
    for name in case.nones:
        if specs[name].initial is not None:
            assert share[name] == "none"

    # The page's learned parameters are those of scikit-learn's own fit.
    model = direct_fit(case)
    groups = list(dict.fromkeys(learned["group"]))
    assert groups == [g for g in groups if g]  # every row names its attribute
    assert len(learned) == sum(fitted_values(model, g).size for g in groups)
    for group, rows in learned.groupby("group", sort=False):
        np.testing.assert_allclose(
            rows["value_fitted"].to_numpy(), fitted_values(model, group), rtol=1e-9, atol=1e-12
        )
    if hasattr(model, "tree_"):
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["Depth"] == str(model.get_depth())
        assert metrics["Leaves"] == str(model.get_n_leaves())

    # The page's own link, opened in a fresh session, fits the same model.
    again = open_fresh(open_page, family.page_path, share)
    for name in case.nones:
        assert again.number_input(key=name).value is None, name
    reopened_share, relearned = reproduce(again, open_tab, downloads, stem)
    assert reopened_share == share
    pd.testing.assert_frame_equal(relearned, learned)


def test_emptying_a_box_writes_none_to_the_link_and_the_start_value_leaves_it(open_page):
    at = open_page(get_family("decision_tree").page_path, dataset="breast_cancer", seed="1")
    assert at.number_input(key="max_depth").value == 3
    assert "max_depth" not in at.query_params
    at.number_input(key="max_depth").set_value(None).run()
    assert at.query_params["max_depth"] == "none"
    unlimited = {m.label: m.value for m in at.metric}
    at.number_input(key="max_depth").set_value(3).run()
    assert "max_depth" not in at.query_params
    # A link the page has not written (a pasted address) moves the box again.
    at.query_params["max_depth"] = "NONE"
    at.run()
    assert at.number_input(key="max_depth").value is None
    assert at.query_params["max_depth"] == "none"
    assert {m.label: m.value for m in at.metric} == unlimited


def test_none_on_one_page_does_not_leak_to_the_same_key_on_another(open_page):
    at = open_page(get_family("decision_tree").page_path, random_state="none")
    assert at.number_input(key="random_state").value is None
    at.query_params.clear()
    at.switch_page(get_family("neural_network").page_path).run()
    assert not at.exception
    network = get_family("neural_network")
    start = next(s.initial for s in network.every_hyperparameter() if s.name == "random_state")
    assert at.number_input(key="random_state").value == start
    assert "random_state" not in at.query_params


def test_a_setting_file_with_null_opens_none_and_the_link_says_none(open_page):
    tree = get_family("decision_tree")
    at = open_page(tree.page_path, dataset="breast_cancer", seed="1", view="Reproduce")
    document = setting_json(
        tree.id, {"dataset": "breast_cancer", "seed": 1, "max_depth": None, "random_state": 0}
    )
    at.file_uploader(key="setting_file").set_value(
        ("s.json", document.encode(), "application/json")
    ).run()
    assert not at.exception
    assert any("Loaded the setting" in i.value for i in at.info)
    assert at.number_input(key="max_depth").value is None
    assert at.query_params["max_depth"] == "none"
    model = direct_fit(CASES[0])  # the same fit as the link
    assert {m.label: m.value for m in at.metric}["Depth"] == str(model.get_depth())
