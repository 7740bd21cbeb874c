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

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from statsmodels.discrete.discrete_model import Logit, MNLogit
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.sm_exceptions import (
    ConvergenceWarning,
    HessianInversionWarning,
    PerfectSeparationError,
    PerfectSeparationWarning,
)

from core.data.tables import Dataset
from core.fitting import (
    FitResult,
    captured_warnings,
    training_features,
)
from core.linear.interpretation import CONDITION_WARN, condition_number, vif_table
from core.linear.parameters import (
    INTERCEPT,
    extract_linear_parameters,
)
from core.linear.separation import find_separation, separation_sentence

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


def _require(fit: FitResult, dataset: Dataset, table: Callable[..., Inference]) -> None:
    """Refuse a fit this table does not serve: classical inference must apply, and ``table``
    must be the inference its estimator offers (its ``inference`` capability)."""
    applies, reason = inference_applies(fit, dataset)
    if not applies:
        raise InferenceError(reason)
    spec = fit.estimator_spec
    if spec is None or spec.inference is not table:
        offered = getattr(spec.inference, "__name__", "another table") if spec else "none"
        label = spec.label if spec else type(fit.model).__name__
        raise InferenceError(
            f"{table.__name__} does not serve a {label} fit; its estimator offers {offered}."
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
    :func:`core.linear.parameters.extract_linear_parameters`.

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
    _require(fit, dataset, ols_inference)
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
    _require(fit, dataset, logit_inference)
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
