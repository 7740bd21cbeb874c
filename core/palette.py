"""Colours with a meaning shared across charts: sign of a value, and one colour per class."""

from __future__ import annotations

POSITIVE = "#1f77b4"
NEGATIVE = "#d62728"
ZERO = "#9e9e9e"


CLASS_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")
