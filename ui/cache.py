"""Cached wrappers around core, the only place results are cached.

Every cache is bounded (Community Cloud gives an app about 1 GB). Large inputs are passed as
underscore arguments, which Streamlit does not hash; a short key string identifies them.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.data.prepare import load_table, make_dataset, target_candidates
from core.data.tables import Dataset, Table, Task
from core.data.uploads import read_csv_upload
from core.fitting import FitResult, fit_model, single_blas_thread
from core.registry import get_family
from core.setting import Setting


@st.cache_data(max_entries=16, show_spinner=False)
def cached_table(dataset_id: str, seed: int, options: tuple[tuple[str, Any], ...]) -> Table:
    """A built-in or generated table; generated ones depend on the seed and options."""
    return load_table(dataset_id, seed=seed, **dict(options))


@st.cache_data(max_entries=2, show_spinner="Reading the file…")
def cached_upload(file_key: str, filename: str, _data: bytes) -> Table:
    """A parsed upload, keyed by the uploader's file id (a new upload gets a new id)."""
    return read_csv_upload(_data, filename)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_target_candidates(data_key: str, task: Task, _table: Table) -> list[str]:
    """Columns of a table that can be the target for a task (checks every column)."""
    return target_candidates(_table.frame, task)


@st.cache_data(max_entries=8, show_spinner=False)
def cached_dataset(data_key: str, target: str, task: Task, name: str, _table: Table) -> Dataset:
    """Features and target prepared from a table for a task."""
    return make_dataset(
        _table.frame,
        target,
        task,
        name=name,
        description=_table.description,
        notes=_table.notes,
        true_coef=_table.true_coef if target == _table.default_target else None,
        true_intercept=_table.true_intercept if target == _table.default_target else None,
    )


@st.cache_data(max_entries=64, show_spinner="Fitting…")
def cached_fit(key: Setting, _dataset: Dataset, _budget: float | None = None) -> FitResult:
    """One fit, keyed by the data and every value that defines it.

    Changing one hyperparameter refits only that model; returning to an earlier setting is
    a cache hit. Fits hold row positions, not data, so 64 entries stay small. The fit runs
    with one BLAS thread: small fits gain nothing from more, and on a busy machine (several
    sessions, a shared host) threads make them several times slower and their timing (which
    decides what waits for a click) random. ``_budget`` (seconds; not part of the key: the
    fit is the same) makes a fit that would take longer raise ``FitTooSlow`` instead.
    """
    with single_blas_thread():
        return fit_model(
            get_family(key.family_id),
            key.estimator_id,
            key.values,
            _dataset,
            **key.split_settings(),
            budget=_budget,
        )


@st.cache_data(max_entries=64, show_spinner=False)
def cached_warm_fit_seconds(fit_key: Setting, _dataset: Dataset) -> float:
    """A second, warm timing of a fit (the first fit of a fresh process also pays for
    imports and thread pools), to estimate how long many refits will take."""
    with single_blas_thread():
        fit = fit_model(
            get_family(fit_key.family_id),
            fit_key.estimator_id,
            fit_key.values,
            _dataset,
            **fit_key.split_settings(),
        )
    return fit.fit_seconds


def clear_caches() -> None:
    """Empty every cache of the app, the family modules' own included (tests call this
    between app runs)."""
    st.cache_data.clear()
    st.cache_resource.clear()
