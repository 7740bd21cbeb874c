"""Capacity page: bias and variance from refits, and double descent."""

from ui.capacity_page import capacity_page

capacity_page()
