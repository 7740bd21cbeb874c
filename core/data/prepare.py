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
    MAX_CELLS,
    MAX_CLASSES,
    MAX_FEATURES,
    NUMERIC_SHARE,
    DataError,
    Dataset,
    Table,
    Task,
)

#: Anything that may look like a number to ``pd.to_numeric``: a digit, or inf / nan spelled
#: out. Cells that do not match are text without parsing them one by one (which is slow).
_MAYBE_NUMBER = r"(?i)\d|^[+-]?(?:inf|infinity|nan)$"


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


def _mostly_numbers(column: pd.Series) -> bool:
    """Whether nearly all (``NUMERIC_SHARE``) of a text column's present cells are numbers.

    Each distinct value is parsed once, weighted by how often it occurs, so a column of a
    few repeated words costs a few parses, not one per row.
    """
    present = column.dropna()
    if present.empty:
        return False
    counts = present.astype(str).str.strip().value_counts()
    maybe = counts.index.str.contains(_MAYBE_NUMBER, regex=True)
    if counts[maybe].sum() < NUMERIC_SHARE * len(present):
        return False
    parsed = pd.to_numeric(pd.Series(counts.index[maybe]), errors="coerce")
    return bool(counts[maybe][parsed.notna().to_numpy()].sum() >= NUMERIC_SHARE * len(present))


def _as_numeric(column: pd.Series) -> pd.Series | None:
    """Read a text column as numbers if nearly all of its cells are numbers, else None."""
    if not _mostly_numbers(column):
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
    rows = None if keep.all() else keep.to_numpy()
    y = y.loc[keep]
    if task == "classification":
        # Plain labels for scikit-learn: whole numbers as int64 (1.0 -> 1), anything else text.
        # Only numbers int64 holds exactly become integers: 1e308 would wrap around, and
        # every such label would become the same class.
        numeric = pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)
        whole = numeric and (y % 1 == 0).all() and (y.abs() < 2**53).all()
        y = y.astype(np.int64) if whole else y.astype(str)

    # First decide what each column becomes and count the features, then check the limits,
    # and only then build them: a table refused for its size never gets encoded.
    plan: list[tuple[object, str, list[str]]] = []
    dropped_empty, dropped_constant, dropped_text, encoded, coerced = [], [], [], [], []
    dropped_infinite: list[str] = []
    n_features = 0
    for col in frame.columns:
        if col == target:
            continue
        column = frame[col] if rows is None else frame[col][rows]
        label = str(col)
        if column.isna().all():
            dropped_empty.append(label)
            continue
        distinct = column.nunique(dropna=True)
        if distinct < 2:
            dropped_constant.append(label)
            continue
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            plan.append((col, "number", []))
            n_features += 1
        elif _mostly_numbers(column):
            coerced.append(label)
            plan.append((col, "text number", []))
            n_features += 1
        elif distinct <= MAX_CATEGORIES:
            levels = sorted(column.dropna().astype(str).unique())
            encoded.append(f"{label} (reference level {levels[0]!r})")
            plan.append((col, "levels", levels))
            n_features += len(levels) - 1
        else:
            dropped_text.append(label)
    n_rows = len(y)
    if n_features > MAX_FEATURES:
        raise DataError(
            f"After encoding text columns there are {n_features} features; the limit is "
            f"{MAX_FEATURES}. Drop columns with many categories, or upload fewer columns."
        )
    if n_features * n_rows > MAX_CELLS:
        raise DataError(
            f"{n_rows:,} rows by {n_features} features is more than this app holds "
            f"({MAX_CELLS:,} values after encoding). Upload a sample of the rows or fewer "
            "columns."
        )
    # One float block, filled column by column: no per-column frames to stitch together.
    block = np.empty((n_rows, n_features), dtype=float)
    names: list[str] = []
    taken = {str(c) for c in frame.columns}
    for col, kind, levels in plan:
        column = frame[col] if rows is None else frame[col][rows]
        label = str(col)
        if kind == "number":
            values = column.astype(float).to_numpy(dtype=float, na_value=np.nan)
            infinite = np.isinf(values)
            if infinite.any():
                # An infinite cell cannot be fitted; treat it as missing and say so.
                values = np.where(infinite, np.nan, values)
                dropped_infinite.append(f"{label} ({int(infinite.sum())})")
            block[:, len(names)] = values
            names.append(label)
        elif kind == "text number":
            block[:, len(names)] = pd.to_numeric(
                column.astype("string").str.strip(), errors="coerce"
            ).to_numpy(dtype=float, na_value=np.nan)
            names.append(label)
        else:
            text = column.astype("string")
            missing = text.isna().to_numpy()
            for level in levels[1:]:
                dummy = (text == level).to_numpy(dtype=float, na_value=np.nan)
                dummy[missing] = np.nan
                name = f"{label}={level}"
                while name in taken:
                    name += "'"  # a real column already has this name
                taken.add(name)
                block[:, len(names)] = dummy
                names.append(name)
            del text
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
    if not names:
        raise DataError(
            f"No usable feature columns are left besides the target {target!r}. A model needs "
            "at least one numeric or categorical column."
        )
    X = pd.DataFrame(block, columns=names, copy=False)
    if len(X) < 5:
        raise DataError(f"Only {len(X)} usable rows: at least 5 are needed to fit and score.")
    missing = X.isna().sum()
    if missing.any():
        cols = ", ".join(f"{c} ({n})" for c, n in missing[missing > 0].items())
        notes_out.append(
            "Missing feature values are imputed with the training rows' median of each "
            f"column: {cols}."
        )
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
