"""One row through a fitted tree: each question on its path (feature, threshold in the
feature's own units, the row's value, the answer) down to the leaf whose stored value is
the prediction (``tree_.value``: class fractions or the mean of the leaf's rows)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.data.tables import Dataset
from core.families.decision_tree.drawing import path_dot
from core.families.decision_tree.structure import row_path_table, tree_structure
from core.fitting import FitResult
from core.row_story import (
    RowStory,
    StoryMetric,
    StoryTable,
    model_input,
    model_rows,
    probability_series,
)
from core.text import format_number


def _changes(before: RowStory, after: RowStory) -> list[str]:
    """Whether the path moved: the first question answered differently, and the leaf."""
    b, a = list(before.trace.get("path", ())), list(after.trace.get("path", ()))
    if not b or not a:
        return []
    if a == b:
        return [f"The path did not move: the row still ends in leaf {a[-1]}."]
    fork = next(i for i, (x, y) in enumerate(zip(b, a, strict=False)) if x != y)
    node = a[fork - 1]
    question = after.trace["questions"].get(node, f"node {node}")
    return [
        f"The path moved at node {node} ({question}): the answer changed, so the row now "
        f"goes to node {a[fork]} instead of {b[fork]} and ends in leaf {a[-1]} instead of "
        f"leaf {b[-1]}."
    ]


def tree_row_story(fit: FitResult, dataset: Dataset, row: pd.DataFrame) -> RowStory:
    """The path of one row through the fitted tree, and its leaf.

    Parameters
    ----------
    fit : FitResult
        A fitted tree page.
    dataset : Dataset
        The data it was fitted on.
    row : DataFrame of one row
        The features in their own units (edits applied).
    """
    model = fit.model
    structure = tree_structure(fit)
    path = row_path_table(fit, row)
    nodes = path["node"].astype(int).tolist()
    z = model_input(fit.pipeline, row)
    prediction = model.predict(model_rows(model, np.asarray(z, dtype=float)))[0]
    proba = probability_series(model, np.asarray(z, dtype=float))
    leaf_id = nodes[-1]
    leaf = structure.nodes.loc[leaf_id]
    if structure.classes is not None:
        share = leaf[f"fraction: {leaf['prediction']}"]
        leaf_text = (
            f"Leaf {leaf_id} holds {int(leaf['samples'])} training rows, {share:.0%} of them "
            f"{leaf['prediction']}: its majority class is the prediction, and its class "
            "fractions are predict_proba."
        )
    else:
        leaf_text = (
            f"Leaf {leaf_id} holds {int(leaf['samples'])} training rows; their mean, "
            f"{format_number(leaf['value'])}, is the prediction."
        )
    questions = {
        int(r["node"]): f"{r['feature_name']} <= {format_number(r['threshold_raw'])}"
        for _, r in path.iloc[:-1].iterrows()
    }
    steps = [
        f"{q}? the row has {format_number(v)}: {'yes' if g.startswith('left') else 'no'}"
        for q, v, g in zip(
            questions.values(), path["row_value"].iloc[:-1], path["goes"].iloc[:-1], strict=True
        )
    ]
    sentences = (
        "Each split asks one question about one feature, and the leaf it ends in gives the "
        "prediction" + (": " + "; ".join(steps) + "." if steps else ": the tree is a single leaf."),
        leaf_text,
    )
    table = path.rename(
        columns={
            "feature_name": "feature",
            "threshold_raw": "threshold",
            "row_value": "row's value",
        }
    )
    drawing = path_dot(structure, nodes)
    return RowStory(
        prediction=prediction if structure.classes is not None else float(prediction),
        probabilities=proba,
        sentences=sentences,
        tables=(
            StoryTable(
                "The path: each question, the row's value, the answer",
                table,
                "Thresholds and values in the features' own units; a row goes left (yes) "
                "when its value is at most the threshold.",
            ),
        ),
        dot=drawing.dot,
        metrics=(StoryMetric("Questions asked", len(nodes) - 1, "Splits on this row's path."),),
        trace={"path": tuple(nodes), "questions": questions},
        changes=_changes,
        method="A tree sends the row down from the root: at each split, left when the value "
        "is at most the threshold (tree_.feature, tree_.threshold), to a leaf whose "
        "tree_.value is the prediction (scikit-learn's user guide, 'Decision Trees').",
    )
