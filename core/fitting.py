"""Fitting a registered estimator on a data set: split, preprocess, fit, score.

The preprocessing lives in a scikit-learn ``Pipeline`` fitted on the training rows only, so
nothing about the test rows leaks into imputation or scaling.
"""

from __future__ import annotations

import functools
import re
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import ThreadpoolController

from core.data.tables import Dataset
from core.family import EstimatorSpec, FamilySpec
from core.scoring import TASK_SCORING
from core.specs import resolve


class FitError(ValueError):
    """scikit-learn refused the setting; the message is a sentence for the page."""


class FitTooSlow(FitError):
    """The fit would take longer than the budget it was given; ``seconds`` estimates how
    long, so the page can ask before spending it."""

    def __init__(self, seconds: float, why: str) -> None:
        self.seconds = seconds
        super().__init__(f"This setting would take about {seconds:.0f} s to fit: {why}")


#: A fit asked for more iterations than this is first run with this many: when it converges
#: within them the result is the same fit (solvers stop on their tolerance, not on
#: max_iter), otherwise its time estimates the full fit's.
PROBE_ITERATIONS = 1_000


@dataclass(frozen=True, eq=False)
class Split:
    """Row positions of the training and test rows; ``test`` is ``None`` for a share of 0.

    Positions, not copies of the data, so a cached fit stays small however large the data.
    """

    train: np.ndarray
    test: np.ndarray | None

    def train_rows(self, dataset: Dataset) -> tuple[pd.DataFrame, pd.Series]:
        """Training features and target, never a view of the data set's own arrays.

        Taking every row in order (a test share of 0) gives pandas a view, and an estimator
        that stores its training rows (nearest neighbours' ``_fit_X``) would then keep the
        cached data set's memory as its own: copy, as a subset of rows already does."""
        X, y = dataset.X.iloc[self.train], dataset.y.iloc[self.train]
        if self.test is None:
            X, y = X.copy(), y.copy()
        return X, y

    def test_rows(self, dataset: Dataset) -> tuple[pd.DataFrame, pd.Series] | None:
        """Test features and target, or ``None`` without test rows."""
        if self.test is None:
            return None
        return dataset.X.iloc[self.test], dataset.y.iloc[self.test]


@dataclass(frozen=True, eq=False)
class FitResult:
    """A fitted model and everything the page shows about it.

    Parameters
    ----------
    family_id, estimator_id : str
        Which registry entries were fitted.
    hyperparameters : dict
        The values passed to the estimator (only those it takes).
    changed : tuple of str
        Hyperparameters whose value differs from scikit-learn's default.
    pipeline : Pipeline
        The fitted pipeline: optional ``impute``, optional ``scale``, then ``model``.
    split : Split
        The rows used for training and testing.
    feature_names : tuple of str
        Columns of the features, in model order.
    target : str
        Name of the predicted column.
    feature_sd : ndarray of shape (n_features,)
        Standard deviation of each feature on the training rows after imputation
        (``ddof=0``, as ``StandardScaler``).
    metrics : DataFrame
        One row per metric, columns ``train`` and ``test`` (NaN without test rows).
    warnings : tuple of str
        Warnings scikit-learn raised while fitting (convergence and the like).
    fit_seconds : float
        Wall time of the fit, to estimate how long refitting it many times will take.
    estimator_spec : EstimatorSpec, optional
        The registry entry that was fitted, so shared code can ask what it can do (a path,
        classical inference) without knowing which family it is.
    """

    family_id: str
    estimator_id: str
    hyperparameters: dict[str, Any]
    changed: tuple[str, ...]
    pipeline: Pipeline
    split: Split
    feature_names: tuple[str, ...]
    target: str
    feature_sd: np.ndarray
    metrics: pd.DataFrame
    warnings: tuple[str, ...]
    fit_seconds: float = 0.0
    estimator_spec: EstimatorSpec | None = None

    @property
    def task(self) -> str:
        """``"classification"`` when the model has classes, else ``"regression"``."""
        return "classification" if hasattr(self.model, "classes_") else "regression"

    @property
    def model(self) -> Any:
        """The fitted final estimator."""
        return self.pipeline.named_steps["model"]

    @property
    def in_sample(self) -> bool:
        """True when there are no test rows, so every metric is in-sample."""
        return self.split.test is None


def split_data(dataset: Dataset, test_size: float, seed: int) -> Split:
    """Split rows into training and test sets (stratified by class for classification).

    Parameters
    ----------
    dataset : Dataset
        The prepared data.
    test_size : float in [0, 0.9]
        Share of test rows; 0 keeps every row for training.
    seed : int
        Random state of the shuffle.

    Raises
    ------
    FitError
        If the test share leaves too few training or test rows.
    """
    n = len(dataset.y)
    positions = np.arange(n)
    if test_size == 0:
        return Split(positions, None)
    n_test = int(np.ceil(test_size * n))
    if n_test < 1 or n - n_test < 2:
        raise FitError(
            f"A test share of {test_size:g} leaves {n - n_test} training rows out of {n}; "
            "lower the test share."
        )
    stratify = None
    if dataset.task == "classification":
        classes = dataset.y.nunique()
        if n_test >= classes and n - n_test >= classes:
            # Class codes in sorted order: scikit-learn stratifies on exactly these (its
            # np.unique inverse), so the split equals stratify=y. pandas' hash-based
            # factorize finds them without sorting every row of an object column (0.45 s
            # against 0.01 s for 200,000 text labels).
            stratify = pd.factorize(dataset.y, sort=True)[0]
    train, test = train_test_split(
        positions, test_size=test_size, random_state=seed, stratify=stratify
    )
    return Split(train, test)


def build_pipeline(model: Any, scale: bool, impute: bool, center: bool | None = None) -> Pipeline:
    """Chain optional median imputation, optional standardisation and the model.

    The scaler centres the features only when the model fits an intercept (or ``center``
    says so): a model without an intercept is forced through the origin, and centring
    would move that origin to the feature means, which is a different model.
    """
    if center is None:
        center = bool(getattr(model, "fit_intercept", True))
    steps: list[tuple[str, Any]] = []
    if impute:
        steps.append(("impute", SimpleImputer(strategy="median")))
    if scale:
        steps.append(("scale", StandardScaler(with_mean=center)))
    steps.append(("model", model))
    return Pipeline(steps)


def scaler_shift(scaler: StandardScaler) -> np.ndarray:
    """What the scaler subtracts from each feature: its means, or zeros without centring."""
    if scaler.with_mean:
        return np.asarray(scaler.mean_, dtype=float)
    return np.zeros(len(scaler.scale_))


def training_sd(X_train: pd.DataFrame | np.ndarray) -> np.ndarray:
    """Per-feature standard deviation (``ddof=0``, as ``StandardScaler``) of training rows
    after the pipeline's median imputation: the one definition of "per SD" in the app, so
    ``coef * training_sd`` is the effect of one standard deviation more."""
    values = np.asarray(X_train, dtype=float)
    if np.isnan(values).any():
        values = SimpleImputer(strategy="median").fit_transform(values)
    return values.std(axis=0)


def _training_sd(pipeline: Pipeline, X_train: pd.DataFrame) -> np.ndarray:
    """:func:`training_sd`, read off the fitted scaler when there is one (the same numbers)."""
    if "scale" in pipeline.named_steps:
        return np.asarray(pipeline.named_steps["scale"].scale_, dtype=float).copy()
    return training_sd(X_train)


def training_features(fit: FitResult, dataset: Dataset) -> pd.DataFrame:
    """The training features as the model's scaler saw them: imputed, not yet scaled."""
    X_train = dataset.X.iloc[fit.split.train]
    if "impute" in fit.pipeline.named_steps:
        values = fit.pipeline.named_steps["impute"].transform(X_train)
        return pd.DataFrame(values, columns=X_train.columns, index=X_train.index)
    return X_train


def model_features(fit: FitResult, dataset: Dataset) -> np.ndarray:
    """The training rows as the final estimator saw them: through the pipeline's own
    imputation and scaling (each step gets the input type it was fitted on)."""
    X_train = dataset.X.iloc[fit.split.train]
    prep = fit.pipeline[:-1]
    return np.asarray(prep.transform(X_train) if len(prep) else X_train, dtype=float)


#: BLAS threads while fitting. The app's fits are many small matrices, where multi-threaded
#: BLAS costs more in synchronisation than it saves; on a busy CPU (a shared host, several
#: sessions at once) it is several times slower: a logistic C sweep on breast cancer took
#: 3-4 s with OpenBLAS's 2 threads and 0.6-0.9 s with 1 on a loaded 2-CPU machine.
FIT_BLAS_THREADS = 1


@functools.cache
def _blas_controller() -> ThreadpoolController:
    # Built once: scanning the loaded libraries costs milliseconds, limiting them does not.
    return ThreadpoolController()


@contextmanager
def single_blas_thread() -> Iterator[None]:
    """Run the block with ``FIT_BLAS_THREADS`` BLAS threads, restoring the count after.

    The limit is process-wide while the block runs (BLAS has no per-thread setting).
    Processes started by joblib's loky backend (``n_jobs``) get joblib's own limits.
    """
    with _blas_controller().limit(limits=FIT_BLAS_THREADS, user_api="blas"):
        yield


def warning_text(record: warnings.WarningMessage) -> str:
    """A captured warning as one line of text for the page: its kind and message."""
    message = str(record.message).strip()
    if "Traceback (most recent call last)" in message:
        message = _without_traceback(message)
    return f"{record.category.__name__}: {message}"


def _without_traceback(message: str) -> str:
    """scikit-learn's warnings about failed fits and scores ("3 fits failed...", "Scoring
    failed...") carry full tracebacks, with the server's file paths; a reader needs what
    failed and why: the warning's first line and each distinct error's last line."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    errors = [
        line for line in lines if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Warning): ", line)
    ]
    head = lines[0].removesuffix("Details:").strip() if lines else ""
    return " ".join([head, *dict.fromkeys(errors)]).strip()


#: Python's warning filters are process-wide and Streamlit runs each session in a thread:
#: every block that records warnings holds this lock, so one session's fit neither sees
#: another's warnings nor loses its own. Re-entrant, since recording blocks nest.
WARNINGS_LOCK = threading.RLock()


@contextmanager
def captured_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Capture the warnings raised inside the block; the list fills when the block ends.

    The one place the app records warnings. Deprecation and future warnings are re-raised
    when the block ends, so they reach the test suite (which turns them into errors)
    instead of being swallowed; every other warning (convergence and the like) is kept for
    the caller to show the user, never silenced. Held under :data:`WARNINGS_LOCK`.
    """
    kept: list[warnings.WarningMessage] = []
    with WARNINGS_LOCK, warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        yield kept
    for record in records:
        if issubclass(record.category, DeprecationWarning | FutureWarning):
            warnings.warn_explicit(record.message, record.category, record.filename, record.lineno)
        else:
            kept.append(record)


@contextmanager
def recorded_warnings() -> Iterator[list[str]]:
    """Record the warnings raised inside the block as distinct sentences for the page (see
    :func:`captured_warnings`)."""
    shown: list[str] = []
    with captured_warnings() as records:
        yield shown
    for record in records:
        text = warning_text(record)
        if text not in shown:
            shown.append(text)


#: Values this large overflow once squared or summed (scaling, distances, gradients).
HUGE_VALUE = 1e150


def _fit_failure(exc: Exception, X_train: pd.DataFrame, y_train: pd.Series) -> str:
    """scikit-learn's refusal as a sentence; numbers too large to compute with are named
    (scikit-learn reports them as NaN or infinity "in the input", which the file has not)."""
    numeric = X_train.select_dtypes("number")
    huge = [str(c) for c in numeric.columns if (numeric[c].abs() > HUGE_VALUE).any()]
    target_huge = pd.api.types.is_numeric_dtype(y_train) and bool(
        (y_train.abs() > HUGE_VALUE).any()
    )
    if huge or target_huge:
        names = ", ".join(huge[:5]) + (" and others" if len(huge) > 5 else "")
        where = (
            (f"the feature {names}" if len(huge) == 1 else f"the features {names}")
            if huge
            else "the target"
        )
        if huge and target_huge:
            where += " and the target"
        return (
            f"Some values of {where} are beyond ±{HUGE_VALUE:.0e}: computing with them "
            "(scaling, squares, sums) overflows. Rescale those columns (divide by a power "
            "of ten) or drop them."
        )
    return f"scikit-learn could not fit this setting: {exc}"


def fit_model(
    family: FamilySpec,
    estimator_id: str,
    hyperparameters: dict[str, Any],
    dataset: Dataset,
    *,
    scale: bool = True,
    test_size: float = 0.25,
    seed: int = 0,
    budget: float | None = None,
) -> FitResult:
    """Fit one registered estimator and score it.

    Parameters
    ----------
    family : FamilySpec
        The model family.
    estimator_id : str
        Which of the family's estimators.
    hyperparameters : dict
        Values by scikit-learn name; those the estimator does not take are ignored, absent
        ones take the spec default.
    dataset : Dataset
        Prepared features and target.
    scale : bool, default=True
        Standardise features (fitted on the training rows).
    test_size : float, default=0.25
        Share of test rows; 0 fits and scores on all rows.
    seed : int, default=0
        Random state of the split.
    budget : float, optional
        Seconds the fit may take. An estimator asked for more than
        :data:`PROBE_ITERATIONS` iterations is first fitted with that many; converged, that
        is the result, else the full fit runs if its estimate fits the budget.

    Returns
    -------
    FitResult

    Raises
    ------
    FitError
        If scikit-learn rejects the setting or the data.
    FitTooSlow
        If the fit would take longer than ``budget``.
    ValueError
        If a hyperparameter is outside its spec.

    Notes
    -----
    Warnings from the fit are recorded and returned for the page to show. Deprecation
    and future warnings are re-raised after the fit, so they reach the test suite (which
    turns them into errors) instead of being swallowed.
    """
    spec = family.get_estimator(estimator_id)
    setting = resolve(family.hyperparameters_for(estimator_id), hyperparameters)
    split = split_data(dataset, test_size, seed)
    X_train, y_train = split.train_rows(dataset)
    if family.check is not None:
        problem = family.check(estimator_id, setting.values, X_train, y_train)
        if problem:
            raise FitError(problem)
    if budget is not None and family.estimate_seconds is not None:
        seconds = family.estimate_seconds(estimator_id, setting.values, X_train, y_train)
        if seconds > budget:
            raise FitTooSlow(
                seconds,
                "a large model, many iterations, or many rows to predict against many "
                "stored ones. Narrow it, lower "
                "max_iter, or fit it anyway.",
            )
    estimator = spec.make(setting.values)
    pipeline = build_pipeline(estimator, scale=scale, impute=dataset.has_missing)
    iterations = estimator.get_params().get("max_iter")
    probe = budget is not None and isinstance(iterations, int) and iterations > PROBE_ITERATIONS
    if probe:
        pipeline.set_params(model__max_iter=PROBE_ITERATIONS)
    start = time.perf_counter()
    with recorded_warnings() as shown:
        try:
            pipeline.fit(X_train, y_train)
        except (ValueError, np.linalg.LinAlgError) as exc:
            raise FitError(_fit_failure(exc, X_train, y_train)) from None
    fit_seconds = time.perf_counter() - start  # the fit alone, not the scoring below
    if probe:
        used = int(np.max(getattr(pipeline.named_steps["model"], "n_iter_", PROBE_ITERATIONS)))
        pipeline.set_params(model__max_iter=iterations)
        if used >= PROBE_ITERATIONS:  # not converged yet: the full fit is what was asked
            estimate = fit_seconds * iterations / PROBE_ITERATIONS
            if estimate > budget:
                raise FitTooSlow(
                    estimate,
                    f"the solver had not converged after {PROBE_ITERATIONS:,} of its "
                    f"max_iter = {iterations:,} iterations. Lower max_iter, raise tol, or "
                    "fit it anyway.",
                )
            return fit_model(
                family,
                estimator_id,
                hyperparameters,
                dataset,
                scale=scale,
                test_size=test_size,
                seed=seed,
                budget=None,
            )
    # One prediction over every row, scored on the training and the test rows.
    rows = [split.train] + ([split.test] if split.test is not None else [])
    try:
        scores = TASK_SCORING[dataset.task].score_rows(pipeline, dataset.X, dataset.y, rows)
    except ValueError as exc:  # a model that fits but cannot predict these rows
        raise FitError(f"scikit-learn could not score this setting: {exc}") from None
    train = scores[0]
    test = scores[1] if len(scores) > 1 else dict.fromkeys(train, np.nan)
    metrics = pd.DataFrame({"train": train, "test": test})
    metrics.index.name = "metric"
    return FitResult(
        family_id=family.id,
        estimator_id=estimator_id,
        hyperparameters=setting.values,
        changed=setting.changed,
        pipeline=pipeline,
        split=split,
        feature_names=tuple(map(str, dataset.X.columns)),
        target=dataset.target,
        feature_sd=_training_sd(pipeline, X_train),
        metrics=metrics,
        warnings=tuple(shown),
        fit_seconds=fit_seconds,
        estimator_spec=spec,
    )


def max_folds(fit: FitResult, dataset: Dataset) -> int:
    """The most cross-validation folds the training rows allow: for regression two rows per
    validation fold (R² of one row is undefined), for classification every class in every
    fold (stratified folds)."""
    y_train = dataset.y.iloc[fit.split.train]
    if dataset.task == "classification":
        return int(y_train.value_counts().min())
    return len(y_train) // 2


def confusion_table(fit: FitResult, dataset: Dataset) -> tuple[np.ndarray, list[str]]:
    """Confusion matrix on the test rows (all rows without a test share), and the labels."""
    from sklearn.metrics import confusion_matrix

    rows = fit.split.test_rows(dataset) or fit.split.train_rows(dataset)
    labels = list(fit.model.classes_)
    predicted = np.asarray(fit.pipeline.predict(rows[0]))
    matrix = confusion_matrix(rows[1].to_numpy(), predicted, labels=labels)
    return matrix, [str(label) for label in labels]
