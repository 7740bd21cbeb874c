"""The general learned-parameters type: named groups of learned values of any shape.

Every family's extractor returns a :class:`LearnedParameters`: a linear model's coefficients
and intercepts, a network's weights and biases per layer, a tree's split features, thresholds
and leaf values, or, for nearest neighbours, no groups at all and a :class:`StoredData`
saying what the model keeps instead. Shared code (compare, run history, exports, the model
card, the home page) reads only this type, never a family's own objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product
from typing import Any

import numpy as np
import pandas as pd

#: Columns of :meth:`LearnedParameters.table`, in order.
TABLE_COLUMNS = ("group", "term", "value", "value_per_sd", "value_fitted", "learned")


@dataclass(frozen=True, eq=False)
class ParameterGroup:
    """One named array of learned values, such as ``coef_`` or one layer's weights.

    Parameters
    ----------
    name : str
        scikit-learn's name of the fitted attribute (``"coef_"``, ``"coefs_[0]"``,
        ``"tree_.threshold"``), so a reader can find it on the estimator.
    label : str
        What the values are, for a table heading ("weights, input to hidden layer 1").
    values : ndarray
        The values in the features' own units where that means something (raw units),
        otherwise as the estimator holds them. Any shape.
    axes : tuple of tuple of str
        One tuple of labels per axis of ``values`` (``len(axes) == values.ndim``), so every
        value has a readable term such as ``"setosa: petal width (cm)"``.
    per_sd : ndarray, optional
        The same values per standard deviation of their feature, where that means
        something (a linear coefficient); same shape as ``values``.
    fitted : ndarray, optional
        The values exactly as the estimator holds them when they differ from ``values``
        (a coefficient fitted on standardised features); same shape.
    learned : bool, default=True
        False for values fixed by a hyperparameter rather than learned (an intercept with
        ``fit_intercept=False``): shown, but not counted.
    axis_names : tuple of str, optional
        What each axis indexes (``("output", "feature")``, ``("from", "to")``): a column of
        the tidy table each, so an export can be filtered by feature or by node. Defaults to
        ``axis_1``, ``axis_2``, ...
    term_labels : tuple of str, optional
        One label per value when the joined axis labels do not read well (an intercept is
        ``"(intercept)"``, its axis the output it belongs to).
    """

    name: str
    label: str
    values: np.ndarray
    axes: tuple[tuple[str, ...], ...]
    per_sd: np.ndarray | None = None
    fitted: np.ndarray | None = None
    learned: bool = True
    axis_names: tuple[str, ...] = ()
    term_labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=float)
        object.__setattr__(self, "values", values)
        if len(self.axes) != values.ndim:
            raise ValueError(f"{self.name}: {len(self.axes)} axis labels for {values.ndim} axes")
        for axis, labels in enumerate(self.axes):
            if len(labels) != values.shape[axis]:
                raise ValueError(
                    f"{self.name}: axis {axis} has {values.shape[axis]} values but "
                    f"{len(labels)} labels"
                )
        if not self.axis_names:
            names = tuple(f"axis_{i + 1}" for i in range(values.ndim))
            object.__setattr__(self, "axis_names", names)
        elif len(self.axis_names) != values.ndim:
            raise ValueError(f"{self.name}: {len(self.axis_names)} axis names for {values.ndim}")
        if self.term_labels and len(self.term_labels) != values.size:
            raise ValueError(f"{self.name}: {len(self.term_labels)} term labels")
        for extra in ("per_sd", "fitted"):
            array = getattr(self, extra)
            if array is not None:
                array = np.asarray(array, dtype=float)
                if array.shape != values.shape:
                    raise ValueError(f"{self.name}: {extra} shape differs from the values'")
                object.__setattr__(self, extra, array)

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the values, as the estimator's attribute has it."""
        return tuple(self.values.shape)

    @property
    def size(self) -> int:
        """How many values the group holds."""
        return int(self.values.size)

    def terms(self) -> list[str]:
        """A readable label per value, in C order: the axis labels joined by ``": "``."""
        if self.term_labels:
            return list(self.term_labels)
        if not self.axes:
            return [self.label]
        return [": ".join(labels) for labels in product(*self.axes)]


@dataclass(frozen=True)
class StoredData:
    """What a model keeps instead of learned parameters (nearest neighbours: the rows).

    Parameters
    ----------
    n_rows, n_features : int
        The stored training matrix's shape.
    n_bytes : int
        Its memory, as the model holds it.
    description : str
        One sentence on what is stored and why it is not a learned parameter.
    """

    n_rows: int
    n_features: int
    n_bytes: int
    description: str

    @property
    def n_values(self) -> int:
        """How many numbers the model stores: ``n_rows × n_features``."""
        return self.n_rows * self.n_features


@dataclass(frozen=True, eq=False)
class LearnedParameters:
    """Everything a fitted model learned, as named groups of values.

    Parameters
    ----------
    groups : tuple of ParameterGroup
        The learned arrays, in the model's order. Empty for a model that learns nothing.
    stored : StoredData, optional
        What the model keeps instead (nearest neighbours), for the count and the home page.
    notes : tuple of str, default=()
        Facts a reader needs to read the values right (a tree's leaf values are class
        fractions; hidden units can swap places between seeds).
    detail : object, optional
        The family's own richer object (the linear families' coefficient record, a tree's
        node table) for that family's own panels; shared code never reads it.
    """

    groups: tuple[ParameterGroup, ...]
    stored: StoredData | None = None
    notes: tuple[str, ...] = ()
    detail: Any = field(default=None, repr=False)
    #: Built tables by ``axes``: a page asks for the same table several times a run (the
    #: snapshot, the history line, the panel), and the values never change.
    _tables: dict[bool, pd.DataFrame] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def n_parameters(self) -> int:
        """How many numbers the model learned (values fixed by a setting not counted)."""
        return int(sum(g.size for g in self.groups if g.learned))

    def group(self, name: str) -> ParameterGroup:
        """The group with this attribute name; raise ``KeyError`` when there is none."""
        for group in self.groups:
            if group.name == name:
                return group
        raise KeyError(f"no learned group {name!r}")

    def table(self, axes: bool = False) -> pd.DataFrame:
        """Tidy table, one row per value in group order.

        Columns: ``group`` (the attribute name), ``term`` (the value's readable label),
        ``value`` (raw units), ``value_per_sd`` (NaN where it means nothing),
        ``value_fitted`` (as the estimator holds it) and ``learned``; with ``axes``, one
        more column per axis name (``feature``, ``from``, ``to``...), empty where a group
        has no such axis.
        """
        if axes not in self._tables:
            self._tables[axes] = self._build_table(axes)
        return self._tables[axes].copy()  # callers may add columns to theirs

    def _build_table(self, axes: bool) -> pd.DataFrame:
        frames = []
        for g in self.groups:
            nan = np.full(g.size, np.nan)
            frame = pd.DataFrame(
                {
                    "group": g.name,
                    "term": self._terms(g),
                    "value": g.values.ravel(),
                    "value_per_sd": g.per_sd.ravel() if g.per_sd is not None else nan,
                    "value_fitted": (g.fitted if g.fitted is not None else g.values).ravel(),
                    "learned": g.learned,
                }
            )
            if axes and g.axes:
                columns = zip(*product(*g.axes), strict=True)
                for name, column in zip(g.axis_names, columns, strict=True):
                    frame[name] = column
            frames.append(frame)
        if not frames:
            return pd.DataFrame({c: [] for c in TABLE_COLUMNS})
        table = pd.concat(frames, ignore_index=True)
        extra = [c for c in table.columns if c not in TABLE_COLUMNS]
        table[extra] = table[extra].fillna("")
        return table[[*TABLE_COLUMNS[:2], *extra, *TABLE_COLUMNS[2:]]]

    def _terms(self, group: ParameterGroup) -> list[str]:
        # A term must be unique across groups (compare joins on it): prefix the group's
        # label unless the family made its terms unique itself.
        terms = group.terms()
        if self._needs_prefix:
            return [f"{group.label}: {t}" for t in terms]
        return terms

    @property
    def _needs_prefix(self) -> bool:
        seen: set[str] = set()
        for g in self.groups:
            for term in g.terms():
                if term in seen:
                    return True
                seen.add(term)
        return False

    def flat(self, column: str = "value") -> pd.Series:
        """Term to value (``column``: ``"value"`` or ``"value_per_sd"``), for A/B compare
        and resampling; learned values only."""
        table = self.table()
        table = table[table["learned"].astype(bool)]
        return pd.Series(table[column].to_numpy(), index=pd.Index(table["term"], name="term"))

    def shapes(self) -> pd.DataFrame:
        """One row per group: ``group``, ``label``, ``shape`` (as text) and ``count``."""
        return pd.DataFrame(
            {
                "group": [g.name for g in self.groups],
                "label": [g.label for g in self.groups],
                "shape": [" × ".join(map(str, g.shape)) or "1" for g in self.groups],
                "count": [g.size if g.learned else 0 for g in self.groups],
            }
        )

    def headline(self) -> str:
        """One line for the run history: the count and the largest value, or what is stored."""
        if not self.groups:
            if self.stored is not None:
                return f"no learned parameters; stores {self.stored.n_values:,} values"
            return "no learned parameters"
        table = self.table()
        table = table[table["learned"].astype(bool)]
        if table.empty:
            return "0 learned parameters"
        column = "value_per_sd" if table["value_per_sd"].notna().any() else "value"
        magnitudes = table[column].abs()
        if magnitudes.isna().all():
            return f"{self.n_parameters:,} learned parameters"
        row = table.loc[magnitudes.idxmax()]
        unit = " per SD" if column == "value_per_sd" else ""
        return f"{self.n_parameters:,} learned; largest |{row['term']}| = {row[column]:.4g}{unit}"
