"""Logistic regression: C, the L1/L2 mix and the solver.

The learned parameters are ``coef_`` (one row of weights per class; one row for two classes)
and ``intercept_``; the fit traces its coefficients over ``C`` with warm-started refits, and
an unpenalised fit (``C=inf``) has classical standard errors (statsmodels Logit/MNLogit).
"""

from __future__ import annotations

import copy
import math
import warnings
from typing import Any

import numpy as np
from scipy.linalg import LinAlgWarning
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.utils.class_weight import compute_sample_weight

from core.data.tables import Dataset
from core.families.linear_regression.measures import coefficient_measures
from core.family import EstimatorSpec, FamilySpec
from core.fitting import FitResult, model_features, training_features
from core.learned import LearnedParameters
from core.linear.inference import logit_inference
from core.linear.interpretation import logistic_sentences, vif_table
from core.linear.parameters import (
    LINEAR_CAVEATS,
    LINEAR_MEANING,
    LINEAR_SCRIPT,
    class_coefficient_table,
    effective_linear_parameters,
    extract_linear,
    linear_terms,
)
from core.linear.row import linear_row_story
from core.linear.specs import FIT_INTERCEPT, TOL
from core.linear.tracers import WARM_START
from core.specs import ParamSpec
from core.text import Sentence

#: Solvers by the penalties they support (scikit-learn 1.9); "auto" picks among them.
SOLVERS_L2_ONLY = ("lbfgs", "newton-cg", "newton-cholesky", "sag")
SOLVERS_ANY_PENALTY = ("saga",)


def valid_solvers(C: float, l1_ratio: float) -> tuple[str, ...]:
    """Solvers that accept this penalty. No penalty (``C=inf``) or pure L2 (``l1_ratio=0``)
    suits every L2 solver; any L1 share needs ``saga``. (``liblinear`` is left out: it is
    binary-only and fits its intercept with a penalty.)"""
    if np.isinf(C) or l1_ratio == 0:
        return (*SOLVERS_L2_ONLY, *SOLVERS_ANY_PENALTY)
    return SOLVERS_ANY_PENALTY


def resolve_logistic(values: dict[str, Any]) -> dict[str, Any]:
    """Pick the solver for ``solver="auto"`` (lbfgs when it can, else saga), map the
    ``class_weight`` choice ``"none"`` to ``None``, drop the L1 share when there is no
    penalty, seed the shuffling solvers, and reject a solver that cannot handle the penalty
    with a plain sentence."""
    out = dict(values)
    C, l1_ratio = out.get("C", 1.0), out.get("l1_ratio", 0.0)
    allowed = valid_solvers(C, l1_ratio)
    solver = out.get("solver", "auto")
    if solver == "auto":
        out["solver"] = allowed[0]
    elif solver not in allowed:
        raise ValueError(
            f"The {solver} solver cannot fit an L1 share of {l1_ratio:g}; use "
            f"{' or '.join(allowed)}, or set l1_ratio to 0."
        )
    if out.get("class_weight") == "none":
        out["class_weight"] = None
    if np.isinf(C) and "l1_ratio" in out:
        # Without a penalty the mix means nothing, and scikit-learn warns if it is set.
        out["l1_ratio"] = 0.0
    if out["solver"] in ("sag", "saga"):
        # These solvers shuffle; a fixed seed makes every fit (and its script) reproducible.
        out["random_state"] = 0
    return out


def _no_penalty(values: dict[str, Any]) -> bool:
    return math.isinf(values.get("C", 1.0))


def _c_sentence(values: dict[str, Any]) -> str:
    return (
        f"Once the penalty hyperparameter is set (C={values.get('C', 1.0):g}), classical "
        "standard errors and p-values no longer hold: the penalty pulls the coefficients "
        "toward zero by an amount the formulas do not account for, and picking its strength "
        "on the same data adds uncertainty they ignore. Set C to inf for classical "
        "inference, or look at the resampling spread, which refits the same penalised model "
        "on resampled training rows."
    )


#: Above this many multiply-adds the Hessian is not built (a wide upload with many classes)
#: and the count of non-zero coefficients stands in.
MAX_HESSIAN_WORK = 2e9


def logistic_hessian(Z: np.ndarray, proba: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The Hessian of the (weighted) summed log loss at the fitted probabilities.

    ``Z`` holds the rows as the model saw them (a column of ones last when it learns an
    intercept). Two classes: one weight vector, ``Zᵀ diag(w p (1 − p)) Z``. More classes:
    scikit-learn's softmax keeps one vector per class, and block (k, l) is
    ``Σ_i w_i (p_ik δ_kl − p_ik p_il) z_i z_iᵀ``, over the class-major flattening of
    ``coef_``.
    """
    if proba.shape[1] == 2:
        return Z.T @ (Z * (weights * proba[:, 1] * proba[:, 0])[:, None])
    K, q = proba.shape[1], Z.shape[1]
    H = np.empty((K * q, K * q))
    for k in range(K):
        for j in range(k, K):
            curvature = proba[:, k] * ((k == j) - proba[:, j]) * weights
            block = Z.T @ (Z * curvature[:, None])
            H[k * q : (k + 1) * q, j * q : (j + 1) * q] = block
            H[j * q : (j + 1) * q, k * q : (k + 1) * q] = block.T
    return H


#: The converged fit's tolerance and iteration cap (:func:`converged_logistic`).
CONVERGED_TOL = 1e-10
CONVERGED_MAX_ITER = 1000


def converged_logistic(model: LogisticRegression, Z: np.ndarray, y: np.ndarray) -> Any:
    """The same penalised problem solved to its optimum: ``model``'s C, L2 penalty,
    intercept and class weights, refitted on the rows it saw (``Z``, already scaled) by
    Newton's method (``newton-cholesky``) to a tolerance of :data:`CONVERGED_TOL`, started
    from the fit's own coefficients.

    The page's fit may stop early (lbfgs stops at ``tol`` 1e-4 or ``max_iter``), and a
    quantity taken at its coefficients then describes that stopping point rather than the
    model the setting defines. Newton's method converges in a few steps from there. The
    model itself is not changed; the solver's own warnings are not the user's fit's, so
    they are not passed on.
    """
    tight = copy.deepcopy(model)
    tight.set_params(
        solver="newton-cholesky",
        tol=CONVERGED_TOL,
        max_iter=CONVERGED_MAX_ITER,
        warm_start=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", LinAlgWarning)
        tight.fit(Z, y)
    return tight


def effective_logistic_parameters(fit: FitResult, dataset: Dataset) -> float:
    """Logistic regression's effective number of parameters.

    With an L2 penalty: ``tr[(H + Λ)⁺ H]``, where ``H`` is the Hessian of the summed log loss
    at the penalised problem's optimum and ``Λ`` the penalty's (``1/C`` on each weight,
    nothing on intercepts, as scikit-learn's objective ``C Σ loss + ½‖w‖²``). It is the
    trace of the hat matrix of the last Newton step, the generalised-linear-model form of
    ridge's degrees of freedom (Hastie and Tibshirani, *Generalized Additive Models*, 1990,
    §6.8): falling toward the intercepts as ``C`` shrinks, rising toward the count as ``C``
    grows (levelling off below it, and even dipping slightly, on nearly separable classes,
    whose probabilities harden as ``C`` grows: wine's count is 18.19 at C = 100 and 18.14 at
    C = 1000). The optimum is :func:`converged_logistic`'s, not the page's fit's coefficients,
    which an early stop (lbfgs at ``tol`` 1e-4, 100 iterations) leaves short of it: there the
    count was off by up to 0.3 at large C and could fall as C grew. Without a penalty, with an
    L1 share, or for a Hessian too large to build: the non-zero coefficients.
    """
    values = fit.hyperparameters
    model = fit.model
    C, l1_ratio = float(values["C"]), float(values.get("l1_ratio", 0.0) or 0.0)
    Z = model_features(fit, dataset)
    n, K = Z.shape[0], len(model.classes_)
    q = Z.shape[1] + bool(model.fit_intercept)
    size = q * (1 if K == 2 else K)
    if not math.isfinite(C) or l1_ratio > 0 or n * size**2 > MAX_HESSIAN_WORK:
        return effective_linear_parameters(fit, dataset)
    _, y_train = fit.split.train_rows(dataset)
    y = y_train.to_numpy()
    optimum = converged_logistic(model, Z, y)
    proba = optimum.predict_proba(Z)
    if model.fit_intercept:
        Z = np.column_stack([Z, np.ones(n)])
    class_weight = model.get_params()["class_weight"]
    weights = compute_sample_weight(class_weight, y) if class_weight is not None else np.ones(n)
    H = logistic_hessian(Z, proba, weights)
    penalty = np.full(q, 1.0 / C)
    if model.fit_intercept:
        penalty[-1] = 0.0
    Lam = np.diag(np.tile(penalty, size // q))
    return penalised_hat_trace(H, Lam, q if model.fit_intercept and size > q else None)


def penalised_hat_trace(H: np.ndarray, Lam: np.ndarray, shift_every: int | None) -> float:
    """``tr[(H + Λ)⁺ H]``, computed stably.

    A multinomial model with unpenalised intercepts has one exact null direction: adding the
    same number to every class's intercept changes no probability, so ``H`` and ``Λ`` both
    vanish on it. Rounding leaves ``H`` a tiny eigenvalue there that a pseudo-inverse's
    cutoff does not always drop, and it then adds a spurious fraction to the trace (on wine
    at C = 1000 it counted 19.1 for 18.1). So that direction (intercepts every
    ``shift_every`` entries, the last of each class's block) is removed exactly and the
    rest is solved directly; without it ``H + Λ`` is positive definite.
    """
    if shift_every is not None:
        shift = np.zeros(H.shape[0])
        shift[shift_every - 1 :: shift_every] = 1.0
        basis = np.linalg.svd(shift[None, :])[2][1:].T  # orthonormal, orthogonal to shift
        H, Lam = basis.T @ H @ basis, basis.T @ Lam @ basis
    try:
        return float(np.trace(np.linalg.solve(H + Lam, H)))
    except np.linalg.LinAlgError:
        return float(np.trace(np.linalg.pinv(H + Lam, hermitian=True) @ H))


#: Logistic regression's ``effective_definition``.
LOGISTIC_EFFECTIVE = (
    "L2 penalty: tr[(H + Λ)⁺ H], Λ = 1/C on each weight and 0 on the intercepts, H the log "
    "loss's Hessian at the penalised problem's optimum (refitted by Newton's method to a "
    "tolerance of 1e-10, so a fit that stopped early does not move the count): the "
    "hat-matrix trace of the last Newton step (Hastie and Tibshirani, Generalized Additive "
    "Models, 1990, §6.8). It falls toward the intercepts as C shrinks and rises toward the "
    "count as C grows, though on nearly separable classes the probabilities harden and it "
    "levels off below it; no penalty or an L1 share: the non-zero coefficients (Zou, Hastie "
    "and Tibshirani 2007)"
)


def interpret(fit: FitResult, dataset: Dataset, learned: LearnedParameters) -> list[Sentence]:
    """Odds ratios of the strongest features, separation, collinearity, fit quality."""
    classes = tuple(str(c) for c in fit.model.classes_)
    table = class_coefficient_table(learned.detail, reference=classes[0])
    return logistic_sentences(
        table,
        classes,
        fit.metrics,
        vif_table(training_features(fit, dataset)),
        in_sample=fit.in_sample,
        unpenalised=math.isinf(fit.hyperparameters["C"]),
    )


FAMILY = FamilySpec(
    id="logistic_regression",
    title="Logistic regression",
    icon=":material/call_split:",
    tasks=("classification",),
    summary="A weighted sum of the features turned into class probabilities; C sets how "
    "little the weights are penalised.",
    estimators=(
        EstimatorSpec(
            "logistic",
            "Logistic regression",
            LogisticRegression,
            ("C", "l1_ratio", "fit_intercept", "class_weight", "solver", "max_iter", "tol"),
            "models the log-odds of each class as a linear function of the features.",
            resolve=resolve_logistic,
            path=WARM_START,
            penalty="C",
            penalty_grows=False,
            inference=logit_inference,
            unpenalised=_no_penalty,
            penalty_sentence=_c_sentence,
        ),
    ),
    hyperparameters=(
        ParamSpec(
            name="C",
            label="C (inverse penalty strength)",
            kind="float",
            default=1.0,
            low=1e-4,
            high=float("inf"),
            log=True,
            step=0.1,
            help="Smaller C means a stronger penalty and smaller coefficients; C=inf (type "
            "'inf') removes the penalty, which gives classical maximum likelihood.",
        ),
        ParamSpec(
            name="l1_ratio",
            label="l1_ratio (L1 share of the penalty)",
            kind="float",
            default=0.0,
            low=0.0,
            high=1.0,
            step=0.05,
            help="0 is an L2 (ridge) penalty, 1 an L1 (lasso) penalty that zeroes "
            "coefficients; between is elastic net. Ignored when C is inf.",
        ),
        FIT_INTERCEPT,
        ParamSpec(
            name="class_weight",
            label="class_weight",
            kind="choice",
            default="none",
            choices=("none", "balanced"),
            help="'balanced' weights each class inversely to its frequency, so rare classes "
            "count as much as common ones.",
        ),
        ParamSpec(
            name="solver",
            label="solver",
            kind="choice",
            default="auto",
            choices=("auto", *SOLVERS_L2_ONLY, *SOLVERS_ANY_PENALTY),
            allowed=lambda values: (
                "auto",
                *valid_solvers(values.get("C", 1.0), values.get("l1_ratio", 0.0)),
            ),
            role="optimizer",
            help="The optimisation algorithm. 'auto' uses lbfgs for L2 or no penalty and saga "
            "when the penalty has an L1 share. It changes how the optimum is found, not "
            "which one.",
        ),
        ParamSpec(
            name="max_iter",
            label="max_iter (solver iterations)",
            kind="int",
            default=100,
            low=1,
            high=100_000,
            step=100,
            role="optimizer",
            help="Iterations before the solver gives up; too few leaves it unconverged.",
        ),
        TOL,
    ),
    learned="coef_ (one weight per feature and class) and intercept_",
    default_dataset="breast_cancer",
    extract=extract_linear,
    interpret=interpret,
    script_parameters=LINEAR_SCRIPT,
    resampled_terms=linear_terms,
    capacity="C",
    effective_parameters=effective_logistic_parameters,
    sweep_measures=coefficient_measures,
    effective_definition=LOGISTIC_EFFECTIVE,
    parameter_meaning=LINEAR_MEANING,
    caveats=LINEAR_CAVEATS,
    explain_row=linear_row_story,
)
