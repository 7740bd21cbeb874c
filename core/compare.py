"""A/B comparison of two fits: a pinned setting A against the current setting B.

A snapshot keeps only plain values (the setting, every learned term, the scores), so it works
for any family: linear coefficients, a network's weights, a tree's thresholds, or none at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.fitting import FitResult
from core.learned import LearnedParameters
from core.setting import Setting


@dataclass(frozen=True, eq=False)
class Snapshot:
    """What is kept of a fit to compare against later: small, plain and serialisable.

    Parameters
    ----------
    data_key : str
        Identifies the data set, its options and the target, so a comparison across
        different data can be flagged.
    setting : dict
        Estimator, hyperparameters and data settings by name.
    terms : DataFrame
        Every learned value: ``term``, ``value`` (raw units), ``value_per_sd`` (NaN where
        it means nothing).
    metrics : DataFrame
        Index metric name, columns ``train`` and ``test``.
    n_parameters : int
        Learned parameter count.
    stored_values : int, default=0
        Values the model stores instead of learning (nearest neighbours' training rows).
    """

    data_key: str
    setting: dict[str, Any]
    terms: pd.DataFrame
    metrics: pd.DataFrame
    n_parameters: int
    stored_values: int = 0


def compare_settings(
    a: Snapshot, b: Snapshot, text: Callable[[str, Any], str] | None = None
) -> pd.DataFrame:
    """Settings of A and B side by side, one row per name, with a ``changed`` flag.

    ``text(name, value)`` writes a value for a reader (a choice's label, ``true`` rather
    than ``True``); by default ``str``. A name one side lacks shows ``—``.
    """
    names = list(dict.fromkeys([*a.setting, *b.setting]))
    rows = []
    for name in names:
        va, vb = a.setting.get(name, _MISSING), b.setting.get(name, _MISSING)
        shown = ["—" if v is _MISSING else (text(name, v) if text else str(v)) for v in (va, vb)]
        rows.append({"setting": name, "A": shown[0], "B": shown[1], "changed": va != vb})
    return pd.DataFrame(rows)


_MISSING = object()


def compare_terms(a: Snapshot, b: Snapshot, column: str = "value") -> pd.DataFrame:
    """Learned values of A and B by term, with ``B - A``, in A's order then B's new terms.

    ``column`` is ``"value"`` (raw units) or ``"value_per_sd"``; terms without a value in
    that unit on either side (an intercept per SD) are left out. A term present in only one
    of the two (other data, another architecture) shows NaN on the other side.
    """
    left = a.terms.set_index("term")[column].rename("A")
    right = b.terms.set_index("term")[column].rename("B")
    joined = pd.concat([left, right], axis=1, sort=False)
    joined = joined[joined.notna().any(axis=1)]
    joined["B - A"] = joined["B"] - joined["A"]
    joined.index.name = "term"
    return joined.reset_index()


def compare_metrics(a: Snapshot, b: Snapshot) -> pd.DataFrame:
    """Train and test metrics of A and B, with ``B - A`` for each, then the counts."""
    rows = []
    for metric in a.metrics.index.union(b.metrics.index, sort=False):
        for part in ("train", "test"):
            va = a.metrics.at[metric, part] if metric in a.metrics.index else float("nan")
            vb = b.metrics.at[metric, part] if metric in b.metrics.index else float("nan")
            rows.append({"metric": f"{metric} ({part})", "A": va, "B": vb, "B - A": vb - va})
    counts = [("learned parameters", a.n_parameters, b.n_parameters)]
    if a.stored_values or b.stored_values:
        counts.append(("stored values", a.stored_values, b.stored_values))
    for name, va, vb in counts:
        rows.append({"metric": name, "A": va, "B": vb, "B - A": vb - va})
    return pd.DataFrame(rows)


#: A snapshot keeps at most this many learned values: a pinned network of a million weights
#: must not sit in every session's state (per-weight comparison of networks means little:
#: hidden units can swap places).
MAX_SNAPSHOT_TERMS = 5_000


def make_snapshot(fit: FitResult, learned: LearnedParameters, setting: Setting) -> Snapshot:
    """Keep what a comparison needs of a fit (no model, no data); at most
    :data:`MAX_SNAPSHOT_TERMS` learned values, in the model's order. The setting names
    the values the estimator was given (resolved), then the data settings."""
    table = learned.table()
    table = table[table["learned"].astype(bool)].head(MAX_SNAPSHOT_TERMS)
    return Snapshot(
        data_key=setting.fitted_on,
        setting={
            "estimator": fit.estimator_id,
            **fit.hyperparameters,
            **setting.data_settings(),
        },
        terms=table[["term", "value", "value_per_sd"]].reset_index(drop=True),
        metrics=fit.metrics.copy(),
        n_parameters=learned.n_parameters,
        stored_values=learned.stored.n_values if learned.stored is not None else 0,
    )
