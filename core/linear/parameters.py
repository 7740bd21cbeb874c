"""Linear models' learned parameters (``coef_``, ``intercept_``), in the model's units and in
the features' own units: shared by every family whose model is a weighted sum of the features
(linear and logistic regression, stochastic gradient descent).

Fitted state keeps scikit-learn's names; coefficients are always shaped (n_outputs,
n_features) so single-target and multi-class models read alike. :func:`linear_learned` turns
them into the general :class:`core.learned.LearnedParameters` the shared frame reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from core.family import Terms
from core.fitting import FitResult, model_features, scaler_shift
from core.learned import LearnedParameters, ParameterGroup

#: The intercept's term in tables and comparisons.
INTERCEPT = "(intercept)"


@dataclass(frozen=True, eq=False)
class LinearParameters:
    """Coefficients and intercepts of a fitted linear model.

    Parameters
    ----------
    feature_names : tuple of str
        Feature order of the columns of ``coef``.
    outputs : tuple of str
        One name per row of ``coef``: the target, or the classes.
    coef : ndarray of shape (n_outputs, n_features)
        Change of the prediction per one unit of each feature, in its own units.
    intercept : ndarray of shape (n_outputs,)
        Prediction when every feature is 0, in raw units.
    coef_fitted : ndarray of shape (n_outputs, n_features)
        ``coef_`` exactly as the estimator holds it (per standard deviation when the
        pipeline standardised the features).
    intercept_fitted : ndarray of shape (n_outputs,)
        ``intercept_`` exactly as the estimator holds it.
    feature_sd : ndarray of shape (n_features,)
        Standard deviation of each feature on the training rows (``ddof=0``, as
        ``StandardScaler``), so ``coef * feature_sd`` is the effect per standard deviation.
    fit_intercept : bool
        Whether the intercept was learned (otherwise it is fixed by the setting).
    """

    feature_names: tuple[str, ...]
    outputs: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray
    coef_fitted: np.ndarray
    intercept_fitted: np.ndarray
    feature_sd: np.ndarray
    fit_intercept: bool

    @property
    def coef_per_sd(self) -> np.ndarray:
        """Change of the prediction per one standard deviation of each feature."""
        return self.coef * self.feature_sd

    @property
    def n_parameters(self) -> int:
        """How many numbers the model learned: every weight, plus intercepts if fitted."""
        return int(self.coef.size + (len(self.outputs) if self.fit_intercept else 0))


def raw_linear_coefficients(
    pipeline: Pipeline,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients and intercepts of a fitted pipeline, in raw and in fitted units.

    With a scaler that subtracts ``m`` (the means, or 0 without centring) and divides by
    ``s`` in front of the model, the model predicts ``b + sum_j w_j (x_j - m_j) / s_j``; in
    the features' own units that is the coefficient ``w_j / s_j`` and the intercept
    ``b - sum_j w_j m_j / s_j``.

    Returns
    -------
    coef, intercept : ndarray of shape (n_outputs, n_features) and (n_outputs,)
        In the features' own units.
    coef_fitted, intercept_fitted : ndarray, same shapes
        As the estimator holds them.
    """
    model = pipeline.named_steps["model"]
    coef_fitted = np.atleast_2d(np.asarray(model.coef_, dtype=float))
    intercept_fitted = np.atleast_1d(np.asarray(model.intercept_, dtype=float))
    if intercept_fitted.size == 1 and coef_fitted.shape[0] > 1:
        intercept_fitted = np.repeat(intercept_fitted, coef_fitted.shape[0])
    scaler = pipeline.named_steps.get("scale")
    if scaler is None:
        return coef_fitted, intercept_fitted, coef_fitted, intercept_fitted
    coef, intercept = to_raw_units(
        coef_fitted, intercept_fitted, scaler_shift(scaler), scaler.scale_
    )
    return coef, intercept, coef_fitted, intercept_fitted


def to_raw_units(
    W: np.ndarray, b: np.ndarray, shift: np.ndarray, scale: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Undo standardisation: the one raw-unit back-transform of the app.

    A model that saw ``(x - shift) / scale`` and learned weights ``W`` (shape
    ``(..., n_features)``) and intercepts ``b`` predicts, in the features' own units, with
    coefficients ``W / scale`` and intercepts ``b - W @ (shift / scale)``.
    """
    return W / scale, b - W @ (shift / scale)


def linear_outputs(model: Any, target: str) -> tuple[str, ...]:
    """One name per row of a linear model's ``coef_``: the target; for two classes the
    second (whose log-odds the row holds); for more, every class."""
    classes = getattr(model, "classes_", None)
    if classes is not None and len(classes) > 2:
        return tuple(str(c) for c in classes)
    if classes is not None:
        return (str(classes[1]),)
    return (target,)


def linear_terms(pipeline: Pipeline, feature_names: tuple[str, ...], target: str) -> Terms:
    """A linear family's ``resampled_terms``: the intercept (when learned) and one raw-unit
    coefficient per feature, per output. A coefficient keeps its meaning across refits
    (the effect of one unit of its feature), so its spread across resamples means
    something."""
    model = pipeline.named_steps["model"]
    coef, intercept, _, _ = raw_linear_coefficients(pipeline)
    outputs = linear_outputs(model, target)
    if bool(getattr(model, "fit_intercept", True)):
        return Terms(outputs, (INTERCEPT, *feature_names), np.column_stack([intercept, coef]))
    return Terms(outputs, tuple(feature_names), coef)


def extract_linear_parameters(fit: FitResult) -> LinearParameters:
    """Read ``coef_`` and ``intercept_`` from a fitted pipeline and undo standardisation
    (see :func:`raw_linear_coefficients`)."""
    model = fit.model
    coef, intercept, coef_fitted, intercept_fitted = raw_linear_coefficients(fit.pipeline)
    return LinearParameters(
        feature_names=fit.feature_names,
        outputs=linear_outputs(model, fit.target),
        coef=coef,
        intercept=intercept,
        coef_fitted=coef_fitted,
        intercept_fitted=intercept_fitted,
        feature_sd=fit.feature_sd,
        fit_intercept=bool(getattr(model, "fit_intercept", True)),
    )


def coefficient_table(
    params: LinearParameters, true_coef: pd.Series | None = None, output: int = 0
) -> pd.DataFrame:
    """Tidy table of one output's coefficients, one row per feature, in feature order.

    Columns: ``feature``, ``coef`` (per unit of the feature), ``coef_per_sd`` (per standard
    deviation of the feature), ``zero`` (exactly zero, as Lasso produces) and, when given,
    ``true_coef`` and ``true_coef_per_sd``.
    """
    table = pd.DataFrame(
        {
            "feature": params.feature_names,
            "coef": params.coef[output],
            "coef_per_sd": params.coef_per_sd[output],
            "zero": params.coef_fitted[output] == 0.0,
        }
    )
    if true_coef is not None:
        table["true_coef"] = true_coef.reindex(params.feature_names).to_numpy()
        table["true_coef_per_sd"] = table["true_coef"] * params.feature_sd
    return table


def class_coefficient_table(params: LinearParameters, reference: str | None = None) -> pd.DataFrame:
    """Every output's coefficients in one tidy table, with odds ratios.

    One row per (output, feature): ``output``, ``feature``, ``coef``, ``coef_per_sd``,
    ``versus``, ``odds_ratio`` (the factor on the odds of ``output`` against ``versus`` per
    extra unit of the feature), ``odds_ratio_per_sd`` and ``zero``.

    A binary model has one row of coefficients, for the positive class against the other
    (``reference``, its name). A multinomial model's rows are only defined up to a shift
    shared by all classes, so ``exp(coef)`` alone is no odds ratio: odds ratios are taken
    against the first class, ``exp(coef_k - coef_first)``, and are NaN on its own rows.
    """
    frames = [
        coefficient_table(params, output=k).assign(output=name)
        for k, name in enumerate(params.outputs)
    ]
    table = pd.concat(frames, ignore_index=True)
    if len(params.outputs) == 1:
        versus = reference or "the other class"
        log_odds, log_odds_sd = table["coef"], table["coef_per_sd"]
    else:
        versus = params.outputs[0]
        first = table[table["output"] == versus].set_index("feature")
        log_odds = table["coef"] - table["feature"].map(first["coef"])
        log_odds_sd = table["coef_per_sd"] - table["feature"].map(first["coef_per_sd"])
        log_odds[table["output"] == versus] = np.nan
        log_odds_sd[table["output"] == versus] = np.nan
    table["versus"] = versus
    with np.errstate(over="ignore"):
        table["odds_ratio"] = np.exp(log_odds)
        table["odds_ratio_per_sd"] = np.exp(log_odds_sd)
    columns = [
        "output",
        "feature",
        "coef",
        "coef_per_sd",
        "versus",
        "odds_ratio",
        "odds_ratio_per_sd",
    ]
    return table[[*columns, "zero"]]


def linear_learned(params: LinearParameters) -> LearnedParameters:
    """The general learned-parameters view of a linear model: ``coef_`` (per unit, per SD and
    as fitted) and ``intercept_`` (not counted when ``fit_intercept`` is off).

    Terms are the feature names for one output and ``"class: feature"`` for several, the
    intercept ``"(intercept)"`` (``"class: (intercept)"``), as comparisons and resampling name
    them. ``detail`` keeps ``params`` for the linear families' own panels.
    """
    several = len(params.outputs) > 1
    if several:
        coef = ParameterGroup(
            "coef_",
            "coefficients",
            params.coef,
            (params.outputs, params.feature_names),
            per_sd=params.coef_per_sd,
            fitted=params.coef_fitted,
            axis_names=("output", "feature"),
        )
        intercept_terms = tuple(f"{o}: {INTERCEPT}" for o in params.outputs)
    else:
        coef = ParameterGroup(
            "coef_",
            "coefficients",
            params.coef[0],
            (params.feature_names,),
            per_sd=params.coef_per_sd[0],
            fitted=params.coef_fitted[0],
            axis_names=("feature",),
        )
        intercept_terms = (INTERCEPT,)
    intercept = ParameterGroup(
        "intercept_",
        "intercept",
        params.intercept,
        (params.outputs,),
        fitted=params.intercept_fitted,
        learned=params.fit_intercept,
        axis_names=("output",),
        term_labels=intercept_terms,
    )
    return LearnedParameters(groups=(coef, intercept), detail=params)


def extract_linear(fit: FitResult) -> LearnedParameters:
    """A linear family's ``extract`` capability."""
    return linear_learned(extract_linear_parameters(fit))


#: The generated script's lines that read a linear model's parameters (a family's
#: ``script_parameters``): the same back-transform as :func:`raw_linear_coefficients`.
LINEAR_SCRIPT = """# --- learned parameters, back in the features' own units ---
coef_fitted = np.atleast_2d(np.asarray(model.coef_, dtype=float))
intercept_fitted = np.atleast_1d(np.asarray(model.intercept_, dtype=float))
if intercept_fitted.size == 1 and coef_fitted.shape[0] > 1:
    intercept_fitted = np.repeat(intercept_fitted, coef_fitted.shape[0])
if SCALE:
    # The model saw (x - mean) / sd: per unit, w / sd; the intercept, b - sum(w * mean / sd).
    scaler = pipeline.named_steps["scale"]
    coef = coef_fitted / scaler.scale_
    shift = scaler.mean_ if scaler.with_mean else np.zeros_like(scaler.scale_)
    intercept = intercept_fitted - coef_fitted @ (shift / scaler.scale_)
    feature_sd = np.asarray(scaler.scale_, dtype=float)
else:
    coef, intercept = coef_fitted, intercept_fitted
    imputer = pipeline.named_steps.get("impute")
    seen = imputer.transform(X_train) if imputer is not None else X_train.to_numpy(dtype=float)
    feature_sd = seen.std(axis=0)
learned = {
    "coef_": (coef_fitted if len(outputs) > 1 else coef_fitted[0]).tolist(),
    "intercept_": intercept_fitted.tolist(),
}
report = {
    "outputs": outputs,
    "coef": coef.tolist(),
    "intercept": intercept.tolist(),
    "coef_per_sd": (coef * feature_sd).tolist(),
    "fitted": {"coef_": coef_fitted.tolist(), "intercept_": intercept_fitted.tolist()},
}
"""


#: What one coefficient means, by task (a linear family's ``parameter_meaning``).
LINEAR_MEANING = {
    "regression": "Each coefficient is the change in the predicted {target} for one more "
    "unit of its feature (per SD: one more standard deviation), the other features held "
    "fixed. The intercept is the prediction when every feature is 0.",
    "classification": "Each coefficient is the change in an output class's log-odds score "
    "for one more unit of its feature (per SD: one more standard deviation), the other "
    "features held fixed. With two classes there is one row, for the second class against "
    "the first.",
}

#: A linear family's model-card caveats.
LINEAR_CAVEATS = (
    "Each coefficient holds the other features fixed. Correlated features share and trade "
    "weight, so single coefficients can be unstable across samples.",
    "A penalty, where the estimator has one, shrinks coefficients toward zero: their size "
    "reflects the hyperparameters as well as the data.",
)


def hat_trace(design: np.ndarray, l2: float) -> float:
    """``tr[X (XᵀX + l2·I)⁻¹ Xᵀ]``: ``Σ d²/(d² + l2)`` over the singular values ``d`` of
    ``X``, without forming the n × n hat matrix."""
    if design.shape[1] == 0:
        return 0.0
    d = np.linalg.svd(design, compute_uv=False)
    return float(np.sum(d**2 / (d**2 + l2)))


def elastic_net_l2(model: Any, n_rows: int) -> float:
    """The L2 weight ``λ₂`` of a coordinate-descent fit (ElasticNet, Lasso) on the scale of
    ``½‖y − Xw‖² + λ₁‖w‖₁ + ½λ₂‖w‖²``.

    scikit-learn minimises ``1/(2n)‖y − Xw‖² + alpha·l1_ratio‖w‖₁ + ½·alpha·(1 − l1_ratio)
    ‖w‖²``; multiplied by ``n`` that is the form above with ``λ₁ = n·alpha·l1_ratio`` and
    ``λ₂ = n·alpha·(1 − l1_ratio)``. The lasso (``l1_ratio = 1``) has ``λ₂ = 0``.
    """
    l1_ratio = float(getattr(model, "l1_ratio", 1.0))
    return float(n_rows * float(model.alpha) * (1.0 - l1_ratio))


def effective_linear_parameters(fit: FitResult, dataset: Any) -> float:
    """A linear family's effective number of parameters, by the textbook definitions.

    - Ridge (an L2-only penalty traced by one SVD): the trace of the hat matrix,
      ``Σ_i d_i² / (d_i² + alpha)`` over the singular values ``d_i`` of the design the model
      saw (Hastie, Tibshirani and Friedman, *The Elements of Statistical Learning*,
      eq. 3.50).
    - Elastic net: ``tr[X_A (X_Aᵀ X_A + λ₂ I)⁻¹ X_Aᵀ]`` over the active set ``A`` (the
      non-zero coefficients), with ``λ₂ = n·alpha·(1 − l1_ratio)`` (:func:`elastic_net_l2`):
      the unbiased degrees-of-freedom estimate of Zou, Hastie and Tibshirani (2007, "On the
      degrees of freedom of the lasso") and Tibshirani and Taylor (2012, "Degrees of freedom
      in lasso problems"). Each output has its own active set.
    - Lasso (``λ₂ = 0``) and unpenalised fits: the number of non-zero coefficients, the same
      estimate for the lasso and the nominal count otherwise.

    The design is the rows as the model saw them (standardised when the page scales),
    centred when the model learns an intercept, as scikit-learn centres them; a learned
    intercept then adds one per output (the trace of the centring matrix ``11ᵀ/n``).
    """
    params = extract_linear_parameters(fit)
    intercepts = len(params.outputs) if params.fit_intercept else 0
    tracer = fit.estimator_spec.path if fit.estimator_spec is not None else None
    if tracer is None:
        return float(np.count_nonzero(params.coef_fitted)) + intercepts
    design = model_features(fit, dataset)
    if params.fit_intercept:
        design = design - design.mean(axis=0)
    # The penalty's own definition, from the tracer that knows its form (the hat trace for
    # an L2 share); None where the non-zero count is the estimate (the lasso).
    effective = tracer.effective_parameters(fit, design, params.coef_fitted)
    if effective is None:
        return float(np.count_nonzero(params.coef_fitted)) + intercepts
    return effective + intercepts


#: A linear family's ``effective_definition``.
LINEAR_EFFECTIVE = (
    "ridge: the trace of the hat matrix, the sum of d²/(d² + alpha) over the singular values "
    "of the design the model saw (Hastie et al., The Elements of Statistical Learning, "
    "eq. 3.50); elastic net: the same trace over the columns of the non-zero coefficients, "
    "tr[X_A(X_AᵀX_A + λ₂I)⁻¹X_Aᵀ] with λ₂ = n·alpha·(1 − l1_ratio) on scikit-learn's scale "
    "(Zou, Hastie and Tibshirani 2007; Tibshirani and Taylor 2012); lasso: the non-zero "
    "coefficients, the same estimate with λ₂ = 0 (Zou, Hastie and Tibshirani 2007); "
    "unpenalised fits: the coefficients; plus one for a learned intercept"
)
