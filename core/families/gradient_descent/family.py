"""Gradient descent: scikit-learn's stochastic gradient descent on a linear model.

``SGDRegressor`` (squared error, regression) and ``SGDClassifier(loss="log_loss")``
(logistic regression, classification) learn the same parameters as a linear model,
``coef_`` and ``intercept_``, but find them by walking downhill one row at a time; their
hyperparameters are mostly about that walk (``eta0``, ``learning_rate``, ``power_t``,
``max_iter``, ``tol``, ``shuffle``, ``random_state``) and one, ``alpha``, changes the
optimum itself (an L2 penalty).

The walk minimises, as scikit-learn's user guide defines it,
``(1/n) sum_i L(y_i, w.x_i + b) + alpha * ½ ||w||²`` with ``L = ½ (y - p)²`` for squared
error and the log loss for classification, the intercept unpenalised. That is exactly
``Ridge(alpha=n * alpha)`` and ``LogisticRegression(C=1 / (n * alpha))`` (multiply the
objective by ``2n``, or divide by ``C n``): :func:`reference_model` fits that matching
closed-form model, so the page can show where the walk is heading.

The two estimators differ in two scikit-learn defaults (``learning_rate`` is
``"invscaling"`` for the regressor and ``"optimal"`` for the classifier; ``power_t`` 0.25
and 0.5). The classifier's :class:`core.family.EstimatorSpec` carries its own specs for those two
names (``overrides``), which the frame's ``hyperparameters_for`` puts in place of the
family's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import (
    LinearRegression,
    LogisticRegression,
    Ridge,
    SGDClassifier,
    SGDRegressor,
)

from core.data.tables import Dataset, Task
from core.families.gradient_descent.specs import (
    ALPHA,
    CLASSIFIER_SPECS,
    ETA0,
    HYPERPARAMETERS,
    LEARNING_RATE,
    MAX_ITER,
    POWER_T,
    SGD_HYPERPARAMETERS,
    TOL,
)
from core.families.linear_regression.measures import coefficient_measures
from core.family import EstimatorSpec, FamilySpec
from core.fit_verdict import fit_verdict_sentence
from core.fitting import FitResult, model_features, recorded_warnings, training_features
from core.learned import LearnedParameters
from core.linear.interpretation import linear_sentences, logistic_sentences, vif_table
from core.linear.parameters import (
    LINEAR_CAVEATS,
    LINEAR_SCRIPT,
    LinearParameters,
    class_coefficient_table,
    coefficient_table,
    extract_linear,
    linear_terms,
)
from core.linear.row import linear_row_story
from core.text import Sentence

#: Training loss above this multiple of the all-zero model's loss means the walk diverged
#: (SGD clips each row's gradient at 1e12, so it bounces around huge values instead of
#: overflowing to inf or NaN).
DIVERGED_LOSS_FACTOR = 1e6


def resolve_classifier(values: dict[str, Any]) -> dict[str, Any]:
    """Make ``SGDClassifier`` fit a logistic regression: ``loss="log_loss"`` (its default
    is the hinge loss of a linear support vector machine, which has no probabilities)."""
    return {**values, "loss": "log_loss"}


def make_sgd(task: Task, hyperparameters: dict[str, Any]) -> SGDRegressor | SGDClassifier:
    """An unfitted SGD estimator for ``task`` with these hyperparameters (others ignored),
    as the family builds it (the classifier with ``loss="log_loss"``)."""
    estimator_id = "sgd_regressor" if task == "regression" else "sgd_classifier"
    return FAMILY.get_estimator(estimator_id).make(hyperparameters)


# --- the matching closed-form model ---------------------------------------------------
@dataclass(frozen=True, eq=False)
class Reference:
    """The closed-form (or tightly converged) model SGD's objective is minimised by.

    Parameters
    ----------
    coef : ndarray of shape (n_outputs, n_features)
        Coefficients in the units the SGD model sees (standardised when it was).
    intercept : ndarray of shape (n_outputs,)
        Intercepts, likewise.
    label : str
        Which model, with its penalty: "Ridge(alpha = n × alpha = 0.0331)".
    sentence : str
        How the penalty was matched, for the page.
    """

    coef: np.ndarray
    intercept: np.ndarray
    label: str
    sentence: str


def reference_model(
    X: np.ndarray, y: np.ndarray, task: Task, alpha: float, classes: np.ndarray | None = None
) -> Reference:
    """Fit the model whose optimum SGD's objective shares, with the same L2 penalty.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The features exactly as the SGD model sees them (after any scaling).
    y : ndarray of shape (n_samples,)
        Target values or class labels.
    task : {"regression", "classification"}
    alpha : float
        SGD's ``alpha``. SGD minimises ``mean(L) + alpha ½ ||w||²``; the matching model is
        ``Ridge(alpha=n alpha)`` (``LinearRegression`` when ``alpha`` is 0) for squared
        error, and ``LogisticRegression(C=1/(n alpha))`` (``C=inf`` when 0) for log loss,
        fitted one class against the rest for three or more classes as ``SGDClassifier``
        does. Intercepts are unpenalised in both.
    classes : ndarray, optional
        The classes in the order of ``SGDClassifier.classes_`` (sorted labels by default).

    Returns
    -------
    Reference
    """
    X = np.asarray(X, dtype=float)
    n = len(y)
    if task == "regression":
        if alpha == 0:
            model = LinearRegression().fit(X, y)
            label = "LinearRegression (alpha = 0: no penalty)"
        else:
            model = Ridge(alpha=n * alpha).fit(X, y)
            label = f"Ridge(alpha = n × alpha = {n} × {alpha:g} = {n * alpha:.4g})"
        coef = np.atleast_2d(model.coef_)
        intercept = np.atleast_1d(model.intercept_).astype(float)
        sentence = (
            f"SGD minimises the mean of ½(y − p)² plus alpha ½‖w‖²; multiplied by 2n that is "
            f"Ridge's objective with alpha = n × alpha, so the reference lines are {label}, "
            "the exact optimum of the same objective (the intercept is unpenalised in both)."
        )
        return Reference(coef, intercept, label, sentence)
    classes = np.unique(y) if classes is None else np.asarray(classes)
    C = math.inf if alpha == 0 else 1.0 / (n * alpha)
    label = f"LogisticRegression(C = 1 / (n × alpha) = {C:.4g})"
    # One binary model per class against the rest, as SGDClassifier fits; for two classes
    # only the second class's row exists, as in coef_.
    positives = classes[1:] if len(classes) == 2 else classes
    rows, intercepts = [], []
    for positive in positives:
        model = LogisticRegression(C=C, tol=1e-10, solver="newton-cholesky", max_iter=1000)
        model.fit(X, (np.asarray(y) == positive).astype(int))
        rows.append(model.coef_[0])
        intercepts.append(model.intercept_[0])
    several = " one class against the rest, as SGDClassifier does," if len(classes) > 2 else ""
    sentence = (
        "SGD minimises the mean log loss plus alpha ½‖w‖²; divided by C n that is "
        f"LogisticRegression's objective with C = 1 / (n × alpha), so the reference lines are "
        f"{label}, fitted{several} to a tolerance of 1e-10 (the intercept is unpenalised "
        "in both)."
    )
    return Reference(np.array(rows), np.array(intercepts, dtype=float), label, sentence)


def training_loss(
    coef: np.ndarray,
    intercept: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    task: Task,
    classes: np.ndarray | None = None,
) -> float:
    """The data part of SGD's objective for given parameters (no penalty term).

    Squared error: ``mean(½ (y − p)²)``. Log loss: the mean binary log loss of each
    output row (the second class against the first for two classes, each class against
    the rest for more), averaged over the rows of ``coef``. Computed without overflow
    (``logaddexp``); ``inf`` only for infinite parameters.
    """
    coef = np.atleast_2d(coef)
    z = np.asarray(X, dtype=float) @ coef.T + np.atleast_1d(intercept)
    if task == "regression":
        return float(np.mean(0.5 * (np.asarray(y, dtype=float) - z[:, 0]) ** 2))
    classes = np.unique(y) if classes is None else np.asarray(classes)
    positives = classes[1:] if len(classes) == 2 else classes
    target = np.column_stack([np.asarray(y) == c for c in positives]).astype(float)
    return float(np.mean(np.logaddexp(0.0, z) - target * z))


def objective(
    coef: np.ndarray,
    intercept: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    task: Task,
    alpha: float,
    classes: np.ndarray | None = None,
) -> float:
    """What SGD minimises: :func:`training_loss` plus ``alpha ½ ||w||²``, the intercept
    unpenalised. With several output rows (one binary problem per class) both parts are
    averaged over the rows, so the sum of the per-class objectives, divided by their
    number, is what each class's reference minimises."""
    penalty = 0.5 * alpha * float(np.sum(np.square(coef))) / max(np.atleast_2d(coef).shape[0], 1)
    return training_loss(coef, intercept, X, y, task, classes) + penalty


# --- extraction and interpretation ------------------------------------------------------
def _fitted_space(fit: FitResult, dataset: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """The training rows as the model saw them (imputed and scaled) and their target."""
    return model_features(fit, dataset), dataset.y.iloc[fit.split.train].to_numpy()


def sgd_sentences(fit: FitResult, dataset: Dataset) -> list[Sentence]:
    """What the walk did: epochs used, stopping, divergence, distance from the optimum.

    Compares the fitted coefficients with :func:`reference_model` (the exact optimum of
    the same penalised objective) on the same training rows.
    """
    model, task = fit.model, dataset.task
    X, y = _fitted_space(fit, dataset)
    classes = getattr(model, "classes_", None)
    alpha = float(fit.hyperparameters.get("alpha", ALPHA.default))
    out: list[Sentence] = []
    max_iter = int(fit.hyperparameters.get("max_iter", MAX_ITER.default))
    epochs = int(model.n_iter_)
    tol = fit.hyperparameters.get("tol", TOL.default)
    if epochs < max_iter:
        out.append(
            Sentence(
                f"SGD stopped after {epochs} of at most {max_iter} epochs: the epoch's mean "
                f"objective (loss plus the alpha penalty) had not improved by tol = {tol:g} "
                "for 5 epochs in a row. That is a rule about progress, not proof of reaching "
                "the optimum."
            )
        )
    else:
        out.append(
            Sentence(
                f"SGD ran all {max_iter} epochs"
                + (" (tol is none, so it never stops early)." if tol is None else ".")
            )
        )
    coef = np.atleast_2d(model.coef_)
    intercept = np.atleast_1d(model.intercept_)
    zero_loss = training_loss(np.zeros_like(coef), np.zeros_like(intercept), X, y, task, classes)
    with np.errstate(over="ignore"):  # a diverged fit's loss may overflow: it is reported
        loss = training_loss(coef, intercept, X, y, task, classes)
    if not np.isfinite(loss) or loss > DIVERGED_LOSS_FACTOR * max(zero_loss, 1e-300):
        out.append(
            Sentence(
                f"SGD diverged: its training loss ({loss:.3g}) is more than "
                f"{DIVERGED_LOSS_FACTOR:.0e} times that of an all-zero model ({zero_loss:.3g}), "
                "so these coefficients are meaningless. The steps overshoot the valley: lower "
                "eta0, use 'invscaling' or 'constant' instead of 'optimal', or standardise "
                "the features.",
                "warning",
            )
        )
        return out
    with recorded_warnings():
        ref = reference_model(X, y, task, alpha, classes)
    ref_objective = objective(ref.coef, ref.intercept, X, y, task, alpha, classes)
    fit_objective = objective(coef, intercept, X, y, task, alpha, classes)
    distance = float(
        np.linalg.norm(np.r_[coef.ravel(), intercept] - np.r_[ref.coef.ravel(), ref.intercept])
    )
    size = float(np.linalg.norm(np.r_[ref.coef.ravel(), ref.intercept]))
    units = "standardised units" if "scale" in fit.pipeline.named_steps else "the features' units"
    out.append(
        Sentence(
            f"Against the exact optimum of the same penalised objective, {ref.label}, the "
            f"parameters are {distance:.3g} away ({units}; the optimum's own size is "
            f"{size:.3g}); the objective SGD minimises (mean loss plus alpha ½‖w‖²) is "
            f"{fit_objective:.5g} against the optimum's {ref_objective:.5g}."
        )
    )
    if "scale" not in fit.pipeline.named_steps:
        out.append(
            Sentence(
                "The features are not standardised: features with large values make the "
                "loss surface a narrow valley, so one step size is too large across it and "
                "too small along it. SGD then crawls or diverges; standardising fixes this.",
                "warning",
            )
        )
    return out


def ran_out_of_epochs(fit: FitResult) -> bool:
    """Whether the fit used all ``max_iter`` epochs with a stopping rule in force: exactly
    when scikit-learn's ``fit`` raises its ConvergenceWarning (``n_iter_ == max_iter`` and
    ``tol`` not none), even if the rule fired on that last epoch."""
    values = fit.hyperparameters
    if values.get("tol", TOL.default) is None:
        return False
    max_iter = int(values.get("max_iter", MAX_ITER.default))
    return int(np.max(fit.model.n_iter_)) == max_iter


def ran_out_sentence(fit: FitResult) -> str:
    """The ConvergenceWarning in plain words with the fit's numbers: which rule did not fire
    in ``max_iter`` epochs, and the step size the schedule had reached."""
    values = fit.hyperparameters
    max_iter = int(values.get("max_iter", MAX_ITER.default))
    tol = float(values.get("tol", TOL.default))
    schedule = values.get("learning_rate", LEARNING_RATE.default)
    eta0 = float(values.get("eta0", ETA0.default))
    t = max_iter * len(fit.split.train)
    if schedule == "invscaling":
        power_t = float(values.get("power_t", POWER_T.default))
        step = (
            f" 'invscaling' had shrunk the step to eta0 / t^power_t = {eta0:g} / "
            f"{t:,}^{power_t:g} = {eta0 / t**power_t:.3g} by the last of its {t:,} row "
            "updates."
        )
    elif schedule == "constant":
        step = f" Every step was eta0 = {eta0:g}."
    elif schedule == "adaptive":
        step = (
            f" 'adaptive' started at eta0 = {eta0:g} and divides it by 5 whenever progress stalls."
        )
    else:
        step = (
            f" 'optimal' steps 1 / (alpha (t + t0)) with alpha = "
            f"{float(values.get('alpha', ALPHA.default)):g}."
        )
    return (
        f"SGD used all {max_iter:,} epochs (max_iter = {max_iter:,}) without its stopping rule "
        f"ending the walk sooner: it stops once the epoch's mean objective (loss plus the alpha "
        f"penalty) has improved by less than tol = {tol:g} for 5 epochs in a row. These "
        f"coefficients are where the walk was when the epochs ran out.{step} Raising "
        "max_iter helps only if the objective settles within the extra epochs; a larger tol "
        "makes the rule fire sooner."
    )


def explain_warnings(fit: FitResult) -> list[str]:
    """The family's ``explain_warnings``: running out of epochs in plain words with the
    fit's numbers (:func:`ran_out_sentence`) instead of scikit-learn's ConvergenceWarning;
    any other warning in scikit-learn's words."""
    out = []
    if ran_out_of_epochs(fit):
        out.append(ran_out_sentence(fit))
    out += [
        f"scikit-learn warned while fitting: {text}"
        for text in fit.warnings
        if not text.startswith("ConvergenceWarning: Maximum number of iteration")
    ]
    return out


def _one_vs_rest_sentences(
    params: LinearParameters, classes: tuple[str, ...], top: int = 3
) -> list[Sentence]:
    """The strongest per-class effects of a one-against-the-rest model, as odds ratios."""
    out = [
        Sentence(
            f"With {len(classes)} classes SGDClassifier learns one binary model per class, "
            "each class against all the others (not a softmax): each row's coefficients "
            "move the log-odds of that class against the rest."
        )
    ]
    per_sd = params.coef_per_sd
    order = np.argsort(-np.abs(per_sd), axis=None)[:top]
    for flat in order:
        k, j = np.unravel_index(flat, per_sd.shape)
        with np.errstate(over="ignore"):
            factor, factor_sd = np.exp(params.coef[k, j]), np.exp(per_sd[k, j])
        out.append(
            Sentence(
                f"Each extra unit of {params.feature_names[j]} multiplies the odds of "
                f"{classes[k]} against the rest by {factor:.4g}; one standard deviation "
                f"more by {factor_sd:.4g}."
            )
        )
    return out


def class_table(params: LinearParameters, classes: tuple[str, ...]) -> pd.DataFrame:
    """The classifier's coefficients with odds ratios, as
    :func:`core.linear.parameters.class_coefficient_table` lays them out.

    Two classes: one row of coefficients, the second class against the first. Three or
    more: SGDClassifier fits one binary model per class against the rest (not a softmax),
    so each row's odds ratio is ``exp(coef)`` against ``"the rest"``, not against the first
    class as for a multinomial model.
    """
    if len(classes) <= 2:
        return class_coefficient_table(params, reference=classes[0])
    table = class_coefficient_table(params)
    table["versus"] = "the rest"
    with np.errstate(over="ignore"):
        table["odds_ratio"] = np.exp(table["coef"])
        table["odds_ratio_per_sd"] = np.exp(table["coef_per_sd"])
    return table


def interpret(fit: FitResult, dataset: Dataset, learned: LearnedParameters) -> list[Sentence]:
    """The coefficients read as a linear model's, then what the walk did."""
    params = learned.detail
    vifs = vif_table(training_features(fit, dataset))
    if dataset.task == "regression":
        table = coefficient_table(params, dataset.true_coef)
        out = linear_sentences(
            table,
            dataset.target,
            float(params.intercept[0]),
            fit.metrics,
            vifs,
            in_sample=fit.in_sample,
            # The walk is this page's lesson: the strongest coefficient is read here, every
            # coefficient's reading is the linear-regression page's.
            top=1,
        )
    else:
        classes = tuple(str(c) for c in fit.model.classes_)
        if len(classes) == 2:
            out = logistic_sentences(
                class_coefficient_table(params, reference=classes[0]),
                classes,
                fit.metrics,
                vifs,
                in_sample=fit.in_sample,
                unpenalised=fit.hyperparameters.get("alpha", ALPHA.default) == 0,
            )
        else:
            out = _one_vs_rest_sentences(params, classes)
            verdict = fit_verdict_sentence(
                fit, "a larger alpha (stronger penalty) may narrow the gap"
            )
            out += [verdict] if verdict else []
    return [*sgd_sentences(fit, dataset), *out]


FAMILY = FamilySpec(
    id="gradient_descent",
    title="Gradient descent",
    icon=":material/trending_down:",
    tasks=("regression", "classification"),
    summary="The same linear model, found by walking downhill on the loss one row at a "
    "time: the learning rate and its schedule decide whether the walk arrives.",
    estimators=(
        EstimatorSpec(
            "sgd_regressor",
            "SGD regressor (squared error)",
            SGDRegressor,
            SGD_HYPERPARAMETERS,
            "linear regression fitted by stochastic gradient descent on ½(y − p)².",
            task="regression",
        ),
        EstimatorSpec(
            "sgd_classifier",
            "SGD classifier (log loss)",
            SGDClassifier,
            SGD_HYPERPARAMETERS,
            "logistic regression fitted by stochastic gradient descent on the log loss, one "
            "class against the rest for three or more classes.",
            resolve=resolve_classifier,
            task="classification",
            overrides=CLASSIFIER_SPECS,
        ),
    ),
    hyperparameters=HYPERPARAMETERS,
    learned="coef_ (one weight per feature; one row per class, each against the rest, for "
    "three or more classes) and intercept_",
    default_dataset="diabetes",
    extract=extract_linear,
    sweep_measures=coefficient_measures,
    interpret=interpret,
    script_parameters=LINEAR_SCRIPT,
    resampled_terms=linear_terms,
    explain_warnings=explain_warnings,
    parameter_meaning={
        "regression": "Each coefficient is the change in the predicted {target} for one more "
        "unit of its feature (per SD: one more standard deviation), the other features held "
        "fixed. The intercept is the prediction when every feature is 0. SGD finds them by "
        "walking downhill; where it stopped depends on the learning rate and epochs.",
        "classification": "Each coefficient is the change in a class's log-odds against the "
        "rest (with two classes: of the second class against the first) for one more unit "
        "of its feature (per SD: one more standard deviation), the other features held fixed.",
    },
    caveats=(
        *LINEAR_CAVEATS,
        "SGD stops where its schedule and stopping rule leave it, near but not exactly at "
        "the optimum: compare with the closed-form model of the same penalty.",
    ),
    explain_row=linear_row_story,
)
