"""Neural network page: layer widths, activation, alpha and the optimiser set; weights and
biases learned."""

from core.registry import get_family
from ui.families.neural_network import epochs_view, network_panel, network_view
from ui.families.neural_network_refits import capacity_view, seeds_view
from ui.family_page import View, family_page

family_page(
    get_family("neural_network"),
    learned_panel=network_panel,
    views=(
        View("Network", network_view, "every weight and bias, drawn"),
        View("Epochs", epochs_view, "the network after any epoch"),
        View("Seeds", seeds_view, "what the initial weights change"),
        View("Capacity", capacity_view, "width and alpha against the scores"),
    ),
)
