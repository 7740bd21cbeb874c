"""Statistical inference on learned coefficients: classical tables and resampling spread.

Two routes, because they answer for different fits:

* **Classical inference** (standard errors, t or z statistics, p-values, confidence intervals)
  holds only for unpenalised fits: ordinary least squares, and logistic regression with
  ``C=inf``. statsmodels refits the same model on the same training rows in the features' own
  units, so its coefficients are scikit-learn's (a column shows both) and its formulas are
  the textbook ones.
* **Resampling spread** works for every setting, penalised or not: the same pipeline is
  refitted on bootstrap samples (or the training folds of repeated K-fold) of the training
  rows, and the spread of the refitted coefficients shows how much the data pin them down.

Nothing here silences warnings globally: statsmodels' and scikit-learn's warnings are recorded
locally and become an :class:`InferenceError`, a note, or a per-resample count.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, effective_n_jobs
from scipy.optimize import linprog
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import RepeatedKFold, RepeatedStratifiedKFold
from statsmodels.discrete.discrete_model import Logit, MNLogit
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.sm_exceptions import (
    ConvergenceWarning,
    HessianInversionWarning,
    PerfectSeparationError,
    PerfectSeparationWarning,
)
from threadpoolctl import threadpool_limits

from core.data.tables import Dataset
from core.family import FamilySpec
from core.fitting import (
    FitError,
    FitResult,
    build_pipeline,
    captured_warnings,
    split_data,
    training_features,
    training_sd,
)
from core.interpretation import CONDITION_WARN, condition_number, vif_table
from core.linear_parameters import (
    INTERCEPT,
    LinearParameters,
    extract_linear_parameters,
    raw_linear_coefficients,
)
from core.specs import resolve

#: statsmodels' warnings that mean the maximum-likelihood fit has no trustworthy answer.
FATAL_WARNINGS: tuple[type[Warning], ...] = (
    PerfectSeparationWarning,
    ConvergenceWarning,
    HessianInversionWarning,
)
#: Newton iterations for statsmodels' logistic fits (its default of 35 is tight for MNLogit).
MAX_NEWTON_ITER = 100
#: Relative gap between scikit-learn's and statsmodels' coefficients worth a note.
SOLVER_GAP_NOTE = 1e-3
#: Largest separation linear programme solved (constraint-matrix cells); beyond it the
#: check is skipped and statsmodels' own warnings decide.
MAX_LP_CELLS = 20_000_000

ResampleMethod = Literal["bootstrap", "kfold"]


class InferenceError(ValueError):
    """Classical inference cannot be computed; the message is a sentence for the page."""


@dataclass(frozen=True, eq=False)
class Inference:
    """Classical inference for one unpenalised fit.

    Parameters
    ----------
    method : {"OLS", "Logit", "MNLogit"}
        The statsmodels model that produced the table.
    table : DataFrame
        One row per output and term; see :func:`ols_inference` and :func:`logit_inference`
        for the columns.
    n_obs : int
        Training rows used (the test rows stay out, as in the scikit-learn fit).
    df_resid : float
        Residual degrees of freedom: rows minus estimated coefficients per output.
    level : float
        Confidence level of ``ci_low`` and ``ci_high``.
    summary : dict of str to float
        Whole-model statistics by display name (R², F test, log-likelihood...).
    notes : tuple of str
        Caveats and diagnostics in plain sentences, for the page to show.
    """

    method: str
    table: pd.DataFrame
    n_obs: int
    df_resid: float
    level: float
    summary: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


# --- when classical inference applies -------------------------------------------------------
def is_unpenalised(fit: FitResult) -> bool:
    """Whether the fit is plain maximum likelihood (its estimator says so: OLS, or logistic
    regression with C=inf)."""
    spec = fit.estimator_spec
    return bool(spec is not None and spec.unpenalised and spec.unpenalised(fit.hyperparameters))


def _fit_intercept(fit: FitResult) -> bool:
    return bool(getattr(fit.model, "fit_intercept", True))


def _design(fit: FitResult, dataset: Dataset) -> tuple[np.ndarray, list[str]]:
    """Training design matrix in raw (imputed, unscaled) units, intercept column first."""
    X = training_features(fit, dataset).to_numpy(dtype=float)
    terms = list(fit.feature_names)
    if _fit_intercept(fit):
        X = np.column_stack([np.ones(len(X)), X])
        terms = [INTERCEPT, *terms]
    return X, terms


def _rank_problem(fit: FitResult, dataset: Dataset, design: np.ndarray) -> str | None:
    """A sentence when the design is rank deficient (coefficients not identified)."""
    # Unit-norm columns make the rank test scale-free: raw Longley spans nine orders of
    # magnitude yet has full rank.
    norms = np.linalg.norm(design, axis=0)
    if np.all(norms > 0) and np.linalg.matrix_rank(design / norms) == design.shape[1]:
        return None
    features = training_features(fit, dataset)
    constant = [str(c) for c in features.columns if features[c].nunique() < 2]
    if constant:
        return (
            f"In the training rows {', '.join(constant)} never change, so their coefficients "
            "are not identified and have no standard errors; lower the test share or drop "
            "those features."
        )
    vifs = vif_table(features)
    tied = vifs.loc[np.isinf(vifs["vif"]), "feature"].tolist()
    listed = f" ({', '.join(tied)})" if tied else ""
    return (
        f"Some features{listed} are exact linear combinations of others in the training rows, "
        "so their separate coefficients are not identified and have no standard errors; drop "
        "one of each tied group."
    )


def inference_applies(fit: FitResult, dataset: Dataset) -> tuple[bool, str]:
    """Whether classical standard errors and p-values hold for this fit, and if not, why.

    Parameters
    ----------
    fit : FitResult
        A fitted linear or logistic model.
    dataset : Dataset
        The data it was fitted on.

    Returns
    -------
    applies : bool
        True for an unpenalised, unweighted fit with more training rows than coefficients
        and identified coefficients.
    reason : str
        Empty when ``applies``; otherwise one or two plain sentences saying why not.

    Notes
    -----
    Separation of the classes (which also rules out logistic inference) needs a fit of its
    own; :func:`logit_inference` checks it and raises :class:`InferenceError`.
    """
    model = fit.model
    spec = fit.estimator_spec
    if spec is not None and spec.penalty_sentence is not None and not is_unpenalised(fit):
        return False, spec.penalty_sentence(fit.hyperparameters)
    if spec is None or spec.inference is None or not is_unpenalised(fit):
        return False, (
            "Classical standard errors are computed here for ordinary least squares and "
            "unpenalised logistic regression only."
        )
    if getattr(model, "class_weight", None) is not None:
        return False, (
            f"With class_weight={model.class_weight!r} the fit maximises a weighted "
            "likelihood, in which "
            "rows of rare classes count several times; classical standard errors assume each "
            "row counts once, so they do not apply. Set class_weight to none for inference."
        )
    design, _ = _design(fit, dataset)
    n, k = design.shape
    if n <= k:
        return False, (
            f"With {n} training rows and {k} coefficients to estimate per output there is no "
            "room left to estimate the noise: classical standard errors need more training "
            "rows than coefficients. Lower the test share or use fewer features."
        )
    problem = _rank_problem(fit, dataset, design)
    if problem:
        return False, problem
    return True, ""


def _require(fit: FitResult, dataset: Dataset, kind: type[BaseEstimator]) -> None:
    applies, reason = inference_applies(fit, dataset)
    if not applies:
        raise InferenceError(reason)
    if not isinstance(fit.model, kind):
        raise InferenceError(
            f"This table needs a {kind.__name__} fit, not {type(fit.model).__name__}."
        )


# --- warnings and shared notes --------------------------------------------------------------
def _shared_notes(fit: FitResult, dataset: Dataset, n_obs: int) -> list[str]:
    rows = (
        f"all {n_obs} rows (there are no test rows)"
        if fit.in_sample
        else f"the {n_obs} training rows (the test rows stay out, as in the fit)"
    )
    notes = [f"Computed on {rows}, in the features' own units."]
    if "impute" in fit.pipeline.named_steps:
        notes.append(
            "Missing values were filled with training medians; the standard errors treat "
            "those filled-in values as observed, so they are somewhat too small."
        )
    features = training_features(fit, dataset)
    if features.shape[1] > 1:
        cond = condition_number(features)
        if cond > CONDITION_WARN:
            vifs = vif_table(features).sort_values("vif", ascending=False)
            worst = vifs.iloc[0]
            notes.append(
                f"The features are strongly collinear (condition number {cond:.3g}; largest "
                f"VIF {worst.vif:.3g} for {worst.feature}). Collinearity widens a coefficient's "
                "standard error by the square root of its VIF: the data cannot tell the "
                "correlated features' effects apart, even where predictions are precise."
            )
    return notes


def _solver_gap_note(
    statsmodels_coef: np.ndarray, sklearn_coef: np.ndarray, iterative: bool
) -> str | None:
    """A note when scikit-learn's coefficients are visibly off statsmodels' exact optimum."""
    scale = max(float(np.max(np.abs(statsmodels_coef))), 1e-12)
    gap = float(np.max(np.abs(statsmodels_coef - sklearn_coef))) / scale
    if gap <= SOLVER_GAP_NOTE:
        return None
    why = (
        "its solver stopped early (raise max_iter) or the problem is numerically ill-conditioned"
        if iterative
        else "the least-squares problem is numerically ill-conditioned"
    )
    return (
        f"scikit-learn's coefficients differ from the exact optimum statsmodels finds by up "
        f"to {gap:.2%} of the largest coefficient: {why}. The table shows statsmodels' values."
    )


# --- ordinary least squares -----------------------------------------------------------------
def ols_inference(fit: FitResult, dataset: Dataset, *, level: float = 0.95) -> Inference:
    """Classical OLS inference for an ordinary-least-squares fit, via statsmodels.

    statsmodels' ``OLS`` is fitted to the training rows in the features' own units (imputed,
    not standardised), with a constant column exactly when the scikit-learn model fitted an
    intercept, so its coefficients equal the raw-unit coefficients of
    :func:`core.linear_parameters.extract_linear_parameters`.

    Parameters
    ----------
    fit : FitResult
        An ordinary-least-squares fit (``LinearRegression``).
    dataset : Dataset
        The data it was fitted on.
    level : float, default=0.95
        Confidence level of the intervals, in (0, 1).

    Returns
    -------
    Inference
        ``table`` has one row per term, the intercept first as ``"(intercept)"`` when fitted,
        then the features in model order; columns ``output`` (the target), ``term``,
        ``coef``, ``std_err``, ``t``, ``p_value`` (two-sided), ``ci_low``, ``ci_high`` and
        ``coef_sklearn`` (the scikit-learn fit's raw-unit value, for comparison).
        ``summary`` holds R² (uncentred without an intercept, as in statsmodels), adjusted
        R², the residual standard error, the F statistic and its p-value.

    Raises
    ------
    InferenceError
        If the fit is not OLS or classical inference does not apply
        (see :func:`inference_applies`).
    """
    _require(fit, dataset, LinearRegression)
    design, terms = _design(fit, dataset)
    y = dataset.y.iloc[fit.split.train].to_numpy(dtype=float)
    with captured_warnings() as records:
        result = OLS(y, design).fit()
        ci = np.asarray(result.conf_int(alpha=1 - level))
        summary = {
            "R²": float(result.rsquared),
            "adjusted R²": float(result.rsquared_adj),
            "residual standard error": float(np.sqrt(result.scale)),
            "F statistic": float(result.fvalue),
            "F p-value": float(result.f_pvalue),
        }
    notes = _shared_notes(fit, dataset, len(y))
    notes += [f"statsmodels: {r.message}" for r in records]
    params = extract_linear_parameters(fit)
    sklearn_coef = np.concatenate([params.intercept[:1], params.coef[0]])
    if not _fit_intercept(fit):
        sklearn_coef = params.coef[0]
    gap = _solver_gap_note(result.params, sklearn_coef, iterative=False)
    if gap:
        notes.append(gap)
    notes.append(
        "The standard errors assume independent rows, a linear relation and noise of the same "
        "spread everywhere; the p-values also assume roughly normal noise or many rows."
    )
    table = pd.DataFrame(
        {
            "output": fit.target,
            "term": terms,
            "coef": result.params,
            "std_err": result.bse,
            "t": result.tvalues,
            "p_value": result.pvalues,
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "coef_sklearn": sklearn_coef,
        }
    )
    return Inference(
        method="OLS",
        table=table,
        n_obs=len(y),
        df_resid=float(result.df_resid),
        level=level,
        summary=summary,
        notes=tuple(notes),
    )


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


# --- logistic regression --------------------------------------------------------------------
def _class_codes(fit: FitResult, dataset: Dataset) -> tuple[np.ndarray, np.ndarray]:
    classes = np.asarray(fit.model.classes_)
    index = {c: i for i, c in enumerate(classes.tolist())}
    y = dataset.y.iloc[fit.split.train]
    return y.map(index).to_numpy(dtype=int), classes


def logit_inference(fit: FitResult, dataset: Dataset, *, level: float = 0.95) -> Inference:
    """Classical maximum-likelihood inference for an unpenalised logistic fit, via statsmodels.

    Two classes use statsmodels' ``Logit`` for the log-odds of the second class (scikit-learn's
    ``classes_[1]``) against the first, exactly scikit-learn's single row of ``coef_``. More
    classes use ``MNLogit``, which takes the first class as the **reference**: each other
    class gets the coefficients of its log-odds against the reference, and the reference has
    none. scikit-learn's multinomial model instead keeps one row per class; without a penalty
    those rows are identified only up to a common shift (its solver, starting at zero, returns
    rows summing to zero), and the differences ``coef_[k] - coef_[0]`` are statsmodels'
    coefficients. The ``output`` column names each comparison, ``"<class> vs <reference>"``.

    Parameters
    ----------
    fit : FitResult
        A ``LogisticRegression`` fit with ``C=inf`` and no class weights.
    dataset : Dataset
        The data it was fitted on.
    level : float, default=0.95
        Confidence level of the intervals, in (0, 1).

    Returns
    -------
    Inference
        ``table`` has one row per output and term (intercept first when fitted), columns
        ``output``, ``term``, ``coef`` (log-odds per unit of the feature), ``std_err``, ``z``,
        ``p_value`` (two-sided Wald), ``ci_low``, ``ci_high``, ``odds_ratio`` (``exp(coef)``:
        how the odds multiply per unit), ``or_ci_low``, ``or_ci_high`` and ``coef_sklearn``
        (the scikit-learn fit's value in the same parametrisation). ``summary`` holds
        McFadden's pseudo-R², the log-likelihood and the likelihood-ratio test's p-value.

    Raises
    ------
    InferenceError
        If the fit is not an unpenalised logistic regression, if the classes are (quasi-)
        separated so the maximum-likelihood estimate does not exist, or if statsmodels'
        Newton iterations fail or warn that the result cannot be trusted.
    """
    _require(fit, dataset, LogisticRegression)
    design, terms = _design(fit, dataset)
    codes, classes = _class_codes(fit, dataset)
    n_features = len(fit.feature_names)
    separation = find_separation(design, codes, classes, terms)
    if separation is not None:
        raise InferenceError(separation_sentence(separation, n_features))

    binary = len(classes) == 2
    model = Logit(codes.astype(float), design) if binary else MNLogit(codes, design)
    with captured_warnings() as records:
        try:
            result = model.fit(method="newton", maxiter=MAX_NEWTON_ITER, disp=0)
            ci = np.asarray(result.conf_int(alpha=1 - level))
        except (np.linalg.LinAlgError, PerfectSeparationError, ValueError) as exc:
            raise InferenceError(_no_mle_sentence(str(exc))) from None
    fatal = [r for r in records if issubclass(r.category, FATAL_WARNINGS)]
    if fatal:
        raise InferenceError(_no_mle_sentence(str(fatal[0].message)))
    if not result.mle_retvals.get("converged", True):
        raise InferenceError(_no_mle_sentence("the Newton iterations did not converge"))

    params = np.asarray(result.params, dtype=float).reshape(len(terms), -1)
    bse = np.asarray(result.bse, dtype=float).reshape(params.shape)
    if not np.all(np.isfinite(bse)):
        raise InferenceError(_no_mle_sentence("some standard errors are not finite"))
    zvalues = np.asarray(result.tvalues, dtype=float).reshape(params.shape)
    pvalues = np.asarray(result.pvalues, dtype=float).reshape(params.shape)
    # Logit gives (n_terms, 2); MNLogit gives (n_outputs, n_terms, 2).
    ci = ci.reshape(-1, len(terms), 2) if not binary else ci[None, :, :]

    learned = extract_linear_parameters(fit)
    sk = np.column_stack([learned.intercept, learned.coef]) if _fit_intercept(fit) else learned.coef
    # scikit-learn keeps one row per class (one row for two classes); express it as log-odds
    # against the reference class to match statsmodels.
    sklearn_coef = sk if binary else sk[1:] - sk[0]

    reference = str(classes[0])
    frames = []
    for k in range(params.shape[1]):
        with np.errstate(over="ignore"):  # an infinite odds ratio is the honest value here
            odds = np.exp(np.column_stack([params[:, k], ci[k]]))
        frames.append(
            pd.DataFrame(
                {
                    "output": f"{classes[k + 1]} vs {reference}",
                    "term": terms,
                    "coef": params[:, k],
                    "std_err": bse[:, k],
                    "z": zvalues[:, k],
                    "p_value": pvalues[:, k],
                    "ci_low": ci[k][:, 0],
                    "ci_high": ci[k][:, 1],
                    "odds_ratio": odds[:, 0],
                    "or_ci_low": odds[:, 1],
                    "or_ci_high": odds[:, 2],
                    "coef_sklearn": sklearn_coef[k],
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)

    n_obs = len(codes)
    notes = _shared_notes(fit, dataset, n_obs)
    gap = _solver_gap_note(params.T, sklearn_coef, iterative=True)
    if gap:
        notes.append(gap)
    probabilities = np.asarray(result.predict(), dtype=float).reshape(n_obs, -1)
    if binary:
        probabilities = np.column_stack([1 - probabilities[:, 0], probabilities[:, 0]])
    own = probabilities[np.arange(n_obs), codes]
    near_certain = float(np.mean(own > 1 - 1e-4))
    # statsmodels' own summary flags possible quasi-separation above a tenth of the rows.
    if near_certain > 0.1:
        notes.append(
            f"{near_certain:.0%} of the training rows are predicted with near certainty: the "
            "classes are close to separated, so the Wald standard errors may be unreliable."
        )
    others = sorted({f"{r.category.__name__}: {r.message}" for r in records})
    notes += [f"statsmodels warned: {text}" for text in others]
    notes.append(
        "The standard errors and p-values are large-sample (Wald) approximations: with few "
        "rows per coefficient, or probabilities close to 0 or 1, they can be far off."
    )
    summary = {
        "McFadden pseudo-R²": float(result.prsquared),
        "log-likelihood": float(result.llf),
        "likelihood-ratio p-value": float(result.llr_pvalue),
    }
    return Inference(
        method="Logit" if binary else "MNLogit",
        table=table,
        n_obs=n_obs,
        df_resid=float(n_obs - len(terms)),
        level=level,
        summary=summary,
        notes=tuple(notes),
    )


def _no_mle_sentence(detail: str) -> str:
    return (
        f"statsmodels could not find finite maximum-likelihood coefficients ({detail.strip()}). "
        "This usually means the classes are nearly separated or the features nearly "
        "collinear, so the coefficients have no trustworthy standard errors. A finite C (a "
        "penalty) or fewer features helps; the resampling spread works either way."
    )


def coefficient_inference(fit: FitResult, dataset: Dataset, *, level: float = 0.95) -> Inference:
    """Classical inference for any fit: OLS or logistic, or an :class:`InferenceError`
    whose message says why classical inference does not apply."""
    applies, reason = inference_applies(fit, dataset)
    if not applies:
        raise InferenceError(reason)
    return fit.estimator_spec.inference(fit, dataset, level=level)


# --- resampling -----------------------------------------------------------------------------
def _fit_resamples(
    prototype: BaseEstimator,
    X: np.ndarray,
    y: np.ndarray,
    scale: bool,
    tasks: list[tuple[int, np.ndarray, int]],
) -> list[dict[str, Any]]:
    """Refit the pipeline once per task ``(resample, row positions, random_state)``."""
    out = []
    # Each refit is tiny: BLAS threads cost more in start-up and contention than they save,
    # and joblib workers would multiply them.
    with threadpool_limits(limits=1, user_api="blas"):
        for resample, rows, random_state in tasks:
            out.append(_fit_one(prototype, X, y, scale, resample, rows, random_state))
    return out


def _fit_one(
    prototype: BaseEstimator,
    X: np.ndarray,
    y: np.ndarray,
    scale: bool,
    resample: int,
    rows: np.ndarray,
    random_state: int,
) -> dict[str, Any]:
    """Refit the pipeline on some training rows; return raw-unit coefficients and warnings."""
    model = clone(prototype)
    if "random_state" in model.get_params():
        # Shuffling solvers (sag, saga; random coordinate descent) get a seed of their own
        # per resample, drawn from the resampling seed, so resamples are repeatable.
        model.set_params(random_state=random_state)
    X_rows, y_rows = X[rows], y[rows]
    pipeline = build_pipeline(model, scale=scale, impute=bool(np.isnan(X_rows).any()))
    with captured_warnings() as records:
        try:
            pipeline.fit(X_rows, y_rows)
        except (ValueError, np.linalg.LinAlgError) as exc:
            raise FitError(f"scikit-learn could not fit resample {resample + 1}: {exc}") from None
    coef, intercept, _, _ = raw_linear_coefficients(pipeline)
    return {
        "resample": resample,
        "coef": coef,
        "intercept": intercept,
        "classes": getattr(pipeline.named_steps["model"], "classes_", None),
        "warnings": [(r.category, str(r.message).strip()) for r in records],
    }


def _resample_rows(
    y: pd.Series,
    classification: bool,
    method: ResampleMethod,
    n_resamples: int,
    n_splits: int,
    rng: np.random.Generator,
    seed: int,
) -> list[np.ndarray]:
    """Row positions (into the training rows) of each resample."""
    n = len(y)
    if method == "bootstrap":
        if not classification:
            return [rng.integers(0, n, size=n) for _ in range(n_resamples)]
        # Stratified: resample within each class, so every class keeps its count and every
        # refit sees all classes (and the same outputs).
        groups = [np.flatnonzero((y == c).to_numpy()) for c in pd.unique(y)]
        return [
            np.sort(np.concatenate([rng.choice(g, size=len(g), replace=True) for g in groups]))
            for _ in range(n_resamples)
        ]
    if method == "kfold":
        if n_splits < 2 or n_splits > n:
            raise ValueError(f"K-fold needs 2 to {n} folds, got {n_splits}.")
        n_repeats = math.ceil(n_resamples / n_splits)
        if classification:
            smallest = int(y.value_counts().min())
            if smallest < n_splits:
                raise ValueError(
                    f"Stratified {n_splits}-fold needs at least {n_splits} training rows of "
                    f"every class; the rarest has {smallest}. Use fewer folds or the bootstrap."
                )
            splitter: Any = RepeatedStratifiedKFold(
                n_splits=n_splits, n_repeats=n_repeats, random_state=seed
            )
        else:
            splitter = RepeatedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=seed)
        folds = [train for train, _ in splitter.split(np.zeros(n), y)]
        return folds[:n_resamples]
    raise ValueError(f"Unknown resampling method {method!r}: use 'bootstrap' or 'kfold'.")


def resample_coefficients(
    family: FamilySpec,
    estimator_id: str,
    hyperparameters: dict[str, Any],
    dataset: Dataset,
    *,
    scale: bool = True,
    test_size: float = 0.25,
    seed: int = 0,
    method: ResampleMethod = "bootstrap",
    n_resamples: int = 100,
    n_splits: int = 5,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Refit one setting on resampled training rows and collect the raw-unit coefficients.

    The training rows are the same as :func:`core.fitting.fit_model`'s for these
    ``test_size`` and ``seed``; the whole pipeline (imputation, scaling, model) is refitted on
    each resample, so the spread includes everything the fit learns from the data.

    Parameters
    ----------
    family : FamilySpec
        A linear model family (the model has ``coef_`` and ``intercept_``).
    estimator_id : str
        Which of the family's estimators.
    hyperparameters : dict
        Values by scikit-learn name, resolved as in ``fit_model``.
    dataset : Dataset
        Prepared features and target.
    scale : bool, default=True
        Standardise features inside each refit.
    test_size : float, default=0.25
        Share of test rows left out before resampling (0 resamples all rows).
    seed : int, default=0
        Random state of the split and of the resampling; equal seeds give equal results,
        whatever ``n_jobs``.
    method : {"bootstrap", "kfold"}, default="bootstrap"
        ``"bootstrap"``: draw as many rows as there are training rows, with replacement
        (stratified by class for classification), which mimics drawing a new sample.
        ``"kfold"``: the training folds of repeated K-fold (stratified for classification);
        the folds share most rows, so this spread shows stability under dropping a fold of
        rows and is narrower than the sampling spread: not a confidence interval.
    n_resamples : int, default=100
        Number of refits.
    n_splits : int, default=5
        K of the K-fold method.
    n_jobs : int or None, default=None
        joblib workers; None runs in this process, which is fastest for small data: a
        linear refit takes milliseconds, while starting worker processes that import
        scikit-learn takes seconds. Use the default process backend; threads would share
        the process-wide warning capture.

    Returns
    -------
    DataFrame
        Long and tidy, one row per resample, output and term: ``resample`` (0-based),
        ``output`` (the target, or the class as in :func:`extract_linear_parameters`),
        ``feature`` (``"(intercept)"`` first when fitted, then the features), ``coef``
        (raw units), ``feature_sd`` (training standard deviation, NaN for the intercept;
        ``coef * feature_sd`` is the effect per standard deviation), ``n_warnings`` (how
        many warnings scikit-learn raised in that resample's fit) and ``warning`` (the first
        of them, or ``""``).

    Raises
    ------
    FitError
        If scikit-learn rejects the setting on a resample.
    ValueError
        If a hyperparameter or the method is invalid.
    """
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}.")
    spec = family.get_estimator(estimator_id)
    setting = resolve(family.hyperparameters_for(estimator_id), hyperparameters)
    prototype = spec.make(setting.values)
    split = split_data(dataset, test_size, seed)
    X, y = split.train_rows(dataset)
    X, y = X.reset_index(drop=True), y.reset_index(drop=True)
    classification = dataset.task == "classification"
    rng = np.random.default_rng(seed)
    rows = _resample_rows(y, classification, method, n_resamples, n_splits, rng, seed)
    random_states = rng.integers(0, 2**31 - 1, size=len(rows))
    tasks = [(i, r, int(s)) for i, (r, s) in enumerate(zip(rows, random_states, strict=True))]

    # Plain arrays: scikit-learn validates them several times faster than DataFrames, and
    # they pickle small for the workers. One task per chunk of resamples, so each worker
    # receives the training rows once.
    X_values, y_values = X.to_numpy(dtype=float), y.to_numpy()
    n_chunks = min(len(tasks), effective_n_jobs(n_jobs))
    chunks = [tasks[i::n_chunks] for i in range(n_chunks)]
    results = Parallel(n_jobs=n_jobs)(
        delayed(_fit_resamples)(prototype, X_values, y_values, scale, chunk) for chunk in chunks
    )
    fits = sorted((r for chunk in results for r in chunk), key=lambda r: r["resample"])

    if classification:
        expected = np.asarray(fits[0]["classes"])
        for f in fits:
            if not np.array_equal(np.asarray(f["classes"]), expected):
                raise FitError(
                    f"Resample {f['resample'] + 1} saw other classes than the first; "
                    "every resample must contain every class."
                )
        outputs = [str(c) for c in expected] if len(expected) > 2 else [str(expected[1])]
    else:
        outputs = [dataset.target]

    fit_intercept = bool(getattr(prototype, "fit_intercept", True))
    features = [INTERCEPT, *map(str, X.columns)] if fit_intercept else list(map(str, X.columns))
    sd = training_sd(X)
    sd_column = np.r_[np.nan, sd] if fit_intercept else sd
    n_out, n_terms = len(outputs), len(features)
    values = np.stack(
        [np.column_stack([f["intercept"], f["coef"]]) if fit_intercept else f["coef"] for f in fits]
    )  # (n_resamples, n_outputs, n_terms)
    n_warn = np.array([len(f["warnings"]) for f in fits])
    first = [
        f"{f['warnings'][0][0].__name__}: {f['warnings'][0][1]}" if f["warnings"] else ""
        for f in fits
    ]
    n_fits = len(fits)
    return pd.DataFrame(
        {
            "resample": np.repeat(np.arange(n_fits), n_out * n_terms),
            "output": np.tile(np.repeat(outputs, n_terms), n_fits),
            "feature": np.tile(features, n_fits * n_out),
            "coef": values.ravel(),
            "feature_sd": np.tile(sd_column, n_fits * n_out),
            "n_warnings": np.repeat(n_warn, n_out * n_terms),
            "warning": np.repeat(first, n_out * n_terms),
        }
    )


def resample_intervals(
    samples: pd.DataFrame,
    level: float = 0.95,
    fitted: LinearParameters | None = None,
) -> pd.DataFrame:
    """Summarise resampled coefficients per output and feature.

    Parameters
    ----------
    samples : DataFrame
        From :func:`resample_coefficients`.
    level : float, default=0.95
        Coverage of the percentile interval, in (0, 1).
    fitted : LinearParameters, optional
        The coefficients of the fit on all training rows, added as a ``fitted`` column.

    Returns
    -------
    DataFrame
        One row per output and feature, in the order of ``samples``: ``output``,
        ``feature``, ``feature_sd``, ``mean``, ``sd`` (standard deviation across resamples,
        the bootstrap standard error), ``low`` and ``high`` (the ``(1 - level) / 2`` and
        ``(1 + level) / 2`` percentiles), ``share_zero`` (share of resamples where the
        coefficient is exactly zero, as Lasso produces), ``share_sign_flip`` (share on the
        minority side of zero: 0 when every resample agrees on the sign, up to 0.5), ``n``
        (resamples) and, with ``fitted``, ``fitted``.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}.")
    tail = (1 - level) / 2
    grouped = samples.groupby(["output", "feature"], sort=False)["coef"]
    table = grouped.agg(
        mean="mean",
        sd="std",
        low=lambda s: s.quantile(tail),
        high=lambda s: s.quantile(1 - tail),
        share_zero=lambda s: float((s == 0).mean()),
        share_sign_flip=lambda s: float(min((s > 0).mean(), (s < 0).mean())),
        n="size",
    ).reset_index()
    sd = samples.groupby(["output", "feature"], sort=False)["feature_sd"].first().to_numpy()
    table.insert(2, "feature_sd", sd)
    if fitted is not None:
        lookup = {}
        for i, output in enumerate(fitted.outputs):
            lookup[(output, INTERCEPT)] = float(fitted.intercept[i])
            for j, feature in enumerate(fitted.feature_names):
                lookup[(output, feature)] = float(fitted.coef[i, j])
        table["fitted"] = [
            lookup.get(key, np.nan) for key in zip(table["output"], table["feature"], strict=True)
        ]
    return table


def resample_warning_note(samples: pd.DataFrame) -> str | None:
    """One sentence counting the resamples whose refit warned, with the commonest warning."""
    per_resample = samples.groupby("resample", sort=True)[["n_warnings", "warning"]].first()
    warned = per_resample[per_resample["n_warnings"] > 0]
    if warned.empty:
        return None
    # Messages carry per-fit numbers (a duality gap, say); group them by their first sentence.
    first_sentence = warned["warning"].map(lambda text: text.split(". ")[0].rstrip(".") + ".")
    common = first_sentence.value_counts().index[0]
    if common.startswith("ConvergenceWarning"):
        # The raw class name means nothing to a reader; what it means for the spread does.
        return (
            f"{len(warned)} of {len(per_resample)} resampled refits stopped before "
            "converging (the solver used all its max_iter iterations before meeting tol): "
            "their coefficients are where it stopped, so part of this spread is the "
            "solver's, not the data's. A larger max_iter, or a larger tol, on the first "
            "screen lets the refits converge."
        )
    return (
        f"scikit-learn warned in {len(warned)} of {len(per_resample)} resamples "
        f"(most often {common!r}); those refits may not have converged."
    )
