"""What a sweep shows moving in a tree: how many questions it asks, its leaves, its depth."""

from __future__ import annotations

from core.fitting import FitResult


def tree_measures(fit: FitResult) -> dict[str, float]:
    """The fitted tree's ``splits`` (internal nodes), ``leaves`` and ``depth``: the tree
    family's ``sweep_measures``."""
    model = fit.model
    leaves = int(model.get_n_leaves())
    return {
        "splits": float(model.tree_.node_count - leaves),
        "leaves": float(leaves),
        "depth": float(model.get_depth()),
    }
