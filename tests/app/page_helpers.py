"""Helpers the AppTest files share: read a page's tables, and make the fit a page makes."""

from __future__ import annotations

from typing import Any

import pandas as pd

from core.data.prepare import load_dataset
from core.data.tables import Dataset
from core.family import FamilySpec
from core.fitting import FitResult, fit_model


def frame_with(at: Any, column: str) -> pd.DataFrame:
    """The first table on the page with this column."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")


def page_fit(
    family: FamilySpec, dataset: str, task: str, estimator: str, scale: bool, **values: Any
) -> tuple[Dataset, FitResult]:
    """The fit a family page makes for a setting: the page's initial values, then ``values``."""
    data = load_dataset(dataset, task)
    setting = {s.name: s.initial for s in family.hyperparameters_for(estimator)}
    setting.update(values)
    return data, fit_model(family, estimator, setting, data, scale=scale)


def run_if_asked(at: Any) -> Any:
    """Click "Run it" wherever a view waits because its work looks long (which depends on
    how busy the machine is), until none is left; return the app."""
    for button in at.button:
        if button.label.startswith("Run it"):
            button.click().run()
            return run_if_asked(at)
    return at
