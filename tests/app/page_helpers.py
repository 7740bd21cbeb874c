"""Helpers the AppTest files share: read a page's tables, and make the fit a page makes."""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
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


def column_settings(at: Any, column: str) -> dict[str, dict[str, Any]]:
    """The ``column_config`` of the first table with this column, by column name."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return json.loads(frame.proto.columns or "{}")
    raise AssertionError(f"no table with a {column!r} column")


def shown_columns(at: Any, column: str) -> list[str]:
    """The headers a user sees at first in the table with this column, in order: the
    table's ``column_order`` and column settings reorder, relabel and hide columns (a
    hidden column stays in the data, behind the table's column menu)."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            config = json.loads(frame.proto.columns or "{}")
            order = list(frame.proto.column_order) or list(frame.value.columns)
            return [
                config.get(name, {}).get("label") or name
                for name in order
                if not config.get(name, {}).get("hidden")
            ]
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


def decode(value: Any) -> np.ndarray:
    """A plotly array from a chart's spec as numpy: plain lists, or the base64
    ``{"dtype", "bdata"[, "shape"]}`` Streamlit sends numbers as."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            shape = value["shape"]
            shape = [int(s) for s in shape.split(",")] if isinstance(shape, str) else shape
            array = array.reshape(shape)
        return array
    return np.asarray(value)
