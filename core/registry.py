"""The model-family registry: it only collects the family packages of ``core/families``.

Widgets, URL keys, fitting, parameter extraction and tests are generated from the specs;
pages look a family up by its stable id and never branch on it.
"""

from __future__ import annotations

from importlib import import_module

from core.family import FamilySpec

#: The family packages (``core/families/<name>``, each exporting ``FAMILY``) with a page,
#: in navigation order. A new family is one more line here.
PACKAGES: tuple[str, ...] = (
    "linear_regression",
    "logistic_regression",
    "neural_network",
    "decision_tree",
    "nearest_neighbors",
    "gradient_descent",
)

#: The families with a page, in navigation order.
FAMILIES: tuple[FamilySpec, ...] = tuple(
    import_module(f"core.families.{package}").FAMILY for package in PACKAGES
)
#: Every family spec, including any whose page is still being built (not in navigation).
ALL_FAMILIES: tuple[FamilySpec, ...] = FAMILIES


def get_family(family_id: str) -> FamilySpec:
    """Return the family with this id; raise ``KeyError`` if there is none."""
    for family in ALL_FAMILIES:
        if family.id == family_id:
            return family
    raise KeyError(f"no model family {family_id!r}")


#: The linear families by name, for the tests and benchmarks that import them from here.
LINEAR_REGRESSION = get_family("linear_regression")
LOGISTIC_REGRESSION = get_family("logistic_regression")

__all__ = ["ALL_FAMILIES", "FAMILIES", "PACKAGES", "get_family"]
