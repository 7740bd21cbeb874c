"""The model-family registry: it only collects the family modules of ``core/families``.

Widgets, URL keys, fitting, parameter extraction and tests are generated from the specs;
pages look a family up by its stable id and never branch on it.
"""

from __future__ import annotations

from core.data.tables import Task
from core.families import (
    decision_tree,
    gradient_descent,
    linear_regression,
    logistic_regression,
    nearest_neighbors,
    neural_network,
)
from core.family import EstimatorSpec, FamilySpec

LINEAR_REGRESSION = linear_regression.FAMILY
LOGISTIC_REGRESSION = logistic_regression.FAMILY

#: The families with a page, in navigation order.
FAMILIES: tuple[FamilySpec, ...] = (
    LINEAR_REGRESSION,
    LOGISTIC_REGRESSION,
    neural_network.FAMILY,
    decision_tree.FAMILY,
    nearest_neighbors.FAMILY,
    gradient_descent.FAMILY,
)
#: Every family spec, including any whose page is still being built (not in navigation).
ALL_FAMILIES: tuple[FamilySpec, ...] = FAMILIES


def get_family(family_id: str) -> FamilySpec:
    """Return the family with this id; raise ``KeyError`` if there is none."""
    for family in ALL_FAMILIES:
        if family.id == family_id:
            return family
    raise KeyError(f"no model family {family_id!r}")


__all__ = ["ALL_FAMILIES", "FAMILIES", "EstimatorSpec", "FamilySpec", "Task", "get_family"]
