"""Nearest-neighbours page: k, weights and distance set; nothing learned, the rows stored."""

from core.registry import get_family
from ui.families.nearest_neighbors import k_view, neighbors_panel, speed_view
from ui.family_page import View, family_page

family_page(
    get_family("nearest_neighbors"),
    learned_panel=neighbors_panel,
    views=(
        View("K", k_view, "how k moves the regions and the scores"),
        View("Speed", speed_view, "algorithm and leaf_size: speed, never the answer"),
    ),
)
