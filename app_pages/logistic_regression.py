"""Logistic regression page: C, the L1/L2 mix and the solver, set versus learned."""

from core.registry import get_family
from ui.families.logistic_regression import boundary_view
from ui.family_page import View, family_page
from ui.linear.panels import classifier_panel

family_page(
    get_family("logistic_regression"),
    learned_panel=classifier_panel,
    views=(View("Boundary", boundary_view, "a two-feature model's line, at other C too"),),
)
