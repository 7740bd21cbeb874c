"""A network's training epoch by epoch: the weights after every epoch of one real ``fit``,
their scores, and their predictions over two features.

The weights are recorded while scikit-learn's own ``fit`` runs (a subclass overriding two
per-epoch hooks), so the snapshot after epoch ``k`` is exactly the network
``fit(max_iter=k)`` returns without early stopping (with it, ``fit(max_iter=k)`` returns the
snapshot of the best validation epoch up to ``k``: :func:`max_iter_returning` says which
calls return a snapshot, :func:`epoch_caption` says it in words); predictions at an epoch
come from a copy of the fitted estimator holding that epoch's weights.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import is_classifier
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline

from core.data.tables import Dataset
from core.families.neural_network.layers import (
    STOCHASTIC_SOLVERS,
    model_inputs,
    model_with_weights,
    parameter_arrays,
)
from core.fitting import FitResult, recorded_warnings
from core.scoring import TASK_SCORING

#: Bounds on what an epoch trace keeps in memory (the page caches it).
TRACE_MAX_SNAPSHOTS = 2001
TRACE_MAX_BYTES = 50_000_000


# --- epoch snapshots ---------------------------------------------------------------------------
class _Recorder:
    """Collects snapshots of the weights while one ``fit`` runs (see :class:`_EpochRecorder`)."""

    def __init__(self, max_snapshots: int, max_bytes: int) -> None:
        self.max_snapshots = max_snapshots
        self.max_bytes = max_bytes
        self.cap = max_snapshots
        self.stride = 1
        self.kept: dict[int, tuple[list[np.ndarray], list[np.ndarray]]] = {}
        self.last: tuple[list[np.ndarray], list[np.ndarray]] | None = None
        self.epoch = 0
        self.best_epoch = 0
        self.best_so_far: list[int] = [0]

    def start(self, model: Any) -> None:
        n_values = sum(w.size for w in model.coefs_) + sum(b.size for b in model.intercepts_)
        per_snapshot = n_values * model.coefs_[0].itemsize
        self.cap = max(2, min(self.max_snapshots, self.max_bytes // max(per_snapshot, 1)))
        self.kept[0] = _copy_weights(model)

    def end_of_epoch(self, model: Any, improved: bool) -> None:
        self.epoch += 1
        if improved:
            self.best_epoch = self.epoch
        self.best_so_far.append(self.best_epoch)
        if model.early_stopping:
            # The last epoch's weights are replaced by the best epoch's when fit ends:
            # keep them in a reused buffer (no allocation per epoch).
            if self.last is None:
                self.last = _copy_weights(model)
            else:
                for dst, src in zip(
                    self.last[0] + self.last[1], parameter_arrays(model), strict=True
                ):
                    np.copyto(dst, src)
        if self.epoch % self.stride == 0:
            self.kept[self.epoch] = _copy_weights(model)
            if len(self.kept) > self.cap:
                # Thin to every other kept epoch: memory stays bounded however long it runs.
                self.stride *= 2
                self.kept = {e: w for e, w in self.kept.items() if e % self.stride == 0}


def _copy_weights(model: Any) -> tuple[list[np.ndarray], list[np.ndarray]]:
    return [w.copy() for w in model.coefs_], [b.copy() for b in model.intercepts_]


class _EpochRecorder:
    """Mixin for scikit-learn's MLPs: snapshot the weights once per epoch during ``fit``.

    ``_fit_stochastic`` (scikit-learn 1.9.1) calls ``_update_no_improvement_count`` exactly
    once per epoch, after the epoch's last weight update and before the stopping test;
    ``_initialize`` sets the initial weights. Overriding these two hooks (each calls the
    original first) records the very arrays plain ``fit`` computes, at the cost of one copy
    per kept epoch. ``partial_fit`` cannot do this (it restarts the sample order each call),
    nor can ``warm_start`` with one iteration (it rebuilds the optimiser, losing Adam's
    moments and SGD's momentum).
    """

    _epoch_recorder: _Recorder | None = None

    def _initialize(self, y: Any, layer_units: Any, dtype: Any) -> None:
        super()._initialize(y, layer_units, dtype)  # type: ignore[misc]
        if self._epoch_recorder is not None:
            self._epoch_recorder.start(self)

    def _update_no_improvement_count(
        self, early_stopping: bool, X: Any, y: Any, sample_weight: Any
    ) -> None:
        best_before = getattr(self, "_best_coefs", None)
        super()._update_no_improvement_count(early_stopping, X, y, sample_weight)  # type: ignore[misc]
        if self._epoch_recorder is not None:
            # scikit-learn rebinds _best_coefs only when the validation score improved
            # strictly, so identity says which epoch early stopping will restore.
            improved = early_stopping and self._best_coefs is not best_before
            self._epoch_recorder.end_of_epoch(self, improved)


class RecordingMLPClassifier(_EpochRecorder, MLPClassifier):
    """``MLPClassifier`` that snapshots its weights per epoch (see :func:`trace_estimator`)."""


class RecordingMLPRegressor(_EpochRecorder, MLPRegressor):
    """``MLPRegressor`` that snapshots its weights per epoch (see :func:`trace_estimator`)."""


@dataclass(frozen=True, eq=False)
class EpochTrace:
    """One training run's weights after each epoch, with its loss curve.

    Parameters
    ----------
    epochs : ndarray of int
        The epochs whose weights are kept, ascending; 0 is the initial (random) weights.
        Every epoch when ``stride == 1``.
    coefs, intercepts : tuple
        ``coefs[k][i]`` is ``coefs_[i]`` after epoch ``epochs[k]``; likewise intercepts.
    loss_curve : ndarray of shape (n_epochs,)
        ``loss_curve_``: training loss (with the ``alpha`` penalty) averaged over each
        epoch's mini-batches, so it lags the weights at the epoch's end a little.
    validation_scores : ndarray of shape (n_epochs,) or None
        ``validation_scores_`` with ``early_stopping`` (accuracy or R² on the held-out
        share of the training rows), else None.
    best_so_far : ndarray of shape (n_epochs + 1,)
        With ``early_stopping``, the epoch whose weights ``fit(max_iter=k)`` would return
        for each ``k`` (the best validation score so far); else ``arange(n_epochs + 1)``.
    restored_epoch : int or None
        With ``early_stopping``, the epoch whose weights the final model holds.
    stride : int
        1 when every epoch is kept; a power of two when memory limits thinned them.
    warnings : tuple of str
        Warnings of the traced run.
    seconds : float
        Wall time of the traced ``fit``.
    matches_fit : bool or None
        Whether the final weights equal the page's fitted model (None when not compared).
    max_iter : int or None
        The traced setting's ``max_iter`` (None when unknown): a run that stopped before it
        stopped by its own rule, so any larger ``max_iter`` ends the same way.
    """

    epochs: np.ndarray
    coefs: tuple[tuple[np.ndarray, ...], ...]
    intercepts: tuple[tuple[np.ndarray, ...], ...]
    loss_curve: np.ndarray
    validation_scores: np.ndarray | None
    best_so_far: np.ndarray
    restored_epoch: int | None
    stride: int
    warnings: tuple[str, ...]
    seconds: float
    matches_fit: bool | None = None
    max_iter: int | None = None

    @property
    def n_epochs(self) -> int:
        """Epochs trained."""
        return len(self.loss_curve)

    @property
    def n_bytes(self) -> int:
        """Memory of the kept weights."""
        return sum(a.nbytes for snap in (*self.coefs, *self.intercepts) for a in snap)

    def nearest_epoch(self, epoch: int) -> int:
        """The kept epoch nearest ``epoch`` (the later one on a tie)."""
        k = int(np.argmin(np.abs(self.epochs - epoch)[::-1]))
        return int(self.epochs[::-1][k])

    def weights_at(self, epoch: int) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
        """``(coefs, intercepts)`` after ``epoch``; ``KeyError`` if that epoch was not kept."""
        hits = np.flatnonzero(self.epochs == epoch)
        if not len(hits):
            raise KeyError(f"epoch {epoch} was not kept; nearest is {self.nearest_epoch(epoch)}")
        return self.coefs[hits[0]], self.intercepts[hits[0]]

    def table(self) -> pd.DataFrame:
        """One row per epoch: ``epoch`` (1-based), ``loss``, ``validation_score`` (NaN
        without early stopping), ``kept`` (weights available) and ``restored``."""
        epochs = np.arange(1, self.n_epochs + 1)
        val = (
            self.validation_scores
            if self.validation_scores is not None
            else np.full(self.n_epochs, np.nan)
        )
        return pd.DataFrame(
            {
                "epoch": epochs,
                "loss": self.loss_curve,
                "validation_score": val,
                "kept": np.isin(epochs, self.epochs),
                "restored": epochs == (self.restored_epoch or -1),
            }
        )


def epoch_trace_unavailable(values: dict[str, Any]) -> str | None:
    """Why a setting has no per-epoch trace, as a sentence; None when it has one."""
    if values.get("solver", "adam") not in STOCHASTIC_SOLVERS:
        return (
            "lbfgs has no epochs: it takes full-batch quasi-Newton steps on the whole "
            "training set, and scikit-learn keeps only the final weights and loss (no "
            "loss_curve_), so there is no per-epoch trace. Choose adam or sgd to watch the "
            "weights train."
        )
    return None


def trace_estimator(
    estimator: MLPClassifier | MLPRegressor,
    X: Any,
    y: Any,
    *,
    max_snapshots: int = TRACE_MAX_SNAPSHOTS,
    max_bytes: int = TRACE_MAX_BYTES,
) -> tuple[EpochTrace, MLPClassifier | MLPRegressor]:
    """Train once with ``estimator``'s settings and keep the weights after every epoch.

    The snapshot after epoch ``k`` is exactly (bit for bit) the network that ``fit`` with
    ``max_iter=k`` returns for the same setting and ``random_state`` (without early
    stopping; with it, ``fit(max_iter=k)`` returns the snapshot at ``best_so_far[k]``).

    Parameters
    ----------
    estimator : MLPClassifier or MLPRegressor
        Fitted or not; only its parameters are used (it is not modified).
    X, y : array-like
        Training rows as the estimator sees them (already scaled).
    max_snapshots, max_bytes : int
        Memory bounds: past either, every other kept epoch is dropped (``stride`` doubles);
        epoch 0, the last epoch and the restored epoch are always kept.

    Returns
    -------
    trace : EpochTrace
    model : fitted estimator of the recording subclass (same weights as plain ``fit``).

    Raises
    ------
    ValueError
        For lbfgs (see :func:`epoch_trace_unavailable`).
    """
    params = estimator.get_params()
    reason = epoch_trace_unavailable(params)
    if reason:
        raise ValueError(reason)
    recording = RecordingMLPClassifier if is_classifier(estimator) else RecordingMLPRegressor
    model = recording(**params)
    recorder = _Recorder(max_snapshots, max_bytes)
    model._epoch_recorder = recorder
    start = time.perf_counter()
    with recorded_warnings() as shown:
        model.fit(X, y)
    seconds = time.perf_counter() - start
    model._epoch_recorder = None
    n_epochs = model.n_iter_
    kept = dict(recorder.kept)
    restored = None
    if model.early_stopping:
        restored = recorder.best_epoch
        kept[n_epochs] = recorder.last
        kept[restored] = _copy_weights(model)
    else:
        kept[n_epochs] = _copy_weights(model)
    epochs = np.array(sorted(kept), dtype=int)
    trace = EpochTrace(
        epochs=epochs,
        coefs=tuple(tuple(kept[e][0]) for e in epochs),
        intercepts=tuple(tuple(kept[e][1]) for e in epochs),
        loss_curve=np.asarray(model.loss_curve_, dtype=float),
        validation_scores=(
            np.asarray(model.validation_scores_, dtype=float) if model.early_stopping else None
        ),
        best_so_far=np.asarray(
            recorder.best_so_far if model.early_stopping else epochs_range(n_epochs)
        ),
        restored_epoch=restored,
        stride=recorder.stride,
        warnings=tuple(shown),
        seconds=seconds,
        max_iter=int(params["max_iter"]),
    )
    return trace, model


def epoch_trace(fit: FitResult, dataset: Dataset, **bounds: int) -> EpochTrace:
    """Trace the page's fit epoch by epoch: the same setting on the same training rows.

    Costs one more training run (the page's own fit used plain scikit-learn). ``matches_fit``
    says whether the traced run ended on exactly the page's weights; it is False when
    ``random_state`` is None (every run starts from other random weights).

    Raises
    ------
    ValueError
        For lbfgs, with the sentence of :func:`epoch_trace_unavailable`.

    Parameters
    ----------
    fit : FitResult
        A fit of this family with solver adam or sgd.
    dataset : Dataset
        The data set it was fitted on.
    **bounds
        ``max_snapshots`` and ``max_bytes`` for :func:`trace_estimator`.
    """
    X, y = model_inputs(fit, dataset, "train")
    trace, _ = trace_estimator(fit.model, X, y, **bounds)
    final_coefs, final_intercepts = trace.weights_at(trace.restored_epoch or trace.n_epochs)
    matches = all(
        np.array_equal(a, b)
        for a, b in zip(
            [*final_coefs, *final_intercepts],
            [*fit.model.coefs_, *fit.model.intercepts_],
            strict=True,
        )
    )
    return dataclasses.replace(trace, matches_fit=matches)


def pipeline_at_epoch(fit: FitResult, trace: EpochTrace, epoch: int) -> Pipeline:
    """The page's fitted pipeline with the model's weights as they were after ``epoch``."""
    coefs, intercepts = trace.weights_at(epoch)
    model = model_with_weights(fit.model, coefs, intercepts)
    return Pipeline([*fit.pipeline.steps[:-1], ("model", model)])


def _primary_and_loss(model: Any, X: Any, y: Any) -> tuple[float, float]:
    """The task's primary score and the loss without the penalty, from one prediction.

    The same numbers as ``accuracy_score`` and ``log_loss`` (probabilities clipped to
    ``[eps, 1 - eps]``) for classes, and ``r2_score`` and half the mean squared error for
    numbers, computed with numpy: scikit-learn's metric functions validate their inputs for
    about 25 ms a call, which would cost seconds over a trace's snapshots. Predictions come
    from the estimator itself.
    """
    if is_classifier(model):
        proba = np.asarray(model.predict_proba(X), dtype=float)
        classes = np.asarray(model.classes_)
        y_true = np.asarray(y)
        index = np.searchsorted(classes, y_true)
        predicted = classes[np.argmax(proba, axis=1)]
        eps = np.finfo(proba.dtype).eps
        picked = np.clip(proba, eps, 1 - eps)[np.arange(len(y_true)), index]
        return float(np.mean(predicted == y_true)), float(np.mean(-np.log(picked)))
    y_true = np.asarray(y, dtype=float)
    residual = y_true - np.asarray(model.predict(X), dtype=float)
    total = float(np.sum((y_true - y_true.mean()) ** 2))
    sse = float(np.sum(residual**2))
    if len(y_true) < 2:
        r2 = np.nan
    elif total == 0:
        r2 = 1.0 if sse == 0 else 0.0  # r2_score's force_finite rule
    else:
        r2 = 1 - sse / total
    return float(r2), float(0.5 * np.mean(residual**2))


def snapshot_scores(
    fit: FitResult, dataset: Dataset, trace: EpochTrace, max_points: int = 200
) -> pd.DataFrame:
    """Train and test score and loss of the kept snapshots (at most ``max_points``).

    About 2 ms per snapshot and set of rows (see :func:`_primary_and_loss`).

    Returns
    -------
    DataFrame
        ``epoch``, ``train_loss`` and ``test_loss`` (the loss without the penalty at the
        epoch's end), ``train_score``, ``test_score`` (the task's primary score; the test
        columns are NaN without test rows).
    """
    pick = np.unique(np.linspace(0, len(trace.epochs) - 1, min(max_points, len(trace.epochs))))
    X_train, y_train = model_inputs(fit, dataset, "train")
    test = model_inputs(fit, dataset, "test") if fit.split.test is not None else None
    rows = []
    for k in pick.astype(int):
        model = model_with_weights(fit.model, trace.coefs[k], trace.intercepts[k])
        train_score, train_loss = _primary_and_loss(model, X_train, y_train)
        test_score = test_loss = np.nan
        if test is not None:
            test_score, test_loss = _primary_and_loss(model, *test)
        rows.append(
            {
                "epoch": int(trace.epochs[k]),
                "train_loss": train_loss,
                "test_loss": test_loss,
                "train_score": train_score,
                "test_score": test_score,
            }
        )
    return pd.DataFrame(rows)


def epoch_metrics(fit: FitResult, dataset: Dataset, trace: EpochTrace, epoch: int) -> pd.DataFrame:
    """Every score of the page's metrics table for the weights after ``epoch``.

    Scored exactly as :func:`core.fitting.fit_model` scores a fit (the same pipeline steps,
    rows and metric functions), so without early stopping the table equals
    ``fit_model(..., max_iter=epoch).metrics`` for the same setting and ``random_state``.

    Returns
    -------
    DataFrame
        Index ``metric`` (accuracy, ROC AUC, log loss; or R², RMSE, MAE), columns
        ``train`` and ``test`` (NaN without test rows).

    Raises
    ------
    KeyError
        If ``epoch`` was not kept (see :meth:`EpochTrace.weights_at`).
    """
    pipeline = pipeline_at_epoch(fit, trace, epoch)
    score = TASK_SCORING[dataset.task].metrics
    train = score(pipeline, *fit.split.train_rows(dataset))
    test_rows = fit.split.test_rows(dataset)
    test = score(pipeline, *test_rows) if test_rows is not None else dict.fromkeys(train, np.nan)
    metrics = pd.DataFrame({"train": train, "test": test})
    metrics.index.name = "metric"
    return metrics


def epochs_range(n_epochs: int) -> np.ndarray:
    """``0 .. n_epochs``: without early stopping ``fit(max_iter=k)`` returns epoch ``k``."""
    return np.arange(n_epochs + 1)
