"""Perfect separation in logistic regression: which classes a hyperplane splits exactly,
found by a linear programme, and the sentence that says why no maximum likelihood exists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linprog

from core.linear.parameters import (
    INTERCEPT,
)

#: Largest separation linear programme solved (constraint-matrix cells); beyond it the
#: check is skipped and statsmodels' own warnings decide.
MAX_LP_CELLS = 20_000_000


# --- separation -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Separation:
    """How the training classes are separated (which rules out maximum likelihood).

    Parameters
    ----------
    complete : bool
        True when the named classes are strictly on their own side of a boundary (perfect
        separation); False when some rows lie on it (quasi-complete separation).
    classes : tuple of str
        Two classes: both. More: those each separated from all the others (may be empty when
        only a mix of classes is separated).
    n_classes : int
        How many classes the model has.
    feature : str or None
        A single feature that does the separating on its own, when there is one.
    """

    complete: bool
    classes: tuple[str, ...]
    n_classes: int
    feature: str | None = None


def _margin_matrix(design: np.ndarray, codes: np.ndarray, n_classes: int) -> np.ndarray:
    """Rows ``(i, k)`` for every row ``i`` and wrong class ``k``, columns the coefficients
    ``B[1:]`` (class 0 is the reference, fixed at zero), so ``A @ B.ravel()`` are the margins
    ``eta_{y_i}(x_i) - eta_k(x_i)``."""
    p = design.shape[1]
    rows = []
    for k in range(n_classes):
        wrong = codes != k
        block = np.zeros((int(wrong.sum()), (n_classes - 1) * p))
        own = codes[wrong]
        for c in range(1, n_classes):
            # +x where the row's own class is c, -x where the wrong class k is c.
            sign = (own == c).astype(float) - float(k == c)
            block[:, (c - 1) * p : c * p] = sign[:, None] * design[wrong]
        rows.append(block)
    return np.vstack(rows)


def _separated(design: np.ndarray, codes: np.ndarray, n_classes: int) -> tuple[bool, bool]:
    """``(separated, complete)`` for a well-scaled design, by two linear programmes."""
    A = _margin_matrix(design, codes, n_classes)
    # Largest summed margin with every margin >= 0 and |B| <= 1: positive iff separated.
    # (At overlap the optimum is exactly 0; the tolerance absorbs the solver's.)
    weak = linprog(-A.sum(axis=0), A_ub=-A, b_ub=np.zeros(len(A)), bounds=(-1, 1), method="highs")
    if weak.status != 0 or -weak.fun <= 1e-7 * len(A):
        return False, False
    # Largest common margin t: positive iff every row is strictly on its own side.
    n_vars = A.shape[1]
    strict = linprog(
        np.r_[np.zeros(n_vars), -1.0],
        A_ub=np.column_stack([-A, np.ones(len(A))]),
        b_ub=np.zeros(len(A)),
        bounds=[(-1, 1)] * n_vars + [(None, 1)],
        method="highs",
    )
    return True, bool(strict.status == 0 and -strict.fun > 1e-7)


def _separating_feature(
    design: np.ndarray, inside: np.ndarray, terms: Sequence[str], strict: bool
) -> str | None:
    """A single feature whose values of the ``inside`` rows and of the rest do not overlap
    (``strict``) or overlap at most in one boundary value."""
    for j, term in enumerate(terms):
        if term == INTERCEPT:
            continue
        a, b = design[inside, j], design[~inside, j]
        gaps = (b.min() - a.max(), a.min() - b.max())
        if max(gaps) > 0 or (not strict and max(gaps) == 0):
            return str(term)
    return None


def find_separation(
    design: np.ndarray, codes: np.ndarray, classes: Sequence[Any], terms: Sequence[str]
) -> Separation | None:
    """Check whether the classes are (quasi-)separated, by linear programming.

    The maximum-likelihood logistic (or multinomial) coefficients exist exactly when no
    non-zero direction ``B`` makes every row's own class score at least as high as every
    other class's, strictly for some row (Albert and Anderson, 1984). A linear programme
    maximises the summed margins under ``|B| <= 1``: a positive optimum is such a direction,
    and a second one asks whether every margin can be strictly positive (perfect separation).
    With more than two classes, one-vs-rest programmes then name the classes that are
    separated from all the others.

    Parameters
    ----------
    design : ndarray of shape (n_samples, n_terms)
        Design matrix, with a column of ones named ``"(intercept)"`` when the model has an
        intercept.
    codes : ndarray of shape (n_samples,)
        Class index of each row, 0 being the reference class.
    classes : sequence
        Class labels by index.
    terms : sequence of str
        Names of the design columns.

    Returns
    -------
    Separation or None
        None when the classes overlap (the maximum-likelihood estimate exists) or when the
        problem is too large to check (more than ``MAX_LP_CELLS`` constraint cells).
    """
    n_classes = len(classes)
    n, p = design.shape
    if n * (n_classes - 1) ** 2 * p > MAX_LP_CELLS:
        return None
    # Centring and scaling the features is an invertible change of coordinates (given the
    # intercept column), so it keeps separation as it is while keeping the LP well scaled.
    X = design.copy()
    features = [j for j, term in enumerate(terms) if term != INTERCEPT]
    if INTERCEPT in terms:
        X[:, features] -= X[:, features].mean(axis=0)
    size = np.sqrt((X**2).mean(axis=0))
    X = X / np.where(size > 0, size, 1.0)
    separated, complete = _separated(X, codes, n_classes)
    if not separated:
        return None
    with_intercept = INTERCEPT in terms
    if n_classes == 2:
        feature = (
            _separating_feature(design, codes == 1, terms, complete) if with_intercept else None
        )
        names = (str(classes[0]), str(classes[1]))
        return Separation(complete, names, n_classes, feature)
    alone, all_complete = [], True
    for c in range(n_classes):
        one, one_complete = _separated(X, (codes == c).astype(int), 2)
        if one:
            alone.append(c)
            all_complete = all_complete and one_complete
    if not alone:
        return Separation(complete, (), n_classes, None)
    feature = None
    if with_intercept and len(alone) == 1:
        feature = _separating_feature(design, codes == alone[0], terms, all_complete)
    names = tuple(str(classes[c]) for c in alone)
    return Separation(all_complete, names, n_classes, feature)


def separation_sentence(separation: Separation, n_features: int) -> str:
    """The plain-language reason why a separated fit has no maximum-likelihood inference."""
    how = "perfectly" if separation.complete else "almost perfectly"
    if separation.feature is not None:
        by = f"the feature {separation.feature} alone"
    elif n_features == 1:
        by = "the single feature"
    else:
        by = f"a weighted sum of the {n_features} features"
    names = list(separation.classes)
    listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
    if separation.n_classes == 2:
        who = f"The classes {listed} are {how} separated by {by}"
    elif not names:
        who = f"Some of the classes are {how} separated by {by}"
    elif len(names) == 1:
        who = f"The class {listed} is {how} separated from the others by {by}"
    else:
        who = f"The classes {listed} are each {how} separated from the others by {by}"
    return (
        f"{who} in the training rows, so maximum-likelihood coefficients run off to infinity "
        "and have no finite standard errors or p-values. A finite C (a penalty) keeps the "
        "coefficients finite: set one and look at the resampling spread, or use fewer features."
    )
