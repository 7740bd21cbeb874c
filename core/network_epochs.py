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
from core.fitting import FitResult, recorded_warnings
from core.network import (
    STOCHASTIC_SOLVERS,
    model_inputs,
    model_with_weights,
    parameter_arrays,
)
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


def epochs_range(n_epochs: int) -> np.ndarray:
    """``0 .. n_epochs``: without early stopping ``fit(max_iter=k)`` returns epoch ``k``."""
    return np.arange(n_epochs + 1)


def max_iter_returning(trace: EpochTrace, epoch: int) -> tuple[int, int | None] | None:
    """Which ``max_iter`` values make ``fit`` return exactly the weights after ``epoch``.

    For the traced setting with the same ``random_state`` (every such fit trains the same
    epochs in the same order, and each stopping decision depends only on the epochs before
    it). Without early stopping, ``fit(max_iter=k)`` returns epoch ``k``'s weights. With
    ``early_stopping``, it returns the weights of the epoch with the best validation score
    among epochs 1 to ``k`` (:attr:`EpochTrace.best_so_far`; scikit-learn keeps a copy only
    when a score is strictly higher, so an epoch that only ties is never returned). Past
    ``n_epochs``, a run that stopped before its ``max_iter`` stopped by its own rule, so any
    larger ``max_iter`` stops there too; a run that used all its epochs would go on.

    Parameters
    ----------
    trace : EpochTrace
    epoch : int
        An epoch from 0 (the random start) to ``trace.n_epochs``.

    Returns
    -------
    tuple or None
        ``(first, last)``: every ``max_iter`` from ``first`` to ``last`` inclusive, ``last``
        None for "and every larger one"; None when no ``fit`` returns these weights
        (scikit-learn rejects ``max_iter=0``, and with early stopping an epoch that did not
        beat the best validation score so far is never returned).
    """
    n = trace.n_epochs
    if not 0 <= epoch <= n:
        raise ValueError(f"epoch must be between 0 and {n}, got {epoch}.")
    if trace.restored_epoch is None:
        calls = [epoch] if epoch >= 1 else []
    else:
        best = np.asarray(trace.best_so_far)
        calls = [int(k) for k in np.flatnonzero(best[1 : n + 1] == epoch) + 1]
    if not calls:
        return None
    stopped_itself = trace.max_iter is not None and n < trace.max_iter
    last = None if calls[-1] == n and stopped_itself else calls[-1]
    return calls[0], last


def _max_iter_text(name: str, calls: tuple[int, int | None]) -> str:
    """``"MLPClassifier(max_iter=k) returns ..."`` for the values of :func:`max_iter_returning`."""
    first, last = calls
    if last is None:
        return f"{name}(max_iter=k) returns for every k from {first} up,"
    if first == last:
        return f"{name}(max_iter={first}) returns"
    return f"{name}(max_iter=k) returns for every k from {first} to {last},"


def _stopped_text(trace: EpochTrace, calls: tuple[int, int | None] | None) -> str:
    """Why a larger ``max_iter`` ends the same way, when the caption claimed it."""
    if calls is None or calls[1] is not None:
        return ""
    return (
        f" The run stopped by its own rule after epoch {trace.n_epochs}, before its max_iter "
        f"of {trace.max_iter}, so any larger max_iter stops there too."
    )


def epoch_caption(trace: EpochTrace, epoch: int, estimator_name: str) -> str:
    """What the weights after ``epoch`` are, and exactly which ``fit`` call returns them.

    Every claim about ``fit(max_iter=k)`` follows :func:`max_iter_returning`: epoch 0 is the
    random start (scikit-learn rejects ``max_iter=0``); with early stopping a call returns
    the best validation epoch so far, so the caption names that epoch instead of claiming
    the chosen one. When ``trace.matches_fit`` is False (``random_state`` none) the traced
    run is another network than the page's, and the caption says so instead.

    Parameters
    ----------
    trace : EpochTrace
    epoch : int
        A kept epoch, 0 to ``trace.n_epochs``.
    estimator_name : str
        The class name the sentences use (``"MLPClassifier"``).

    Returns
    -------
    str
        Plain sentences, with the epochs, scores and ``max_iter`` values of this run.
    """
    name = estimator_name
    early = trace.restored_epoch is not None
    parts: list[str] = []
    if trace.matches_fit is False:
        parts.append(
            "random_state is none, so this recorded run started from other random weights "
            "than the page's fit and ends on another network; set random_state to follow the "
            "page's own network."
        )
        if epoch == 0:
            parts.append("Epoch 0 is its random starting weights, before any update.")
    else:
        calls = max_iter_returning(trace, epoch)
        if epoch == 0:
            parts.append(
                "Epoch 0 is the network's random starting weights, drawn from random_state "
                "before any weight update. scikit-learn rejects max_iter=0 (a fit trains at "
                "least one epoch), so"
                + (
                    " no fit stops here; but with early_stopping these starting weights are "
                    f"exactly what {_max_iter_text(name, calls).rstrip(',')}: no epoch up to "
                    "there had a validation score above -inf (a NaN score never counts as "
                    "better)." + _stopped_text(trace, calls)
                    if calls is not None
                    else " no fit returns these weights: they are where training starts."
                )
            )
        elif not early:
            parts.append(
                f"The weights after epoch {epoch} are exactly the network that "
                f"{_max_iter_text(name, calls)} with this setting and random_state: the run "
                "was recorded as scikit-learn trained it, not replayed, so these are its "
                "scores." + _stopped_text(trace, calls)
            )
        elif calls is not None:
            parts.append(
                f"With early_stopping, fit(max_iter=k) returns the weights of the epoch with "
                f"the best validation score among epochs 1 to k. Epoch {epoch}'s score "
                f"({trace.validation_scores[epoch - 1]:.4g}) was the best so far, so its "
                f"weights are exactly the network that {_max_iter_text(name, calls)} with "
                "this setting and random_state (recorded as scikit-learn trained it, not "
                "replayed)." + _stopped_text(trace, calls)
            )
        else:
            best = int(trace.best_so_far[epoch])
            score = trace.validation_scores[epoch - 1]
            returned = (
                "the random starting weights (epoch 0): no epoch so far had a validation "
                "score above -inf"
                if best == 0
                else f"epoch {best}'s weights (validation score "
                f"{trace.validation_scores[best - 1]:.4g}, the best so far)"
            )
            parts.append(
                f"These are the weights after epoch {epoch} of the recorded run, but with "
                f"early_stopping no fit returns them: {name}(max_iter={epoch}) returns "
                f"{returned}, because epoch {epoch}'s validation score ({score:.4g}) did "
                "not beat it."
            )
    if early and trace.restored_epoch < trace.n_epochs:
        parts.append(
            f"Early stopping ran {trace.n_epochs} epochs and then restored epoch "
            f"{trace.restored_epoch} (the star): the final model holds its weights, not the "
            "last epoch's."
        )
    if trace.stride > 1:
        parts.append(
            f"To bound memory, the weights of every {trace.stride}th epoch are kept (and the "
            "first, last and restored ones): the slider moves between those."
        )
    return " ".join(parts)


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


# --- a two-feature decision surface ------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Surface:
    """A fitted network's predictions over a grid of its two features.

    Parameters
    ----------
    features : tuple of str
        The two features (x axis, y axis), in the features' own units.
    x, y : ndarray of shape (n_grid,)
        Grid coordinates.
    values : ndarray
        Classification: ``(n_grid, n_grid, n_classes)`` probabilities, ``values[i, j, k]``
        at ``(x[j], y[i])``; regression: ``(n_grid, n_grid)`` predictions.
    classes : tuple of str
        Class labels (empty for regression).
    points : DataFrame
        The training rows: the two features and ``target``.
    epoch : int or None
        The epoch whose weights made the predictions (None: the final model).
    """

    features: tuple[str, str]
    x: np.ndarray
    y: np.ndarray
    values: np.ndarray
    classes: tuple[str, ...]
    points: pd.DataFrame
    epoch: int | None


def prediction_surface(
    fit: FitResult,
    dataset: Dataset,
    trace: EpochTrace | None = None,
    epoch: int | None = None,
    n_grid: int = 80,
) -> Surface:
    """Predictions of the page's network (or its weights at ``epoch``) over two features.

    Only for data with exactly two features (moons, circles): the surface is then the model
    itself, not a refit on two features. The grid spans the training rows plus a margin.

    Raises
    ------
    ValueError
        If the data do not have exactly two features.
    """
    if dataset.X.shape[1] != 2:
        raise ValueError(
            "A decision surface needs data with exactly two features (such as moons); "
            f"this data set has {dataset.X.shape[1]}."
        )
    pipeline = (
        fit.pipeline if trace is None or epoch is None else pipeline_at_epoch(fit, trace, epoch)
    )
    X_train = dataset.X.iloc[fit.split.train]
    axes = []
    for column in X_train.columns:
        values = X_train[column].to_numpy(dtype=float)
        low, high = np.nanmin(values), np.nanmax(values)
        pad = 0.1 * (high - low) or 1.0
        axes.append(np.linspace(low - pad, high + pad, n_grid))
    gx, gy = np.meshgrid(*axes)
    grid = pd.DataFrame({X_train.columns[0]: gx.ravel(), X_train.columns[1]: gy.ravel()})
    if is_classifier(fit.model):
        values = pipeline.predict_proba(grid).reshape(n_grid, n_grid, -1)
        classes = tuple(str(c) for c in fit.model.classes_)
    else:
        values = pipeline.predict(grid).reshape(n_grid, n_grid)
        classes = ()
    points = X_train.copy()
    points["target"] = dataset.y.iloc[fit.split.train].to_numpy()
    return Surface(
        features=(str(X_train.columns[0]), str(X_train.columns[1])),
        x=axes[0],
        y=axes[1],
        values=values,
        classes=classes,
        points=points.reset_index(drop=True),
        epoch=epoch if trace is not None else None,
    )
