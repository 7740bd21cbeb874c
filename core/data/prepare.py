"""Data sets: a registry of built-in and generated sets, and turning any table into X and y.

Every data set, built-in or uploaded, goes through :func:`make_dataset`, so the cleaning rules
(what is dropped, encoded, imputed or refused, and why) are the same everywhere.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from core.data.catalogue import get_dataset_spec
from core.data.tables import (
    MAX_CATEGORIES,
    MAX_CLASSES,
    MAX_FEATURES,
    NUMERIC_SHARE,
    DataError,
    Dataset,
    Table,
    Task,
)

#: Most feature cells (rows x features) after encoding: 10 million floats are 80 MB, which
#: keeps a few cached data sets inside Community Cloud's memory.
MAX_CELLS = 10_000_000


def load_table(dataset_id: str, seed: int = 0, **options: Any) -> Table:
    """Load or generate a registered data set.

    Parameters
    ----------
    dataset_id : str
        A registry id (not ``"upload"``).
    seed : int
        Random state for generated sets (ignored by fixed ones).
    **options
        Generator controls, validated against the spec's option specs.

    Raises
    ------
    DataError
        If an option is invalid.
    """
    spec = get_dataset_spec(dataset_id)
    values = {}
    for option in spec.options:
        try:
            values[option.name] = option.validate(options.get(option.name, option.default))
        except ValueError as exc:
            raise DataError(str(exc)) from None
    return spec.loader(seed=seed, **values)


def target_problem(frame: pd.DataFrame, column: str, task: Task) -> str | None:
    """Why ``column`` cannot be the target for ``task``, as a sentence; ``None`` if it can."""
    try:
        _prepare_target(frame, column, task, [])
    except DataError as exc:
        return str(exc)
    return None


def target_candidates(frame: pd.DataFrame, task: Task) -> list[str]:
    """Columns that can serve as the target for ``task``, in table order.

    Regression needs a column of numbers with at least three distinct values; classification
    a column with 2 to ``MAX_CLASSES`` classes, each with at least two rows.
    """
    return [str(c) for c in frame.columns if target_problem(frame, str(c), task) is None]


def _as_numeric(column: pd.Series) -> pd.Series | None:
    """Read a text column as numbers if nearly all of its cells are numbers, else None."""
    present = column.dropna()
    if present.empty:
        return None
    parsed = pd.to_numeric(present.astype(str).str.strip(), errors="coerce")
    if parsed.notna().mean() < NUMERIC_SHARE:
        return None
    return pd.to_numeric(column.astype("string").str.strip(), errors="coerce").astype(float)


def _prepare_target(frame: pd.DataFrame, target: str, task: Task, notes: list[str]) -> pd.Series:
    if target not in frame.columns:
        raise DataError(f"There is no column named {target!r} to predict.")
    y = frame[target]
    if y.isna().all():
        raise DataError(f"The target column {target!r} is empty.")
    if task == "regression":
        if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
            converted = _as_numeric(y)
            if converted is None:
                raise DataError(
                    f"The target {target!r} holds text, and regression predicts numbers. "
                    "Pick a numeric column, or use a classification page for labels."
                )
            bad = int(converted.isna().sum() - y.isna().sum())
            notes.append(f"Read the target {target!r} as numbers ({bad} cells were not).")
            y = converted
        y = y.astype(float)
        infinite = int(np.isinf(y).sum())
        if infinite:
            # An infinite target cannot be fitted or scored: such rows count as missing.
            y = y.where(np.isfinite(y) | y.isna())
            notes.append(
                f"Dropped {infinite} row(s) whose target {target!r} is infinite (inf or -inf)."
            )
        if y.nunique(dropna=True) < 2:
            raise DataError(
                f"The target {target!r} has the same value in every row, so there is nothing "
                "to learn. Pick another column."
            )
        if y.nunique(dropna=True) == 2:
            raise DataError(
                f"The target {target!r} takes only two values: it is a class label, which a "
                "classification page models properly."
            )
    else:
        classes = y.nunique(dropna=True)
        if classes < 2:
            raise DataError(
                f"The target {target!r} has only one class, so there is nothing to tell "
                "apart. Pick a column with at least two classes."
            )
        if classes > MAX_CLASSES:
            raise DataError(
                f"The target {target!r} has {classes} distinct values; classification here "
                f"allows at most {MAX_CLASSES}. It looks like a number to predict: use a "
                "regression page."
            )
        if y.value_counts().min() < 2:
            rare = y.value_counts()
            rare = ", ".join(map(str, rare[rare < 2].index))
            raise DataError(
                f"Each class of {target!r} needs at least two rows to be split into training "
                f"and test rows; too rare: {rare}."
            )
    return y


def make_dataset(
    frame: pd.DataFrame,
    target: str,
    task: Task,
    name: str,
    description: str = "",
    notes: tuple[str, ...] = (),
    true_coef: dict[str, float] | None = None,
    true_intercept: float | None = None,
) -> Dataset:
    """Turn a table into numeric features and a target, explaining every change.

    Columns entirely missing or constant are dropped; text columns are read as numbers when
    nearly all cells are numbers, one-hot encoded when they have at most ``MAX_CATEGORIES``
    levels (first level as the reference), and dropped otherwise. Rows with a missing target
    are dropped. Missing feature values stay NaN: the fit pipeline imputes them with
    training-set medians, and a note says so.

    Parameters
    ----------
    frame : DataFrame
        The raw table.
    target : str
        The column to predict.
    task : {"regression", "classification"}
        What the target must be.
    name, description : str
        Shown on the page.
    notes : tuple of str
        Notes from loading, kept in front of the new ones.
    true_coef : dict, optional
        Generating coefficients by column, kept for the features that survive.
    true_intercept : float, optional
        Generating intercept.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        With a complete sentence, when the table cannot serve ``task``.
    """
    notes_out = list(notes)
    y = _prepare_target(frame, target, task, notes_out)
    keep = y.notna()
    if not keep.all():
        notes_out.append(f"Dropped {int((~keep).sum())} rows whose target {target!r} is missing.")
    features = frame.loc[keep].drop(columns=[target])
    y = y.loc[keep]
    if task == "classification":
        # Plain labels for scikit-learn: whole numbers as int64 (1.0 -> 1), anything else text.
        # Only numbers int64 holds exactly become integers: 1e308 would wrap around, and
        # every such label would become the same class.
        numeric = pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)
        whole = numeric and (y % 1 == 0).all() and (y.abs() < 2**53).all()
        y = y.astype(np.int64) if whole else y.astype(str)

    columns: dict[str, pd.Series] = {}
    dropped_empty, dropped_constant, dropped_text, encoded, coerced = [], [], [], [], []
    dropped_infinite: list[str] = []
    for col in features.columns:
        column = features[col]
        label = str(col)
        if column.isna().all():
            dropped_empty.append(label)
            continue
        if column.nunique(dropna=True) < 2:
            dropped_constant.append(label)
            continue
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            values = column.astype(float)
            infinite = np.isinf(values)
            if infinite.any():
                # An infinite cell cannot be fitted; treat it as missing and say so.
                values = values.mask(infinite)
                dropped_infinite.append(f"{label} ({int(infinite.sum())})")
            columns[label] = values
        else:
            numeric = _as_numeric(column)
            if numeric is not None:
                coerced.append(label)
                columns[label] = numeric
            elif column.nunique(dropna=True) <= MAX_CATEGORIES:
                levels = sorted(column.dropna().astype(str).unique())
                encoded.append(f"{label} (reference level {levels[0]!r})")
                text = column.astype("string")
                for level in levels[1:]:
                    dummy = (text == level).astype(float)
                    dummy[text.isna()] = np.nan
                    name = f"{label}={level}"
                    while name in columns or name in features.columns:
                        name += "'"  # a real column already has this name
                    columns[name] = dummy
            else:
                dropped_text.append(label)
    if dropped_empty:
        notes_out.append("Dropped columns with no values: " + ", ".join(dropped_empty) + ".")
    if dropped_constant:
        notes_out.append(
            "Dropped constant columns (they carry no information): "
            + ", ".join(dropped_constant)
            + "."
        )
    if coerced:
        notes_out.append(
            "Read as numbers, with the few non-numeric cells treated as missing: "
            + ", ".join(coerced)
            + "."
        )
    if encoded:
        notes_out.append("One-hot encoded text columns: " + ", ".join(encoded) + ".")
    if dropped_text:
        notes_out.append(
            f"Dropped text columns with more than {MAX_CATEGORIES} distinct values (names, "
            "ids or free text cannot be coefficients): " + ", ".join(dropped_text) + "."
        )
    if dropped_infinite:
        notes_out.append("Treated infinite values as missing: " + ", ".join(dropped_infinite) + ".")
    if len(columns) > MAX_FEATURES:
        raise DataError(
            f"After encoding text columns there are {len(columns)} features; the limit is "
            f"{MAX_FEATURES}. Drop columns with many categories, or upload fewer columns."
        )
    if len(columns) * len(features) > MAX_CELLS:
        raise DataError(
            f"{len(features):,} rows by {len(columns)} features is more than this app holds "
            f"({MAX_CELLS:,} values after encoding). Upload a sample of the rows or fewer "
            "columns."
        )
    if not columns:
        raise DataError(
            f"No usable feature columns are left besides the target {target!r}. A model needs "
            "at least one numeric or categorical column."
        )
    X = pd.DataFrame(columns, index=features.index)
    if len(X) < 5:
        raise DataError(f"Only {len(X)} usable rows: at least 5 are needed to fit and score.")
    missing = X.isna().sum()
    if missing.any():
        cols = ", ".join(f"{c} ({n})" for c, n in missing[missing > 0].items())
        notes_out.append(
            "Missing feature values are imputed with the training rows' median of each "
            f"column: {cols}."
        )
    X = X.reset_index(drop=True)
    y = y.reset_index(drop=True).rename(target)
    truth = None
    if true_coef is not None:
        known = {c: true_coef[c] for c in X.columns if c in true_coef}
        if len(known) == X.shape[1]:
            truth = pd.Series(known, name="true_coef")
    return Dataset(
        name=name,
        task=task,
        X=X,
        y=y,
        description=description,
        notes=tuple(notes_out),
        true_coef=truth,
        true_intercept=true_intercept if truth is not None else None,
    )


def load_dataset(
    dataset_id: str, task: Task, target: str | None = None, seed: int = 0, **options: Any
) -> Dataset:
    """Load a registered data set and prepare it for ``task``.

    The true coefficients of a generated set are kept only when its own target is predicted.
    """
    spec = get_dataset_spec(dataset_id)
    table = load_table(dataset_id, seed=seed, **options)
    target = target or table.default_target
    is_default = target == table.default_target
    return make_dataset(
        table.frame,
        target,
        task,
        name=spec.label,
        description=table.description,
        true_coef=table.true_coef if is_default else None,
        true_intercept=table.true_intercept if is_default else None,
    )
