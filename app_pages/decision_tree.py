"""Decision tree page: depth, leaf sizes and pruning set; splits and leaf values learned."""

from core.registry import get_family
from ui.families.decision_tree import depth_view, importance_view, tree_panel
from ui.family_page import View, family_page

family_page(
    get_family("decision_tree"),
    learned_panel=tree_panel,
    views=(
        View("Depth", depth_view, "depth and pruning against the splits learned"),
        View("Importance", importance_view, "what the splits add up to per feature"),
    ),
)
