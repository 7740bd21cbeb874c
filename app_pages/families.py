"""All-families page: every family on one data set, its fit, and complexity against score."""

from ui.families_page import families_page

families_page()
