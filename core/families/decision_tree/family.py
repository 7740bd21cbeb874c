"""The decision-tree family: ``DecisionTreeClassifier`` on classes, ``DecisionTreeRegressor``
on numbers.

What a tree learns, and what this module counts (``n_parameters``):

- for every internal node, one split: the feature it asks about (``tree_.feature``) and the
  threshold (``tree_.threshold``): 2 numbers per split;
- for every leaf, its values (``tree_.value``): a regressor's prediction (1 number), or a
  classifier's class fractions (one per class, as scikit-learn holds them, although they
  sum to 1).

So ``n_parameters = 2 × splits + leaves × (classes, or 1)``. The shape of the tree (which
node is whose child) follows from the order the splits were made and is not counted again;
``feature_importances_`` is computed from the splits after the fit and is not counted at all.

The split criterion: the classifier and the regressor take different criteria with
different scikit-learn defaults (``gini`` and ``squared_error``). One spec with an
``allowed=`` callable cannot express that: ``allowed`` sees the other hyperparameters, not
the estimator, and a spec has one default, which must be scikit-learn's. So there are two
specs of the same name: the family's (the classifier's) and the regressor's own, in its
:class:`~core.family.EstimatorSpec` ``overrides``. The URL key stays ``criterion``; each
page offers only its estimator's valid values, and the remaining refusal (``poisson`` on a
target with negative values) is the sentence of :func:`setting_problem`, the family's
``check``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from core.data.tables import Dataset
from core.families.decision_tree.measures import tree_measures
from core.families.decision_tree.row import tree_row_story
from core.families.decision_tree.structure import (
    IMPORTANCE_CAVEAT,
    SMALL_LEAF,
    TreeStructure,
    importance_table,
    tree_structure,
)
from core.families.decision_tree.svg import svg_file
from core.family import EstimatorSpec, FamilySpec
from core.fit_verdict import fit_verdict_sentence
from core.fitting import FitResult
from core.learned import LearnedParameters, ParameterGroup
from core.specs import ParamSpec
from core.text import Sentence, format_number, plural

# --- hyperparameters ---------------------------------------------------------------------
CRITERION_CLASSIFIER = ParamSpec(
    name="criterion",
    label="criterion (split quality)",
    kind="choice",
    default="gini",
    choices=("gini", "entropy", "log_loss"),
    help="How a split's quality is measured: the drop in Gini impurity, or in entropy "
    "(information gain). 'entropy' and 'log_loss' are the same measure under two names. "
    "The choice rarely changes the tree much.",
)
CRITERION_REGRESSOR = ParamSpec(
    name="criterion",
    label="criterion (split quality)",
    kind="choice",
    default="squared_error",
    # friedman_mse is left out: scikit-learn 1.9 deprecates it as identical to squared_error.
    choices=("squared_error", "absolute_error", "poisson"),
    help="What a split must reduce: squared error (leaves predict the mean), absolute "
    "error (leaves predict the median; slower) or the Poisson deviance (for counts and "
    "rates: needs a target with no negative values).",
)
MAX_DEPTH = ParamSpec(
    name="max_depth",
    label="max_depth (questions in a row)",
    kind="int",
    default=None,
    nullable=True,
    start=3,
    low=1,
    high=100,
    step=1,
    help="The most splits from the root to any leaf. 'none' lets the tree grow until its "
    "leaves are pure or the min_samples settings stop it, which usually over-fits.",
)
MIN_SAMPLES_SPLIT = ParamSpec(
    name="min_samples_split",
    label="min_samples_split",
    kind="int",
    default=2,
    low=2,
    high=1000,
    step=1,
    help="A node is split only if it holds at least this many training rows.",
)
MIN_SAMPLES_LEAF = ParamSpec(
    name="min_samples_leaf",
    label="min_samples_leaf",
    kind="int",
    default=1,
    low=1,
    high=1000,
    step=1,
    help="Every leaf must keep at least this many training rows; larger values smooth the "
    "predictions and stop leaves that describe one or two rows.",
)
MAX_LEAF_NODES = ParamSpec(
    name="max_leaf_nodes",
    label="max_leaf_nodes",
    kind="int",
    default=None,
    nullable=True,
    low=2,
    high=10_000,
    step=1,
    help="Grow the tree best split first until it has this many leaves; 'none' sets no limit.",
)
CCP_ALPHA = ParamSpec(
    name="ccp_alpha",
    label="ccp_alpha (pruning strength)",
    kind="float",
    default=0.0,
    low=0.0,
    step=0.001,
    help="Minimal cost-complexity pruning: after growing, a subtree is cut back when it "
    "lowers the total leaf impurity by less than ccp_alpha per extra leaf. 0 prunes "
    "nothing; larger values give smaller trees. In the criterion's units (target units "
    "squared for squared error).",
)
RANDOM_STATE = ParamSpec(
    name="random_state",
    label="random_state",
    kind="int",
    default=None,
    nullable=True,
    start=0,
    low=0,
    high=2**31 - 1,
    step=1,
    role="optimizer",
    help="The tree tries the features in a random order at every node; when two splits "
    "are equally good, the order decides which is kept. A fixed number makes the tree "
    "reproducible; 'none' draws a new order at every fit.",
)

TREE_PARAMS = (
    "criterion",
    "max_depth",
    "min_samples_split",
    "min_samples_leaf",
    "max_leaf_nodes",
    "ccp_alpha",
    "random_state",
)


def setting_problem(
    estimator_id: str, hyperparameters: dict[str, Any], X_train: pd.DataFrame, y_train: pd.Series
) -> str | None:
    """Why scikit-learn would refuse this setting on these training targets, as a sentence.

    Parameters
    ----------
    estimator_id : str
        ``"tree_classifier"`` or ``"tree_regressor"``.
    hyperparameters : dict
        The values by name.
    X_train : DataFrame
        The training features (unused: the check needs only the targets).
    y_train : Series
        The training targets.

    Returns
    -------
    str or None
        ``None`` when the setting can be fitted. The Poisson criterion needs a target with no
        negative value and a positive sum (scikit-learn raises otherwise).
    """
    if estimator_id != "tree_regressor" or hyperparameters.get("criterion") != "poisson":
        return None
    y = np.asarray(y_train, dtype=float)
    negative = int((y < 0).sum())
    name = y_train.name if y_train.name is not None else "the target"
    if negative:
        return (
            f"The poisson criterion models counts and rates, which are never negative, but "
            f"{negative} of the {len(y)} training values of {name} are (the smallest is "
            f"{format_number(float(y.min()))}). Choose squared_error, or a non-negative "
            "target."
        )
    if y.sum() <= 0:
        return (
            f"The poisson criterion needs some positive values, but every training value of "
            f"{name} is 0. Choose squared_error, or another target."
        )
    return None


# --- learned parameters ------------------------------------------------------------------
def extract(fit: FitResult) -> LearnedParameters:
    """The tree's splits and leaf values as named groups.

    Groups, in node-id order: ``tree_.feature`` (the split feature's column index at each
    internal node), ``tree_.threshold`` (each split's threshold; ``values`` in the features'
    own units, ``fitted`` as the tree holds it) and ``tree_.value`` (each leaf's prediction,
    or its class fractions, shape (leaves, classes)). ``detail`` is the
    :class:`core.families.decision_tree.structure.TreeStructure` with the full node table.
    """
    structure = tree_structure(fit)
    nodes = structure.nodes
    internal = nodes[~nodes["is_leaf"]]
    leaves = nodes[nodes["is_leaf"]]
    split_terms = tuple(f"node {i}: {name}" for i, name in internal["feature_name"].items())
    leaf_terms = tuple(f"leaf {i}" for i in leaves.index)
    if structure.classes is not None:
        fractions = leaves[[f"fraction: {c}" for c in structure.classes]].to_numpy(float)
        leaf_group = ParameterGroup(
            "tree_.value",
            "leaf class fractions",
            fractions,
            (leaf_terms, structure.classes),
        )
    else:
        leaf_group = ParameterGroup(
            "tree_.value",
            f"leaf prediction ({fit.target})",
            leaves["value"].to_numpy(float),
            (leaf_terms,),
        )
    groups = (
        ParameterGroup(
            "tree_.feature",
            "split feature (column index)",
            internal["feature"].to_numpy(float),
            (split_terms,),
        ),
        ParameterGroup(
            "tree_.threshold",
            "split threshold",
            internal["threshold_raw"].to_numpy(float),
            (split_terms,),
            fitted=internal["threshold"].to_numpy(float),
        ),
        leaf_group,
    )
    per_leaf = len(structure.classes) if structure.classes is not None else 1
    notes = [
        f"Counted: a feature and a threshold for each of the {structure.n_splits} splits "
        f"({2 * structure.n_splits}) and {per_leaf} value(s) for each of the "
        f"{plural(structure.n_leaves, 'leaf', 'leaves')} ({per_leaf * structure.n_leaves}): "
        f"{structure.n_parameters} numbers. Which node is whose child follows from the "
        "splits and is not counted again.",
        "A split feature is a column index, a label rather than a quantity. Thresholds are "
        "shown in the features' own units; value_fitted is as the tree holds them "
        "(standardised units when the features are standardised).",
    ]
    if structure.classes is not None:
        notes.append(
            "Leaf values are class fractions, as tree_.value holds them (scikit-learn 1.4 and "
            "later); a leaf's class counts are its fractions times its weighted samples."
        )
    return LearnedParameters(groups=groups, notes=tuple(notes), detail=structure)


SCRIPT_PARAMETERS = """\
# A tree learns a split feature and a threshold at every internal node, and every leaf's
# values: class fractions for a classifier, the prediction for a regressor. Node-id order.
tree = model.tree_
internal = tree.children_left != -1
leaf_values = tree.value[~internal, 0]
learned = {
    "tree_.feature": tree.feature[internal].astype(float).tolist(),
    "tree_.threshold": tree.threshold[internal].tolist(),
    "tree_.value": (leaf_values if hasattr(model, "classes_") else leaf_values[:, 0]).tolist(),
}
"""


# --- interpretation ----------------------------------------------------------------------
def _size_sentence(structure: TreeStructure) -> Sentence:
    per_leaf = (
        f"{len(structure.classes)} class fractions"
        if structure.classes is not None
        else "one prediction"
    )
    return Sentence(
        f"The tree learned {plural(structure.n_splits, 'split')} and "
        f"{plural(structure.n_leaves, 'leaf', 'leaves')}: "
        f"{structure.n_parameters} numbers in all, a feature and a threshold per split and "
        f"{per_leaf} per leaf. Every other number on this page was set, not learned."
    )


def _depth_sentence(structure: TreeStructure) -> Sentence:
    depth, limit = structure.depth, structure.max_depth
    if limit is None:
        return Sentence(
            f"With no depth limit it grew to depth {depth}, until its leaves were pure or "
            "min_samples_split, min_samples_leaf, max_leaf_nodes or ccp_alpha stopped it."
        )
    if depth == limit:
        return Sentence(
            f"It reached depth {depth}, the max_depth you set: the limit stopped it, so a "
            "larger max_depth would grow more splits."
        )
    return Sentence(
        f"It stopped at depth {depth}, below max_depth {limit}: its leaves were pure or the "
        "other settings stopped it first, so raising max_depth changes nothing."
    )


def _root_sentence(structure: TreeStructure, target: str) -> Sentence:
    nodes = structure.nodes
    root = nodes.loc[0]
    if root["is_leaf"]:
        what = (
            f"class {root['prediction']}"
            if structure.classes is not None
            else format_number(root["value"])
        )
        return Sentence(
            f"The tree made no split: it predicts {what} for every row.", level="warning"
        )
    left, right = nodes.loc[int(root["left"])], nodes.loc[int(root["right"])]
    text = (
        f"The first split asks whether {root['feature_name']} <= "
        f"{format_number(root['threshold_raw'])}: {int(left['samples'])} training rows "
        f"answer yes (left) and {int(right['samples'])} no (right)."
    )
    if structure.classes is not None:
        sides = []
        for side in (left, right):
            majority = side["prediction"]
            sides.append(f"{side['fraction: ' + majority]:.0%} {majority}")
        text += f" The yes side is {sides[0]}, the no side {sides[1]}."
    else:
        text += (
            f" Their mean {target} is {format_number(left['value'])} on the yes side and "
            f"{format_number(right['value'])} on the no side."
        )
    return Sentence(text)


def _gap_sentence(fit: FitResult, dataset: Dataset) -> Sentence:
    score = "accuracy" if dataset.task == "classification" else "R²"
    train = float(fit.metrics.loc[score, "train"])
    if fit.in_sample:
        return Sentence(
            f"Training {score} is {train:.3f}, but with no test rows it is in-sample only: a "
            "deep enough tree scores perfectly on the rows it was grown on whatever it "
            "would do on new ones."
        )
    return fit_verdict_sentence(
        fit,
        "splits that follow noise in the training rows open such a gap, and a smaller "
        "max_depth, a larger min_samples_leaf or some ccp_alpha usually narrows it",
    )


def interpret(fit: FitResult, dataset: Dataset, learned: LearnedParameters) -> list[Sentence]:
    """Sentences about the fitted tree, with the user's numbers.

    Covers its size against the count of learned numbers, its depth against ``max_depth``,
    the first split, the train-test gap (over-fitting), leaves resting on very few rows,
    the most important feature (with the caveat that importances are computed, not
    learned) and that standardising changes nothing for a tree.
    """
    structure: TreeStructure = learned.detail
    out = [_size_sentence(structure), _depth_sentence(structure)]
    out.append(_root_sentence(structure, fit.target))
    out.append(_gap_sentence(fit, dataset))
    leaves = structure.nodes[structure.nodes["is_leaf"]]
    small = leaves[leaves["samples"] < SMALL_LEAF]
    if len(small) and structure.n_splits:
        out.append(
            Sentence(
                f"{len(small)} of the {structure.n_leaves} leaves hold fewer than {SMALL_LEAF} "
                f"training rows (the smallest holds {int(small['samples'].min())}): their "
                "predictions rest on a handful of rows. min_samples_leaf sets a floor.",
                level="warning",
            )
        )
    if structure.n_splits:
        top = importance_table(fit).iloc[0]
        out.append(
            Sentence(
                f"{top['feature']} carries {top['importance']:.0%} of the feature importance "
                f"({int(top['splits'])} of the {structure.n_splits} splits). " + IMPORTANCE_CAVEAT
            )
        )
    if "scale" in fit.pipeline.named_steps:
        out.append(
            Sentence(
                "Standardising does not change a tree's predictions: a split only compares "
                "values of one feature. The thresholds shown are converted back to the "
                "features' own units."
            )
        )
    return out


def leaf_count(fit: FitResult, dataset: Dataset) -> float:
    """The tree's effective number of parameters: its leaves."""
    return float(fit.model.get_n_leaves())


FAMILY = FamilySpec(
    id="decision_tree",
    title="Decision tree",
    icon=":material/account_tree:",
    tasks=("classification", "regression"),
    summary="A cascade of yes/no questions on one feature at a time; max_depth sets how "
    "many in a row, and the tree learns which questions and the answers at the leaves.",
    estimators=(
        EstimatorSpec(
            "tree_classifier",
            "Decision tree classifier",
            DecisionTreeClassifier,
            TREE_PARAMS,
            "chooses the splits that make the classes in each node purest; a leaf predicts "
            "its majority class.",
            task="classification",
        ),
        EstimatorSpec(
            "tree_regressor",
            "Decision tree regressor",
            DecisionTreeRegressor,
            TREE_PARAMS,
            "chooses the splits that most reduce the error; a leaf predicts its rows' mean.",
            task="regression",
            overrides=(CRITERION_REGRESSOR,),
        ),
    ),
    hyperparameters=(
        CRITERION_CLASSIFIER,
        MAX_DEPTH,
        MIN_SAMPLES_SPLIT,
        MIN_SAMPLES_LEAF,
        MAX_LEAF_NODES,
        CCP_ALPHA,
        RANDOM_STATE,
    ),
    learned="tree_.feature and tree_.threshold (a split at every internal node) and "
    "tree_.value (each leaf's class fractions or prediction)",
    default_dataset="iris",
    extract=extract,
    interpret=interpret,
    script_parameters=SCRIPT_PARAMETERS,
    default_estimator="tree_classifier",
    scale_default=False,
    check=setting_problem,
    capacity="max_depth",
    steering="Randomness only (which of equally good splits is kept)",
    effective_parameters=leaf_count,
    sweep_measures=tree_measures,
    effective_definition="the number of leaves: a tree with L leaves fits L constants "
    "(Hastie et al., The Elements of Statistical Learning, section 9.2)",
    explain_row=tree_row_story,
    own_file=svg_file,
)
