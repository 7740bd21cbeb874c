"""Linear regression page: OLS, Ridge, Lasso and elastic net, set versus learned."""

from core.registry import get_family
from ui.family_page import family_page
from ui.linear.panels import regression_panel

family_page(get_family("linear_regression"), learned_panel=regression_panel)
