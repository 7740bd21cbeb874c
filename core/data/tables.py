"""The data types every page shares: a raw table, a cleaned data set (X, y) and a
data set's registry entry, with the limits a table must keep."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from core.specs import ParamSpec

#: What a model predicts: a number or a class.
Task = Literal["regression", "classification"]

#: Text columns with at most this many distinct values are one-hot encoded; more are refused.
MAX_CATEGORIES = 20
#: A classification target may have at most this many classes.
MAX_CLASSES = 20
#: Most feature columns a model may get after one-hot encoding (memory, and a readable page).
MAX_FEATURES = 500
#: Most feature cells (rows x features): 10 million floats are 80 MB, which keeps a few
#: cached data sets inside Community Cloud's memory. An upload is checked against it before
#: it is parsed (its columns besides the target) and a table again before it is encoded.
MAX_CELLS = 10_000_000
#: A text column is read as numbers when at least this share of its non-missing cells parse.
NUMERIC_SHARE = 0.8


class DataError(ValueError):
    """A data problem the user can fix; its message is a complete sentence for the page."""


@dataclass(frozen=True, eq=False)
class Table:
    """A raw table before a target is chosen.

    Parameters
    ----------
    frame : DataFrame
        The columns, as loaded.
    default_target : str
        The column predicted unless the user picks another.
    description : str
        One or two sentences on the source and units.
    true_coef : dict of str to float, optional
        For generated data: the coefficients that produced ``default_target``.
    true_intercept : float, optional
        For generated data: the intercept that produced ``default_target``.
    notes : tuple of str
        What loading did to the data (for uploads), to show the user.
    encoding, delimiter, decimal : str, optional
        How an uploaded file was read, so generated code can read it the same way.
    """

    frame: pd.DataFrame
    default_target: str
    description: str
    true_coef: dict[str, float] | None = None
    true_intercept: float | None = None
    notes: tuple[str, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str = "."
    skiprows: int = 0


@dataclass(frozen=True, eq=False)
class Dataset:
    """Features and target ready for scikit-learn.

    Parameters
    ----------
    name : str
        Display name.
    task : {"regression", "classification"}
        What the target is for.
    X : DataFrame of shape (n_samples, n_features)
        Numeric features (float); may hold NaN, which the fit pipeline imputes.
    y : Series of shape (n_samples,)
        Target: float for regression, class labels for classification.
    description : str
        Source and units.
    notes : tuple of str
        Every change made to the raw table, in plain sentences.
    true_coef : Series, optional
        Generating coefficients by feature, when known.
    true_intercept : float, optional
        Generating intercept, when known.
    """

    name: str
    task: Task
    X: pd.DataFrame
    y: pd.Series
    description: str
    notes: tuple[str, ...] = ()
    true_coef: pd.Series | None = None
    true_intercept: float | None = None

    @property
    def target(self) -> str:
        """Name of the target column."""
        return str(self.y.name)

    @property
    def has_missing(self) -> bool:
        """Whether any feature value is missing (the pipeline then imputes)."""
        return bool(self.X.isna().to_numpy().any())


@dataclass(frozen=True)
class DatasetSpec:
    """A built-in or generated data set in the registry.

    Parameters
    ----------
    id : str
        Stable id, the ``dataset`` URL value.
    label : str
        Display name.
    task : {"regression", "classification"}
        Which pages offer it.
    loader : callable
        ``loader(seed, **options) -> Table``.
    options : tuple of ParamSpec
        Generator controls (synthetic sets only); widget and URL keys.
    source : str
        Which package ships or generates it.
    """

    id: str
    label: str
    task: Task
    loader: Callable[..., Table] = field(repr=False)
    options: tuple[ParamSpec, ...] = ()
    source: str = ""
