"""Gradient descent page: the learning rate and its schedule, set, against the walk, learned."""

from core.registry import get_family
from ui.families.gradient_descent import descent_view, epochs_view, learned_panel
from ui.family_page import View, family_page

family_page(
    get_family("gradient_descent"),
    learned_panel=learned_panel,
    views=(
        View("Descent", descent_view, "the walk on the loss surface of one feature"),
        View("Epochs", epochs_view, "every coefficient per epoch of scikit-learn's SGD"),
    ),
)
