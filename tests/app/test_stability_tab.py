"""The Stability tab is there exactly when the family names terms to resample."""

from __future__ import annotations

import dataclasses

from core.registry import LINEAR_REGRESSION
from ui.family_page import shared_views


def _labels(family) -> list[str]:
    return [view.label for view in shared_views(family, ())]


def test_the_stability_tab_follows_resampled_terms():
    assert "Stability" in _labels(LINEAR_REGRESSION)
    without = dataclasses.replace(LINEAR_REGRESSION, resampled_terms=None)
    assert "Stability" not in _labels(without)
