"""scikit-learn's SGD on every feature, one real ``partial_fit`` call per epoch.

:func:`sgd_trajectory` runs ``SGDRegressor`` / ``SGDClassifier`` epoch by epoch and records
every coefficient, next to the closed-form model of the same penalised objective
(:func:`core.families.gradient_descent.family.reference_model`); :func:`sgd_trajectory_for_fit`
replays a page's own fit on its training rows and scaler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler

from core.data.tables import Dataset, Task
from core.families.gradient_descent.family import (
    DIVERGED_LOSS_FACTOR,
    Reference,
    make_sgd,
    objective,
    reference_model,
    training_loss,
)
from core.families.gradient_descent.problem import DescentError
from core.fitting import FitResult, recorded_warnings, training_features
from core.text import Sentence

#: Most epochs :func:`sgd_trajectory` runs (each a real ``partial_fit`` call, 0.4 ms on
#: diabetes): scikit-learn's default ``max_iter``, so a default fit replays whole.
MAX_TRAJECTORY_EPOCHS = 1000

#: ``progress(done, total)``: called after each epoch (a page's progress bar).
Progress = Callable[[int, int], None]


@dataclass(frozen=True, eq=False)
class SGDTrajectory:
    """scikit-learn SGD's coefficients after each epoch, with the optimum they head for.

    Parameters
    ----------
    epochs : ndarray of shape (E,)
        1 .. E: one ``partial_fit`` call each.
    coef, intercept : ndarray of shape (E, k, p) and (E, k)
        In the features' own units (back-transformed through the scaler).
    coef_fitted, intercept_fitted : ndarray, same shapes
        As the estimator held them after each epoch.
    loss : ndarray of shape (E,)
        Training loss after each epoch (the data part of SGD's objective, see
        :func:`core.families.gradient_descent.family.training_loss`).
    objective : ndarray of shape (E,)
        What SGD minimises after each epoch: the loss plus ``alpha ½ ||w||²``.
    reference : Reference
        The closed-form model of the same penalised objective, in the fitted units.
    reference_coef, reference_intercept : ndarray of shape (k, p) and (k,)
        The reference in the features' own units.
    reference_objective : float
        The optimum's objective: no epoch can go below it.
    feature_names, outputs : tuple of str
    feature_sd : ndarray of shape (p,)
        For per-SD units: ``coef * feature_sd``.
    model : SGDRegressor or SGDClassifier or None
        The estimator after the last recorded epoch (its ``coef_`` is the last row);
        ``None`` when scikit-learn failed or overflowed in the epoch after it.
    diverged : bool
    sentences : tuple of Sentence
    warnings : tuple of str
        Warnings scikit-learn raised, recorded.
    """

    epochs: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    coef_fitted: np.ndarray
    intercept_fitted: np.ndarray
    loss: np.ndarray
    objective: np.ndarray
    reference: Reference
    reference_coef: np.ndarray
    reference_intercept: np.ndarray
    reference_objective: float
    feature_names: tuple[str, ...]
    outputs: tuple[str, ...]
    feature_sd: np.ndarray
    model: Any
    diverged: bool
    sentences: tuple[Sentence, ...]
    warnings: tuple[str, ...] = ()

    def table(self, units: Literal["raw", "fitted", "per_sd"] = "raw") -> pd.DataFrame:
        """Tidy per-epoch table: ``epoch``, ``output``, ``term``, ``value``, ``reference``."""
        if units == "fitted":
            coef, inter = self.coef_fitted, self.intercept_fitted
            ref_c, ref_i = self.reference.coef, self.reference.intercept
        else:
            factor = self.feature_sd if units == "per_sd" else np.ones(len(self.feature_names))
            coef, inter = self.coef * factor, self.intercept
            ref_c, ref_i = self.reference_coef * factor, self.reference_intercept
        frames = []
        for k, output in enumerate(self.outputs):
            for j, name in enumerate((*self.feature_names, "(intercept)")):
                values = coef[:, k, j] if j < len(self.feature_names) else inter[:, k]
                ref = ref_c[k, j] if j < len(self.feature_names) else ref_i[k]
                frames.append(
                    pd.DataFrame(
                        {
                            "epoch": self.epochs,
                            "output": output,
                            "term": name,
                            "value": values,
                            "reference": ref,
                        }
                    )
                )
        return pd.concat(frames, ignore_index=True)


def _to_raw(
    coef: np.ndarray, intercept: np.ndarray, scaler: StandardScaler | None
) -> tuple[np.ndarray, np.ndarray]:
    """Back-transform fitted-unit coefficients: ``w / scale`` and ``b − Σ w·mean/scale``."""
    if scaler is None:
        return coef, intercept
    shift = scaler.mean_ if scaler.with_mean else np.zeros_like(scaler.scale_)
    return coef / scaler.scale_, intercept - coef @ (shift / scaler.scale_)


@dataclass
class _Epochs:
    """What :func:`_run_epochs` recorded."""

    coefs: list[np.ndarray] = field(default_factory=list)
    intercepts: list[np.ndarray] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    objectives: list[float] = field(default_factory=list)
    problem: str = ""
    model: Any = None
    warnings: list[str] = field(default_factory=list)


def _run_epochs(
    Xs: np.ndarray,
    y: np.ndarray,
    task: Task,
    hyperparameters: dict[str, Any],
    epochs: int,
    progress: Progress | None = None,
) -> _Epochs:
    """Call ``partial_fit`` ``epochs`` times, recording the parameters after each call and
    stopping at divergence (loss past :data:`DIVERGED_LOSS_FACTOR` times the all-zero
    model's, non-finite values, or an error from scikit-learn). ``model`` is the estimator
    after the last recorded epoch, ``None`` when its last call failed. ``progress`` is told
    after each epoch."""
    model = make_sgd(task, hyperparameters)
    alpha = float(hyperparameters.get("alpha", 1e-4))
    classes = np.unique(y) if task == "classification" else None
    extra = {"classes": classes} if classes is not None else {}
    rows = 1 if classes is None or len(classes) == 2 else len(classes)
    zero_loss = training_loss(np.zeros((rows, Xs.shape[1])), np.zeros(rows), Xs, y, task, classes)
    limit = DIVERGED_LOSS_FACTOR * max(zero_loss, 1e-300)
    out = _Epochs()
    with recorded_warnings() as shown:
        for epoch in range(1, epochs + 1):
            try:
                model.partial_fit(Xs, y, **extra)
            except (ValueError, FloatingPointError, OverflowError) as exc:
                out.problem, model = f"scikit-learn stopped at epoch {epoch}: {exc}", None
                break
            coef = np.atleast_2d(np.asarray(model.coef_, dtype=float)).copy()
            intercept = np.atleast_1d(np.asarray(model.intercept_, dtype=float)).copy()
            if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
                out.problem = f"the coefficients overflowed to inf or NaN at epoch {epoch}"
                model = None
                break
            with np.errstate(over="ignore"):  # a diverging loss may overflow: checked below
                loss = training_loss(coef, intercept, Xs, y, task, classes)
                value = objective(coef, intercept, Xs, y, task, alpha, classes)
            if not (np.isfinite(loss) and np.isfinite(value)):
                out.problem = f"the training loss overflowed at epoch {epoch}"
                model = None
                break
            out.coefs.append(coef)
            out.intercepts.append(intercept)
            out.losses.append(loss)
            out.objectives.append(value)
            if progress is not None:
                progress(epoch, epochs)
            if loss > limit:
                out.problem = (
                    f"the training loss reached {loss:.3g} at epoch {epoch}, more than "
                    f"{DIVERGED_LOSS_FACTOR:.0e} times the all-zero model's {zero_loss:.3g}"
                )
                break
    out.model = model
    out.warnings = list(shown)
    return out


def _trajectory_sentences(
    hyperparameters: dict[str, Any], run: _Epochs, ref: Reference, n_rows: int, wanted: int
) -> list[Sentence]:
    """What the traced epochs show, which knobs did not apply, and any divergence."""
    out = [
        Sentence(
            f"Each point is one real call to scikit-learn's partial_fit (one epoch over the "
            f"{n_rows} training rows), {len(run.losses)} in all; the dashed lines are "
            f"{ref.label}, the exact optimum of the same objective."
        ),
        Sentence(ref.sentence),
    ]
    if wanted > MAX_TRAJECTORY_EPOCHS:
        out.append(
            Sentence(f"Only the first {MAX_TRAJECTORY_EPOCHS} of {wanted} epochs are traced.")
        )
    if hyperparameters.get("shuffle", True):
        out.append(
            Sentence(
                "shuffle is on: each partial_fit call reshuffles with the same seed, so every "
                "epoch here visits the rows in one fixed shuffled order, while fit draws a new "
                "order each epoch. The curves show the same kind of walk, not fit's exact "
                "numbers; turn shuffle off for an exact replay."
            )
        )
    if hyperparameters.get("learning_rate") == "adaptive":
        out.append(
            Sentence(
                "'adaptive' divides the rate by 5 when the loss stalls for several epochs "
                "within one fit call; one-epoch partial_fit calls never stall, so here it acts "
                "like 'constant'."
            )
        )
    if run.problem:
        optimal = hyperparameters.get("learning_rate") == "optimal"
        out.append(
            Sentence(
                f"SGD diverged: {run.problem}. The trajectory stops at the last finite epoch. "
                + (
                    "'optimal' starts with a step of about 1/(alpha·t0), huge for a small alpha "
                    "on unscaled features; "
                    if optimal
                    else ""
                )
                + "Lower eta0, or standardise the features.",
                "warning",
            )
        )
    return out


def sgd_trajectory(
    X: pd.DataFrame,
    y: pd.Series | np.ndarray,
    task: Task,
    hyperparameters: dict[str, Any],
    *,
    scale: bool | StandardScaler = True,
    epochs: int | None = None,
    progress: Progress | None = None,
) -> SGDTrajectory:
    """Run scikit-learn's SGD one epoch per ``partial_fit`` call on every feature.

    Parameters
    ----------
    X : DataFrame of shape (n_samples, n_features)
        Training features without missing values (impute first).
    y : array-like of shape (n_samples,)
    task : {"regression", "classification"}
    hyperparameters : dict
        The family's values (``eta0``, ``learning_rate``, ``power_t``, ``alpha``,
        ``shuffle``, ``random_state``; ``max_iter`` sets the default number of epochs,
        ``tol`` does not apply to ``partial_fit``).
    scale : bool or fitted StandardScaler, default=True
        Standardise the features first (a fitted scaler is used as it is, so a page's
        pipeline scaler gives the same numbers as its fit).
    epochs : int, optional
        Epochs to run; default ``max_iter``. At most :data:`MAX_TRAJECTORY_EPOCHS`.
    progress : callable, optional
        ``progress(done, total)`` after each epoch.

    Returns
    -------
    SGDTrajectory
        The last recorded epoch is ``trajectory.model``'s ``coef_`` and ``intercept_``.
        With ``shuffle=False``, ``E`` calls give ``fit(max_iter=E, tol=None)`` (to rounding:
        ``partial_fit`` folds its weight scale into the weights after every call, ``fit``
        once at the end); with ``shuffle=True`` each call reuses the seed, so every epoch
        visits the rows in one fixed shuffled order, unlike ``fit``.

    Raises
    ------
    DescentError
        If the features have missing values.
    """
    if X.isna().to_numpy().any():
        raise DescentError("The features have missing values: impute them first.")
    target_name = str(getattr(y, "name", None) or "target")
    y = np.asarray(y)
    if isinstance(scale, StandardScaler):
        scaler: StandardScaler | None = scale
    else:
        scaler = StandardScaler().fit(X) if scale else None
    if scaler is not None and not hasattr(scaler, "feature_names_in_"):
        X = np.asarray(X, dtype=float)  # a page's scaler after imputation saw no names
    Xs = np.asarray(scaler.transform(X) if scaler is not None else X, dtype=float)
    wanted = int(hyperparameters.get("max_iter", 1000) if epochs is None else epochs)
    run = _run_epochs(
        Xs, y, task, hyperparameters, max(1, min(wanted, MAX_TRAJECTORY_EPOCHS)), progress
    )
    classes = np.unique(y) if task == "classification" else None
    alpha = float(hyperparameters.get("alpha", 1e-4))
    with recorded_warnings() as ref_shown:
        ref = reference_model(Xs, y, task, alpha, classes)
    k, p = ref.coef.shape
    coef_fitted = np.array(run.coefs).reshape(-1, k, p)
    intercept_fitted = np.array(run.intercepts).reshape(-1, k)
    raw = [_to_raw(c, i, scaler) for c, i in zip(run.coefs, run.intercepts, strict=True)]
    ref_raw = _to_raw(ref.coef, ref.intercept, scaler)
    sentences = _trajectory_sentences(hyperparameters, run, ref, len(y), wanted)
    ref_objective = objective(ref.coef, ref.intercept, Xs, y, task, alpha, classes)
    if run.losses and not run.problem:
        last = np.r_[run.coefs[-1].ravel(), run.intercepts[-1]]
        target = np.r_[ref.coef.ravel(), ref.intercept]
        sentences.append(
            Sentence(
                f"After {len(run.losses)} epochs the parameters are "
                f"{np.linalg.norm(last - target):.3g} from the optimum (in the units the model "
                f"sees; the optimum's own size is {np.linalg.norm(target):.3g}), and the "
                f"objective (mean loss plus alpha ½‖w‖²) is {run.objectives[-1]:.5g} against "
                f"the optimum's {ref_objective:.5g}."
            )
        )
    if task == "regression":
        outputs: tuple[str, ...] = (target_name,)
    else:
        outputs = tuple(str(c) for c in (classes[1:] if len(classes) == 2 else classes))
    return SGDTrajectory(
        epochs=np.arange(1, len(run.losses) + 1),
        coef=np.array([r[0] for r in raw]).reshape(-1, k, p),
        intercept=np.array([r[1] for r in raw]).reshape(-1, k),
        coef_fitted=coef_fitted,
        intercept_fitted=intercept_fitted,
        loss=np.array(run.losses, dtype=float),
        objective=np.array(run.objectives, dtype=float),
        reference=ref,
        reference_coef=ref_raw[0],
        reference_intercept=ref_raw[1],
        reference_objective=ref_objective,
        feature_names=tuple(str(c) for c in X.columns),
        outputs=outputs,
        feature_sd=np.asarray(scaler.scale_, dtype=float) if scaler is not None else Xs.std(axis=0),
        model=run.model,
        diverged=bool(run.problem),
        sentences=tuple(sentences),
        warnings=tuple(dict.fromkeys([*run.warnings, *ref_shown])),
    )


def replay_seconds(fit: FitResult) -> float:
    """A rough estimate of :func:`sgd_trajectory_for_fit`'s time, from the fit's own: each
    ``partial_fit`` call costs about one epoch of the fit plus 0.5 ms of overhead, and the
    loss and objective are evaluated after each (about as much again)."""
    epochs = min(int(fit.model.n_iter_), MAX_TRAJECTORY_EPOCHS)
    per_epoch = fit.fit_seconds / max(int(fit.model.n_iter_), 1)
    return epochs * (2.0 * per_epoch + 5e-4)


def sgd_trajectory_for_fit(
    fit: FitResult, dataset: Dataset, progress: Progress | None = None
) -> SGDTrajectory:
    """Replay a page's SGD fit epoch by epoch on its own training rows and scaler.

    Runs as many epochs as the fit did (``n_iter_``, at most
    :data:`MAX_TRAJECTORY_EPOCHS`) and adds a sentence on whether the last epoch is the
    fitted model: it is, to rounding, when ``shuffle`` is off, every epoch is traced and
    ``learning_rate`` is not ``"adaptive"`` (which divides the rate within one ``fit``
    call). Under ``"optimal"``'s huge first steps the rounding differences between ``fit``
    and ``partial_fit`` can grow until they show; the sentence then says by how much.
    ``progress(done, total)`` is told after each epoch.
    """
    X_train = training_features(fit, dataset)
    y_train = dataset.y.iloc[fit.split.train]
    scaler = fit.pipeline.named_steps.get("scale")
    n_iter = int(fit.model.n_iter_)
    trajectory = sgd_trajectory(
        X_train,
        y_train,
        dataset.task,
        fit.hyperparameters,
        scale=scaler if scaler is not None else False,
        epochs=n_iter,
        progress=progress,
    )
    if trajectory.diverged or not len(trajectory.epochs):
        return trajectory
    fitted = np.r_[np.ravel(fit.model.coef_), np.ravel(fit.model.intercept_)]
    traced = np.r_[trajectory.coef_fitted[-1].ravel(), trajectory.intercept_fitted[-1]]
    gap = float(np.max(np.abs(traced - fitted)) / max(np.max(np.abs(fitted)), 1e-300))
    values = fit.hyperparameters
    if len(trajectory.epochs) < n_iter:
        why = f"the fit ran {n_iter} epochs and only {len(trajectory.epochs)} are traced."
    elif values.get("shuffle", True):
        why = "with shuffle on, fit and partial_fit visit the rows in different orders."
    elif values.get("learning_rate") == "adaptive" and values.get("tol") is not None:
        why = "'adaptive' lowered fit's rate when its loss stalled; partial_fit never does."
    elif gap <= 1e-9:
        why = ""
    else:
        why = (
            f"they differ by up to {100 * gap:.3g}% of the largest coefficient, from rounding: "
            "partial_fit folds its weight scale into the weights after every call, fit only "
            "at the end, and large steps (such as 'optimal''s first ones) magnify the "
            "difference."
        )
    extra = (
        Sentence(
            f"The last epoch ({len(trajectory.epochs)}) is the fitted model on this page, "
            "coefficient for coefficient."
        )
        if not why
        else Sentence(f"The last epoch is not exactly the fitted model on this page: {why}")
    )
    return replace(trajectory, sentences=(*trajectory.sentences, extra))
