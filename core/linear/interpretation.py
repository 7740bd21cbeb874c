"""Plain-language interpretation of learned linear coefficients, with its caveats.

Follows scikit-learn's "common pitfalls in the interpretation of coefficients of linear
models": raw and per-standard-deviation units side by side, collinearity, no causal claims.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.fit_verdict import over_fits, split_verdict, verdict_sentence
from core.text import Sentence

#: Variance inflation factor above which a feature is called strongly collinear.
VIF_WARN = 10.0
#: Condition number of the standardised features above which collinearity is called severe.
CONDITION_WARN = 30.0
#: Training R² below this is called low (how much a straight line explains, not a verdict on
#: fitting: over-fitting has one rule, in :mod:`core.fit_verdict`).
LOW_R2 = 0.3


def vif_table(X: pd.DataFrame | np.ndarray, names: list[str] | None = None) -> pd.DataFrame:
    """Variance inflation factors of each feature.

    ``VIF_j = 1 / (1 - R²_j)``, where ``R²_j`` comes from regressing feature ``j`` on all the
    others with an intercept; it equals the ``j``-th diagonal entry of the inverse of the
    features' correlation matrix. A VIF of 10 means the variance of that coefficient is ten
    times what it would be with uncorrelated features.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features without missing values.
    names : list of str, optional
        Feature names (taken from ``X`` when it is a DataFrame).

    Returns
    -------
    DataFrame
        Columns ``feature`` and ``vif`` (``inf`` for a feature that is an exact linear
        combination of others, NaN for a constant feature or a single feature).
    """
    if names is None:
        names = [str(c) for c in X.columns] if isinstance(X, pd.DataFrame) else None
    values = np.asarray(X, dtype=float)
    p = values.shape[1]
    names = names or [f"x{j + 1}" for j in range(p)]
    vif = np.full(p, np.nan)
    sd = values.std(axis=0)
    usable = sd > 0
    if p > 1 and usable.sum() > 1:
        corr = np.corrcoef(values[:, usable], rowvar=False)
        try:
            inverse = np.linalg.inv(corr)
            diag = np.diag(inverse)
            if np.linalg.cond(corr) > 1e15:
                raise np.linalg.LinAlgError
            vif[usable] = diag
        except np.linalg.LinAlgError:
            vif[usable] = np.inf
    elif p == 1 or usable.sum() == 1:
        vif[usable] = 1.0
    return pd.DataFrame({"feature": names, "vif": vif})


def condition_number(X: pd.DataFrame | np.ndarray) -> float:
    """Condition number of the standardised features (``sqrt(max/min eigenvalue)``).

    Scale-free, unlike the condition number of the raw design matrix: above about 30 the
    data cannot pin single coefficients down (Belsley, Kuh and Welsch, 1980).
    """
    values = np.asarray(X, dtype=float)
    sd = values.std(axis=0)
    values = values[:, sd > 0]
    if values.shape[1] < 2:
        return 1.0
    eig = np.linalg.eigvalsh(np.corrcoef(values, rowvar=False))
    smallest = max(eig.min(), 0.0)
    return float(np.inf) if smallest <= 1e-15 * eig.max() else float(np.sqrt(eig.max() / smallest))


def _fmt(value: float) -> str:
    return f"{value:+.4g}"


def linear_sentences(
    table: pd.DataFrame,
    target: str,
    intercept: float,
    metrics: pd.DataFrame,
    vifs: pd.DataFrame,
    *,
    in_sample: bool,
    top: int = 3,
) -> list[Sentence]:
    """Generate the interpretation of one linear model's coefficients.

    Parameters
    ----------
    table : DataFrame
        From :func:`core.linear.parameters.coefficient_table`.
    target : str
        Name of the predicted column.
    intercept : float
        Raw-unit intercept.
    metrics : DataFrame
        Metrics with ``train`` and ``test`` columns and an ``R²`` row.
    vifs : DataFrame
        From :func:`vif_table`.
    in_sample : bool
        Whether there are no test rows.
    top : int, default=3
        How many of the strongest features to describe.

    Returns
    -------
    list of Sentence
    """
    out: list[Sentence] = []
    strength = table["coef_per_sd"].abs()
    ranked = table.assign(strength=strength).sort_values("strength", ascending=False)
    nonzero = ranked[~ranked["zero"]]
    for _, row in nonzero.head(top).iterrows():
        out.append(
            Sentence(
                f"Holding the other features fixed, one more unit of {row.feature} goes with "
                f"a change of {_fmt(row.coef)} in the predicted {target}; one standard "
                f"deviation more goes with {_fmt(row.coef_per_sd)}."
            )
        )
    if len(nonzero) > 1:
        first = nonzero.iloc[0]
        by_raw = table.assign(raw=table["coef"].abs()).sort_values("raw", ascending=False)
        if by_raw.iloc[0].feature != first.feature:
            out.append(
                Sentence(
                    f"By raw units {by_raw.iloc[0].feature} has the largest coefficient, but "
                    f"per standard deviation {first.feature} matters most: raw coefficients "
                    "depend on each feature's units, so compare features per standard "
                    "deviation."
                )
            )
    zeros = table.loc[table["zero"], "feature"].tolist()
    if zeros and len(zeros) == len(table):
        out.append(
            Sentence(
                f"Every coefficient is exactly zero: the penalty is so strong that the model "
                f"predicts the intercept ({intercept:.4g}) for every row.",
                "warning",
            )
        )
    elif zeros:
        out.append(
            Sentence(
                f"The L1 penalty set {len(zeros)} of {len(table)} coefficients to exactly "
                f"zero, dropping these features from the model: {', '.join(zeros)}."
            )
        )
    if "true_coef" in table:
        error = (table["coef"] - table["true_coef"]).abs()
        worst = table.loc[error.idxmax()]
        out.append(
            Sentence(
                f"Against the true coefficients that generated the data, the mean absolute "
                f"error is {error.mean():.4g}; the largest is for {worst.feature} (learned "
                f"{worst.coef:.4g}, true {worst.true_coef:.4g})."
            )
        )
    high = vifs[vifs["vif"] > VIF_WARN].sort_values("vif", ascending=False)
    if len(high):
        listed = ", ".join(f"{r.feature} (VIF {r.vif:.3g})" for r in high.itertuples())
        out.append(
            Sentence(
                f"Strongly correlated features: {listed}. A variance inflation factor above "
                f"{VIF_WARN:g} means the data can hardly tell these features' effects apart: "
                "their single coefficients are unstable and can even flip sign between "
                "samples, while predictions barely change.",
                "warning",
            )
        )
    r2 = metrics.loc["R²"]
    if in_sample:
        out.append(
            Sentence(
                f"Fitted on all rows: R² is {r2['train']:.3f} in-sample only; there are no "
                "held-out rows to show over-fitting.",
                "warning",
            )
        )
    elif np.isfinite(r2["test"]):
        out.append(
            verdict_sentence(
                split_verdict(
                    r2["train"],
                    r2["test"],
                    "R²",
                    "a stronger penalty or fewer features may narrow the gap",
                )
            )
        )
        if r2["train"] < LOW_R2 and not over_fits(r2["train"], r2["test"]):
            out.append(
                Sentence(
                    f"R² is low on the training rows as well ({r2['train']:.3f}): as a "
                    "weighted sum, these features explain little of the target. A weaker "
                    "penalty, other features or a non-linear model may do better; the "
                    "Sweeps tab shows whether a weaker penalty does."
                )
            )
    out.append(
        Sentence(
            "Coefficients describe associations in this data, not causes: changing a feature "
            "in the world need not change the target as the coefficient suggests, especially "
            "when features are correlated or a cause is missing from the data."
        )
    )
    return out


#: Per-unit odds ratios beyond these read as noise ("multiplies the odds by 1.16e+07"): the
#: feature's unit is tiny against its spread, so the sentence leads with one standard deviation.
ODDS_READABLE = (1e-3, 1e3)


def odds_sentence(feature: str, odds_of: str, per_unit: float, per_sd: float) -> Sentence:
    """An odds-ratio sentence, per standard deviation first when per unit is unreadable."""
    low, high = ODDS_READABLE
    if low <= per_unit <= high:
        return Sentence(
            f"Each extra unit of {feature} multiplies the odds of {odds_of} by "
            f"{per_unit:.4g}, holding the other features fixed; one standard deviation more "
            f"multiplies them by {per_sd:.4g}."
        )
    return Sentence(
        f"One standard deviation more of {feature} multiplies the odds of {odds_of} by "
        f"{per_sd:.4g}, holding the other features fixed. Per unit of its own the factor "
        f"is {per_unit:.3g}: a unit is tiny or huge next to how much {feature} varies, so "
        "read this feature per standard deviation."
    )


def logistic_sentences(
    table: pd.DataFrame,
    classes: tuple[str, ...],
    metrics: pd.DataFrame,
    vifs: pd.DataFrame,
    *,
    in_sample: bool,
    unpenalised: bool,
    top: int = 3,
) -> list[Sentence]:
    """Generate the interpretation of a logistic model's coefficients as odds ratios.

    Parameters
    ----------
    table : DataFrame
        From :func:`core.linear.parameters.class_coefficient_table`.
    classes : tuple of str
        The model's classes; two classes mean one row of coefficients (for ``classes[1]``).
    metrics : DataFrame
        With ``accuracy`` and ``log loss`` rows and ``train``/``test`` columns.
    vifs : DataFrame
        From :func:`vif_table`.
    in_sample : bool
        Whether there are no test rows.
    unpenalised : bool
        Whether ``C`` is infinite (then separation can push coefficients toward infinity).
    """
    out: list[Sentence] = []
    binary = len(classes) == 2
    ranked = table.assign(strength=table["coef_per_sd"].abs()).sort_values(
        "strength", ascending=False
    )
    nonzero = ranked[~ranked["zero"]]
    if binary:
        positive = classes[1]
        for row in nonzero.head(top).itertuples():
            out.append(
                odds_sentence(
                    row.feature,
                    f"{positive} (against {classes[0]})",
                    row.odds_ratio,
                    row.odds_ratio_per_sd,
                )
            )
    else:
        out.append(
            Sentence(
                f"With {len(classes)} classes the model learns one row of coefficients per "
                "class (a softmax). Only differences between rows matter: one extra unit of "
                "a feature multiplies the odds of class k against class j by "
                "exp(coef_k - coef_j)."
            )
        )
        for row in nonzero.head(top).itertuples():
            others = table[(table["feature"] == row.feature) & (table["output"] != row.output)]
            weakest = others.loc[others["coef"].idxmin()] if len(others) else None
            if weakest is not None:
                with np.errstate(over="ignore"):
                    factor = np.exp(row.coef - weakest["coef"])
                    factor_sd = np.exp(row.coef_per_sd - weakest["coef_per_sd"])
                out.append(
                    odds_sentence(
                        row.feature, f"{row.output} against {weakest['output']}", factor, factor_sd
                    )
                )
    zeros = table[table["zero"]]
    if len(zeros) and len(zeros) == len(table):
        out.append(
            Sentence(
                "Every coefficient is exactly zero: the penalty is so strong (C so small) "
                "that the model predicts the class shares alone.",
                "warning",
            )
        )
    elif len(zeros):
        names = ", ".join(dict.fromkeys(zeros["feature"]))
        out.append(
            Sentence(
                f"The L1 share of the penalty set {len(zeros)} of {len(table)} coefficients "
                f"to exactly zero: {names}."
            )
        )
    if unpenalised and metrics.at["accuracy", "train"] == 1.0:
        out.append(
            Sentence(
                "Without a penalty the training classes are perfectly separated, so the "
                "likelihood keeps improving as the coefficients grow: their size here is set "
                "by when the solver stopped, not by the data. Set a finite C.",
                "warning",
            )
        )
    high = vifs[vifs["vif"] > VIF_WARN].sort_values("vif", ascending=False)
    if len(high):
        listed = ", ".join(f"{r.feature} (VIF {r.vif:.3g})" for r in high.head(8).itertuples())
        more = f" and {len(high) - 8} more" if len(high) > 8 else ""
        out.append(
            Sentence(
                f"Strongly correlated features: {listed}{more}. Their single coefficients "
                "are unstable: the data can hardly tell their effects apart.",
                "warning",
            )
        )
    if in_sample:
        out.append(
            Sentence(
                "Fitted on all rows: the scores are in-sample only and cannot show over-fitting.",
                "warning",
            )
        )
    elif np.isfinite(metrics.at["accuracy", "test"]):
        acc = metrics.loc["accuracy"]
        out.append(
            verdict_sentence(
                split_verdict(
                    acc["train"],
                    acc["test"],
                    "accuracy",
                    "a stronger penalty may narrow the gap",
                )
            )
        )
    out.append(
        Sentence(
            "Odds ratios describe associations in this data, not causes; and an odds ratio "
            "is not a ratio of probabilities, except when the class is rare."
        )
    )
    return out
