"""How a fitted model is scored: the page's metrics per task, and the score sweeps optimise.

Every fit is scored on its training and test rows, so scoring sits on every new-value
redraw. scikit-learn's classification metrics validate their inputs at length (label types,
one-hot encodings) and for a 143-row test set spent four times as long on that as on the
numbers, a third of a new-``C`` redraw. Classification scores are therefore computed here
from one ``predict`` and one ``predict_proba`` with plain array arithmetic, by the same
definitions (tests check them against ``accuracy_score``, ``roc_auc_score`` and ``log_loss``
on random and tied inputs); regression keeps scikit-learn's metrics, which are cheap on
arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error


def regression_scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """R², RMSE and MAE of predictions (R² is undefined on fewer than two rows: NaN)."""
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    r2 = r2_score(y_true, y_pred) if len(y_true) > 1 else np.nan
    return {
        "R²": float(r2),
        "RMSE": float(root_mean_squared_error(y_true, y_pred)),
        "MAE": float(mean_absolute_error(y_true, y_pred)),
    }


def roc_auc(positive: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve of ``score`` for the rows where ``positive`` is true.

    The Mann–Whitney form (the chance that a random positive outscores a random negative,
    ties counting one half), which equals the trapezoidal area ``roc_auc_score`` computes.
    """
    positive = np.asarray(positive, dtype=bool)
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(score)  # average ranks: a tie between the two groups counts one half
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def log_loss_of(codes: np.ndarray, proba: np.ndarray) -> float:
    """Mean negative log probability of the true classes (``codes`` index ``proba``'s
    columns), with ``log_loss``'s clipping to ``[eps, 1 − eps]``."""
    eps = np.finfo(proba.dtype).eps
    picked = np.clip(proba[np.arange(len(codes)), codes], eps, 1 - eps)
    return float(-np.mean(np.log(picked)))


def _checked_proba(proba: Any, n_rows: int, n_classes: int) -> np.ndarray:
    """Predicted probabilities as scikit-learn's metrics would accept them, else the
    ``ValueError`` they would raise (a diverged network's NaN, say)."""
    proba = np.asarray(proba, dtype=float)
    if proba.shape != (n_rows, n_classes):
        raise ValueError(f"predicted probabilities have shape {proba.shape}")
    if not np.isfinite(proba).all():
        raise ValueError("Input contains NaN or infinity among the predicted probabilities.")
    if proba.min() < 0 or proba.max() > 1:
        raise ValueError("predicted probabilities fall outside [0, 1].")
    if not np.allclose(proba.sum(axis=1), 1.0, rtol=0, atol=np.sqrt(np.finfo(float).eps)):
        raise ValueError("predicted probabilities do not sum to one.")
    return proba


def classification_scores(
    y_true: np.ndarray, y_pred: np.ndarray, proba: np.ndarray | None, classes: np.ndarray
) -> dict[str, float]:
    """Accuracy, ROC AUC (one-vs-rest macro average for several classes) and log loss.

    AUC needs probabilities and every class among the rows; log loss needs probabilities.
    Without them they are NaN rather than an error. A row whose class the model never saw
    makes log loss undefined: ``ValueError``, as ``log_loss`` raises.
    """
    y_true = np.asarray(y_true)
    out = {"accuracy": float(np.mean(np.asarray(y_pred) == y_true))}
    auc = loss = np.nan
    if proba is not None:
        codes = pd.Index(classes).get_indexer(y_true)
        if (codes < 0).any():
            unseen = sorted(map(str, set(y_true[codes < 0])))
            raise ValueError(f"y_true contains labels the model never saw: {unseen}")
        if np.bincount(codes, minlength=len(classes)).all():  # every class present
            if len(classes) == 2:
                auc = roc_auc(codes == 1, proba[:, 1])
            else:
                per_class = [roc_auc(codes == k, proba[:, k]) for k in range(len(classes))]
                auc = float(np.mean(per_class))
        loss = log_loss_of(codes, proba)
    out["ROC AUC"] = float(auc)
    out["log loss"] = float(loss)
    return out


def _through_preprocessing(model: Any, X: Any) -> tuple[Any, Any]:
    """A pipeline's final estimator and the rows through the steps before it: the two
    predictions of a classifier then transform the rows once, not twice (exactly what the
    pipeline's own ``predict`` and ``predict_proba`` do)."""
    steps = getattr(model, "steps", None)
    if steps is None or len(steps) < 2:
        return model, X
    return model[-1], model[:-1].transform(X)


@dataclass(frozen=True)
class TaskScoring:
    """How a task is scored: the page's metrics, and the one score sweeps optimise.

    Parameters
    ----------
    probabilistic : bool
        Whether the scores use predicted class probabilities (when the model has them).
    primary : str
        Display name of the score that validation curves use (one of the metrics' keys).
    scorer : str
        scikit-learn's scorer name for ``primary``.
    """

    probabilistic: bool
    primary: str
    scorer: str

    def score_rows(
        self, model: Any, X: pd.DataFrame, y: pd.Series, rows: Sequence[Any]
    ) -> list[dict[str, float]]:
        """Every score of a fitted model on each of several row selections of ``X`` (the
        training and the test rows), from one prediction over all of ``X``."""
        y_all = y.to_numpy()
        model, X = _through_preprocessing(model, X)
        y_pred = np.asarray(model.predict(X))
        proba = None
        if self.probabilistic:
            classes = np.asarray(model.classes_)
            if hasattr(model, "predict_proba"):
                proba = _checked_proba(model.predict_proba(X), len(y_all), len(classes))
            return [
                classification_scores(
                    y_all[r], y_pred[r], None if proba is None else proba[r], classes
                )
                for r in rows
            ]
        return [regression_scores(y_all[r], y_pred[r]) for r in rows]

    def metrics(self, model: Any, X: pd.DataFrame, y: pd.Series) -> dict[str, float]:
        """Every score of a fitted model on these rows."""
        return self.score_rows(model, X, y, [slice(None)])[0]


#: The one place a task's scoring is defined; the family's task picks the entry.
TASK_SCORING = {
    "regression": TaskScoring(probabilistic=False, primary="R²", scorer="r2"),
    "classification": TaskScoring(probabilistic=True, primary="accuracy", scorer="accuracy"),
}
