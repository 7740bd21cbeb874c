"""The model-family registry: it only collects the family packages of ``core/families``.

Widgets, URL keys, fitting, parameter extraction and tests are generated from the specs;
pages look a family up by its stable id and never branch on it.
"""

from __future__ import annotations

from core.families.decision_tree import FAMILY as DECISION_TREE
from core.families.gradient_descent.family import FAMILY as GRADIENT_DESCENT
from core.families.linear_regression.family import FAMILY as LINEAR_REGRESSION
from core.families.logistic_regression.family import FAMILY as LOGISTIC_REGRESSION
from core.families.nearest_neighbors.family import FAMILY as NEAREST_NEIGHBORS
from core.families.neural_network.family import FAMILY as NEURAL_NETWORK
from core.family import FamilySpec

#: The families with a page, in navigation order.
FAMILIES: tuple[FamilySpec, ...] = (
    LINEAR_REGRESSION,
    LOGISTIC_REGRESSION,
    NEURAL_NETWORK,
    DECISION_TREE,
    NEAREST_NEIGHBORS,
    GRADIENT_DESCENT,
)
#: Every family spec, including any whose page is still being built (not in navigation).
ALL_FAMILIES: tuple[FamilySpec, ...] = FAMILIES


def get_family(family_id: str) -> FamilySpec:
    """Return the family with this id; raise ``KeyError`` if there is none."""
    for family in ALL_FAMILIES:
        if family.id == family_id:
            return family
    raise KeyError(f"no model family {family_id!r}")


__all__ = ["ALL_FAMILIES", "FAMILIES", "get_family"]
