"""Linear regression (OLS, ridge, lasso, elastic net): its specs and capabilities in family.py;
its computations are shared with the other linear families in core/linear/."""

from core.families.linear_regression.family import FAMILY

__all__ = ["FAMILY"]
