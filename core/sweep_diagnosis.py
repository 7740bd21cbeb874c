"""Reading a validation curve: the best value tried, and whether the page's value is close
to it, with the over-fitting verdict of :mod:`core.fit_verdict` on its cross-validated scores.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from core.fit_verdict import cv_verdict


def best_value(table: pd.DataFrame) -> Any:
    """The value with the highest mean cross-validated score (the first, on a tie).

    Raises
    ------
    ValueError
        If no row has a score.
    """
    scored = table[np.isfinite(table["cv_mean"].to_numpy(dtype=float))]
    if scored.empty:
        raise ValueError("No value in this sweep could be scored.")
    value = scored.loc[scored["cv_mean"].idxmax(), "value"]
    return value.item() if isinstance(value, np.generic) else value


def _row_for(table: pd.DataFrame, current: Any) -> tuple[int, bool]:
    """Row index of ``current`` (exact match) or of the nearest numeric value."""
    values = table["value"]
    if not pd.api.types.is_numeric_dtype(values):
        matches = np.flatnonzero(values.astype(str).to_numpy() == str(current))
        if matches.size == 0:
            raise ValueError(f"{current!r} is not among the swept values.")
        return int(matches[0]), True
    numbers = values.to_numpy(dtype=float)
    current = float(current)
    exact = np.flatnonzero(np.isclose(numbers, current, rtol=1e-9, atol=0.0))
    if exact.size:
        return int(exact[0]), True
    if not math.isfinite(current):
        return (int(np.argmax(numbers)) if current > 0 else int(np.argmin(numbers))), False
    if (numbers > 0).all() and current > 0:
        distance = np.abs(np.log(numbers) - math.log(current))
    else:
        distance = np.abs(numbers - current)
    return int(np.argmin(distance)), False


def _fmt(value: Any) -> str:
    if isinstance(value, bool | np.bool_ | str):
        return str(value)
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.number):
        # Three significant digits written as the page's "use the best" button writes them
        # (1000, not 1e+03), so the sentence and the button name the same value.
        number = float(value)
        if math.isfinite(number) and number != 0:
            number = float(f"{number:.3g}")
        text = repr(number)
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def fit_diagnosis(
    table: pd.DataFrame,
    current_value: Any,
    *,
    param_name: str = "the setting",
    score_name: str = "score",
) -> str:
    """Sentences on the current value: how it compares with the best, and whether it over-fits.

    Two separate statements. The comparison: the best value tried is :func:`best_value`
    (the one the page's "use the best" button offers), and the current value is as good
    when its mean cross-validated score is within one fold-to-fold standard deviation of
    the best's; otherwise the training scores say which way it differs, in plain words
    that are no verdict. The verdict: :func:`core.fit_verdict.cv_verdict`, the very rule
    the first screen applies to its train/test split, here on the value's training and
    cross-validated means, with the rule's sentence.

    Parameters
    ----------
    table : DataFrame
        From :func:`validation_curve_table` (or :func:`path_validation_curve_table`).
    current_value : Any
        The page's value; the nearest swept value is read when it was not swept, and the
        text says so.
    param_name : str, default="the setting"
        Name used in the sentence, e.g. ``"alpha"``.
    score_name : str, default="score"
        Name of the score, e.g. ``"R²"``.

    Returns
    -------
    str
    """
    best = best_value(table)
    best_index, _ = _row_for(table, best)
    index, exact = _row_for(table, current_value)
    cur = table.iloc[index]
    top = table.iloc[best_index]
    here = f"{param_name} = {_fmt(cur['value'])}"
    there = f"{param_name} = {_fmt(top['value'])}"
    lead = (
        ""
        if exact
        else f"{param_name} = {_fmt(current_value)} was not tried; the nearest value tried is "
        f"{here}. "
    )
    if not np.isfinite(cur["cv_mean"]):
        return f"{lead}{here} could not be scored: {cur['note'] or 'every fold failed'}."
    if index == best_index:
        compare = (
            f"{here} is the best value tried: no other scores a higher cross-validated "
            f"{score_name} ({cur['cv_mean']:.3f})."
        )
    else:
        above = (
            f"The best value tried, {there}, scores a cross-validated {score_name} of "
            f"{top['cv_mean']:.3f} against {cur['cv_mean']:.3f} at {here}"
        )
        if top["cv_mean"] - cur["cv_mean"] <= top["cv_std"]:
            compare = (
                f"{above}, within one fold-to-fold standard deviation ({top['cv_std']:.3f}): "
                "the folds cannot tell the two apart."
            )
        elif cur["train_mean"] >= top["train_mean"]:
            compare = (
                f"{above}, more than one fold-to-fold standard deviation "
                f"({top['cv_std']:.3f}) higher, with a training {score_name} of "
                f"{top['train_mean']:.3f} against {cur['train_mean']:.3f}: {here} fits the "
                "training folds at least as closely but predicts the held-out folds worse."
            )
        else:
            compare = (
                f"{above}, more than one fold-to-fold standard deviation "
                f"({top['cv_std']:.3f}) higher, and a higher training {score_name} too "
                f"({top['train_mean']:.3f} against {cur['train_mean']:.3f}): {here} holds "
                "the model back more than these rows need."
            )
    verdict = cv_verdict(float(cur["train_mean"]), float(cur["cv_mean"]), here, score_name)
    return f"{lead}{compare} {verdict.text}"
