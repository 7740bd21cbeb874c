"""One rule for over-fitting, shared by every page's first screen and by the Sweeps tab.

A model over-fits when its held-out score falls more than :data:`GAP` below its training
score: the same number for R² and accuracy, for every family and page. The first screen
applies it to the one train/test split it fitted (noisy: a few hard test rows open a gap on
their own); the Sweeps tab applies the very same rule to the training and cross-validated
means of the swept value. Both call :func:`over_fits`, so for the same two scores they can
never disagree, and both show :data:`RULE`, the rule in one sentence with its threshold.

Under-fitting has no rule here: one model's scores cannot show it (a low score may be all
the signal there is). The Sweeps tab compares the current value with the best one instead,
in words that are not a verdict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.scoring import TASK_SCORING
from core.text import Sentence

if TYPE_CHECKING:
    from core.fitting import FitResult

#: A held-out score more than this far below the training score is over-fitting, for every
#: score (R², accuracy) and every page.
GAP = 0.1

#: Scores and gaps are printed, and the gap compared, to this many decimals.
DECIMALS = 3

#: The rule in one sentence, as the pages show it.
RULE = (
    f"Rule on every page: a held-out score more than {GAP:g} below the training score "
    "(R² or accuracy) is over-fitting."
)


def over_fits(train: float, held_out: float) -> bool:
    """Whether a training score and a held-out score mean over-fitting by :data:`RULE`.

    Parameters
    ----------
    train : float
        The score on the rows the model was fitted on (a mean over folds on the Sweeps tab).
    held_out : float
        The same score on rows it did not see (the test rows, or the cross-validated mean).

    Returns
    -------
    bool
        Whether the gap between the two scores as the pages print them (to ``DECIMALS``
        decimals) exceeds ``GAP``: a reader can check it from the printed numbers, a gap
        printed as 0.100 is not "more than 0.1", and 0.8 - 0.7 is not over-fitting by a
        rounding error. False when either score is NaN.
    """
    if not (math.isfinite(train) and math.isfinite(held_out)):
        return False
    return _printed_gap(train, held_out) > GAP


def _printed_gap(train: float, held_out: float) -> float:
    """``train - held_out`` from the scores as printed, to ``DECIMALS`` decimals."""
    return round(round(train, DECIMALS) - round(held_out, DECIMALS), DECIMALS)


@dataclass(frozen=True)
class Verdict:
    """The rule applied to one pair of scores.

    Parameters
    ----------
    text : str
        The verdict as sentences, with the scores, the gap and :data:`RULE`.
    over_fits : bool
        :func:`over_fits` of the two scores (a page shows a warning when True).
    """

    text: str
    over_fits: bool


def _gap_words(train: float, held_out: float) -> str:
    gap = _printed_gap(train, held_out)
    if gap > 0:
        side = "more than" if over_fits(train, held_out) else "within"
        return f"{gap:.3f} lower, {side} {GAP:g}"
    if gap < 0:
        return f"{-gap:.3f} higher"
    return "the same"


def split_verdict(train: float, test: float, score: str, remedy: str = "") -> Verdict:
    """The first screen's verdict on its one train/test split.

    Parameters
    ----------
    train, test : float
        The fit's training and test score.
    score : str
        The score's name: ``"R²"`` or ``"accuracy"``.
    remedy : str, default=""
        What the family can change to narrow the gap, as a clause ("a stronger penalty
        may narrow the gap"), said only when the model over-fits.

    Returns
    -------
    Verdict
        Worded as being about this split, pointing to the Sweeps tab where the same rule
        reads cross-validated scores.
    """
    bad = over_fits(train, test)
    head = (
        f"Training {score} is {train:.3f} against {test:.3f} on the test rows "
        f"({_gap_words(train, test)})"
    )
    if bad:
        text = (
            f"{head}: on this split the model over-fits. {RULE} One split is noisy: the "
            "Sweeps tab applies the same rule to cross-validated folds"
        )
        text += f"; if it over-fits there too, {remedy}." if remedy else "."
    else:
        text = (
            f"{head}: on this split the model does not over-fit. {RULE} The Sweeps tab "
            "applies it to cross-validated folds."
        )
    return Verdict(text, bad)


def cv_verdict(train_mean: float, cv_mean: float, where: str, score: str) -> Verdict:
    """The Sweeps tab's verdict on one swept value, by the same rule as the first screen.

    Parameters
    ----------
    train_mean, cv_mean : float
        The value's mean training and cross-validated score over the folds.
    where : str
        The value, e.g. ``"alpha = 1"``.
    score : str
        The score's name.

    Returns
    -------
    Verdict
    """
    bad = over_fits(train_mean, cv_mean)
    verdict = "over-fits" if bad else "does not over-fit"
    text = (
        f"At {where} the cross-validated {score} is {cv_mean:.3f} against {train_mean:.3f} "
        f"in training ({_gap_words(train_mean, cv_mean)}): on cross-validated folds the "
        f"model {verdict}. {RULE}"
    )
    return Verdict(text, bad)


def verdict_sentence(verdict: Verdict) -> Sentence:
    """The over-fitting verdict of :mod:`core.fit_verdict` as a sentence: a warning when
    the model over-fits."""
    return Sentence(verdict.text, "warning" if verdict.over_fits else "info")


def fit_verdict_sentence(fit: FitResult, remedy: str = "") -> Sentence | None:
    """The first screen's verdict on a fitted model: its task's primary score (R² or
    accuracy) on the training and the test rows, by :data:`RULE`; ``None`` without test
    rows (nothing held out to judge by).

    Parameters
    ----------
    fit : FitResult
        The page's fit.
    remedy : str, default=""
        What the family can change to narrow the gap (see :func:`split_verdict`).
    """
    if fit.in_sample:
        return None
    score = TASK_SCORING[fit.task].primary
    train = float(fit.metrics.loc[score, "train"])
    test = float(fit.metrics.loc[score, "test"])
    if not math.isfinite(test):
        return None
    return verdict_sentence(split_verdict(train, test, score, remedy))
