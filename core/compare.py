"""A/B comparison of two fits: a pinned setting A against the current setting B."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.fitting import FitResult
from core.parameters import LinearParameters, term_labels


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
    coefficients : DataFrame
        ``feature`` (the term: ``"class: feature"`` for several outputs), ``coef``,
        ``coef_per_sd``.
    intercepts : dict of str to float
        Raw-unit intercept by output.
    metrics : DataFrame
        Index metric name, columns ``train`` and ``test``.
    n_parameters : int
        Learned parameter count.
    """

    data_key: str
    setting: dict[str, Any]
    coefficients: pd.DataFrame
    intercepts: dict[str, float]
    metrics: pd.DataFrame
    n_parameters: int


def compare_settings(a: Snapshot, b: Snapshot) -> pd.DataFrame:
    """Settings of A and B side by side, one row per name, with a ``changed`` flag."""
    names = list(dict.fromkeys([*a.setting, *b.setting]))
    rows = []
    for name in names:
        va, vb = a.setting.get(name, "—"), b.setting.get(name, "—")
        rows.append({"setting": name, "A": str(va), "B": str(vb), "changed": va != vb})
    return pd.DataFrame(rows)


def compare_coefficients(a: Snapshot, b: Snapshot, column: str = "coef_per_sd") -> pd.DataFrame:
    """Coefficients of A and B by feature, with ``B - A``; the intercept is the last row.

    Features present in only one of the two (different data) show NaN on the other side.
    """
    left = a.coefficients.set_index("feature")[column].rename("A")
    right = b.coefficients.set_index("feature")[column].rename("B")
    joined = pd.concat([left, right], axis=1, sort=False)
    if column == "coef":
        for output in dict.fromkeys([*a.intercepts, *b.intercepts]):
            label = "(intercept)" if len(a.intercepts) == 1 else f"{output}: (intercept)"
            joined.loc[label] = [a.intercepts.get(output), b.intercepts.get(output)]
    joined["B - A"] = joined["B"] - joined["A"]
    joined.index.name = "feature"
    return joined.reset_index()


def compare_metrics(a: Snapshot, b: Snapshot) -> pd.DataFrame:
    """Train and test metrics of A and B, with ``B - A`` for each."""
    rows = []
    for metric in a.metrics.index.union(b.metrics.index, sort=False):
        for part in ("train", "test"):
            va = a.metrics.at[metric, part] if metric in a.metrics.index else float("nan")
            vb = b.metrics.at[metric, part] if metric in b.metrics.index else float("nan")
            rows.append({"metric": f"{metric} ({part})", "A": va, "B": vb, "B - A": vb - va})
    rows.append(
        {
            "metric": "learned parameters",
            "A": a.n_parameters,
            "B": b.n_parameters,
            "B - A": b.n_parameters - a.n_parameters,
        }
    )
    return pd.DataFrame(rows)


def make_snapshot(
    fit: FitResult, params: LinearParameters, data_key: str, setting: dict[str, Any]
) -> Snapshot:
    """Keep what a comparison needs of a linear fit (no model, no data)."""
    coefficients = pd.DataFrame(
        {
            "feature": term_labels(params),
            "coef": params.coef.ravel(),
            "coef_per_sd": params.coef_per_sd.ravel(),
        }
    )
    return Snapshot(
        data_key=data_key,
        setting={"estimator": fit.estimator_id, **fit.hyperparameters, **setting},
        coefficients=coefficients,
        intercepts=dict(zip(params.outputs, map(float, params.intercept), strict=True)),
        metrics=fit.metrics.copy(),
        n_parameters=params.n_parameters,
    )
