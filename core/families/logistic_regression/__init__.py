"""Logistic regression: its specs and capabilities in family.py; its computations are shared
with the other linear families in core/linear/."""

from core.families.logistic_regression.family import FAMILY

__all__ = ["FAMILY"]
