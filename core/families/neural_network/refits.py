"""The page's network refitted with one setting changed: over ``random_state`` (weights
differ, hidden units swap places, predictions stay alike), over ``alpha`` (weight norms
shrink) and over the first hidden layer's width (a validation curve).

Every refit is a real scikit-learn fit on the page's training rows with every other setting
kept; loops take a ``progress(done, total)`` callback for a progress bar. The alpha and
width sweeps are hyperparameter grids, run by the one sweep engine
(:func:`core.sweeps.sweep`). The seeds are not: they compare each refit with the first
(the same rows' predictions, hidden units matched by their incoming weights), which needs
the fitted models side by side rather than a row of numbers per value, so
:func:`seed_variability` keeps its own loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.base import clone, is_classifier
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline

from core.data.tables import Dataset
from core.families.neural_network.layers import (
    Progress,
    model_with_weights,
    parameter_arrays,
)
from core.fitting import FitError, FitResult, recorded_warnings
from core.scoring import TASK_SCORING
from core.setting import Setting
from core.specs import MAX_LAYER_WIDTH


# --- seeds and hidden-unit identity ------------------------------------------------------------
def incoming_weights(model: MLPClassifier | MLPRegressor, layer: int = 1) -> np.ndarray:
    """Each unit of hidden layer ``layer``'s incoming weights and bias, one row per unit."""
    W, b = model.coefs_[layer - 1], model.intercepts_[layer - 1]
    return np.column_stack([W.T, b])


def match_hidden_units(
    reference: MLPClassifier | MLPRegressor,
    other: MLPClassifier | MLPRegressor,
    layer: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Pair ``other``'s hidden units with ``reference``'s by their incoming weights.

    One-to-one matching (Hungarian algorithm) that maximises the summed absolute correlation
    of the units' incoming weight vectors (bias included); absolute, since a tanh or
    logistic unit can flip its sign and still compute the same function.

    Returns
    -------
    order : ndarray of int
        ``order[j]`` is the unit of ``other`` matched to reference unit ``j``.
    correlation : ndarray of float
        The signed correlation of each matched pair (NaN for a constant vector).
    """
    a, b = incoming_weights(reference, layer), incoming_weights(other, layer)
    if a.shape != b.shape:
        raise ValueError("the two networks' layers differ in shape")
    if a.shape[1] < 2:
        corr = np.zeros((a.shape[0], b.shape[0]))
    else:
        a_c = a - a.mean(axis=1, keepdims=True)
        b_c = b - b.mean(axis=1, keepdims=True)
        norm = np.outer(np.linalg.norm(a_c, axis=1), np.linalg.norm(b_c, axis=1))
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = (a_c @ b_c.T) / norm
    _, order = linear_sum_assignment(-np.nan_to_num(np.abs(corr)))
    return order, corr[np.arange(len(order)), order]


def permute_hidden_units(
    model: MLPClassifier | MLPRegressor, layer: int, order: Sequence[int]
) -> MLPClassifier | MLPRegressor:
    """A copy of ``model`` with hidden layer ``layer``'s units reordered: unit ``j`` of the
    copy is unit ``order[j]`` of ``model``. Every prediction is unchanged, which is why a
    hidden unit has no fixed identity."""
    order = np.asarray(order)
    coefs = [w.copy() for w in model.coefs_]
    intercepts = [b.copy() for b in model.intercepts_]
    coefs[layer - 1] = coefs[layer - 1][:, order]
    intercepts[layer - 1] = intercepts[layer - 1][order]
    coefs[layer] = coefs[layer][order, :]
    return model_with_weights(model, coefs, intercepts)


@dataclass(frozen=True, eq=False)
class SeedVariability:
    """The same setting refitted with several ``random_state`` values.

    Parameters
    ----------
    table : DataFrame
        One row per seed: ``random_state``, ``n_parameters``, ``weight_norm`` (Euclidean norm
        of every weight, biases excluded), ``first_layer_norm``, ``train_score``,
        ``test_score``, ``loss`` (``loss_``), ``n_iter``, ``agreement`` (share of rows whose
        predicted class equals the reference seed's; NaN for regression),
        ``max_prediction_difference`` (largest absolute difference from the reference seed
        in predicted probability or value), ``units_moved`` (first-layer units whose matched
        partner in the reference seed has another index) and ``warnings``.
    first_layer : dict
        ``random_state -> coefs_[0]`` as fitted.
    matched_first_layer : dict
        ``random_state -> coefs_[0]`` with its columns reordered to match the reference.
    matching : DataFrame
        ``random_state``, ``reference_unit``, ``matched_unit``, ``correlation``.
    unit_orders : dict
        ``random_state -> order``: ``order[j]`` is the index of that seed's unit matched to
        the reference's unit ``j``.
    score_name : str
        What ``train_score``/``test_score`` are (accuracy or R²).
    rows : str
        Which rows the agreement compares (``"test"`` or ``"training"``).
    """

    table: pd.DataFrame
    first_layer: dict[int, np.ndarray]
    matched_first_layer: dict[int, np.ndarray]
    matching: pd.DataFrame
    unit_orders: dict[int, np.ndarray]
    score_name: str
    rows: str


def _refit(fit: FitResult, dataset: Dataset, **model_params: Any) -> tuple[Pipeline, list[str]]:
    """The page's pipeline refitted on its training rows with some model parameters changed."""
    pipeline = clone(fit.pipeline).set_params(**{f"model__{k}": v for k, v in model_params.items()})
    X, y = dataset.X.iloc[fit.split.train], dataset.y.iloc[fit.split.train]
    with recorded_warnings() as shown:
        try:
            pipeline.fit(X, y)
        except ValueError as exc:
            raise FitError(f"scikit-learn could not fit this setting: {exc}") from None
    return pipeline, shown


def seed_variability(
    fit: FitResult,
    dataset: Dataset,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    progress: Progress | None = None,
) -> SeedVariability:
    """Refit the page's setting with each ``random_state`` in ``seeds`` (the data split stays).

    The first seed is the reference for agreement and unit matching. Only the initial
    weights (and, with early stopping, the held-out validation rows and the sample order)
    change between seeds; the parameter count never does. ``progress(done, total)`` is
    called after each refit.
    """
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("give at least one random_state")
    scoring = TASK_SCORING[dataset.task]
    X_train, y_train = dataset.X.iloc[fit.split.train], dataset.y.iloc[fit.split.train]
    has_test = fit.split.test is not None
    X_cmp = dataset.X.iloc[fit.split.test] if has_test else X_train
    rows, first, matched, orders, matches = [], {}, {}, {}, []
    reference = ref_pred = None
    for seed in seeds:
        pipeline, shown = _refit(fit, dataset, random_state=seed)
        model = pipeline.named_steps["model"]
        train = scoring.metrics(pipeline, X_train, y_train)[scoring.primary]
        test = (
            scoring.metrics(pipeline, *fit.split.test_rows(dataset))[scoring.primary]
            if has_test
            else np.nan
        )
        classifier = is_classifier(model)
        pred = pipeline.predict_proba(X_cmp) if classifier else pipeline.predict(X_cmp)
        if reference is None:
            reference, ref_pred = model, pred
        order, corr = match_hidden_units(reference, model, 1)
        for j, (o, c) in enumerate(zip(order, corr, strict=True)):
            matches.append(
                {
                    "random_state": seed,
                    "reference_unit": f"h1_{j + 1}",
                    "matched_unit": f"h1_{o + 1}",
                    "correlation": float(c),
                }
            )
        orders[seed] = order
        first[seed] = model.coefs_[0].copy()
        matched[seed] = model.coefs_[0][:, order].copy()
        rows.append(
            {
                "random_state": seed,
                "n_parameters": sum(w.size for w in parameter_arrays(model)),
                "weight_norm": float(np.sqrt(sum((w**2).sum() for w in model.coefs_))),
                "first_layer_norm": float(np.linalg.norm(model.coefs_[0])),
                "train_score": float(train),
                "test_score": float(test),
                "loss": float(model.loss_),
                "n_iter": int(model.n_iter_),
                "agreement": (
                    float(np.mean(pred.argmax(axis=1) == ref_pred.argmax(axis=1)))
                    if classifier
                    else np.nan
                ),
                "max_prediction_difference": float(np.max(np.abs(pred - ref_pred))),
                "units_moved": int(np.sum(order != np.arange(len(order)))),
                "warnings": len(shown),
            }
        )
        if progress is not None:
            progress(len(rows), len(seeds))
    return SeedVariability(
        table=pd.DataFrame(rows),
        first_layer=first,
        matched_first_layer=matched,
        matching=pd.DataFrame(matches),
        unit_orders=orders,
        score_name=scoring.primary,
        rows="test" if has_test else "training",
    )


# --- hyperparameter sweeps ---------------------------------------------------------------------
def alpha_norm_table(
    fit: FitResult,
    dataset: Dataset,
    setting: Setting,
    alphas: Sequence[float] | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Weight norm per layer as ``alpha`` (the L2 penalty) grows: one real refit per value,
    by the one sweep engine (:func:`core.sweeps.sweep`) and the family's measures.

    Parameters
    ----------
    fit : FitResult
        The page's fit; its setting and training rows are kept, only ``alpha`` changes.
    dataset : Dataset
    setting : Setting
        The page's setting (its data and split; the fit's resolved values are swept).
    alphas : sequence of float, optional
        Default ``1e-5 .. 10`` by decades, plus the page's own value.
    progress : callable, optional
        ``progress(done, total)``, called after each refit.

    Returns
    -------
    DataFrame
        One row per alpha and weight matrix: ``alpha``, ``layer`` (``"input → hidden 1"``),
        ``group`` (``coefs_[i]``), ``norm`` (Euclidean norm of the matrix),
        ``train_score``, ``test_score``, ``n_iter``, ``warnings`` (count).

    Raises
    ------
    FitError
        If scikit-learn could not fit one of the values.
    """
    from core.families.neural_network.family import FAMILY
    from core.sweeps import sweep

    if alphas is None:
        alphas = np.unique(np.append(10.0 ** np.arange(-5, 2), fit.model.alpha))
    alphas = sorted(float(a) for a in alphas)
    table = sweep(
        FAMILY,
        setting.with_values(fit.hyperparameters),
        dataset,
        "alpha",
        alphas,
        progress=progress,
        read=lambda refit: {"n_iter": int(refit.model.n_iter_)},
    )
    rows = []
    for _, point in table.iterrows():
        if point["note"]:
            raise FitError(str(point["note"]))
        for i, layer in enumerate(table.attrs["measures"]):
            rows.append(
                {
                    "alpha": float(point["value"]),
                    "layer": layer,
                    "group": f"coefs_[{i}]",
                    "norm": float(point[layer]),
                    "train_score": float(point["train"]),
                    "test_score": float(point["test"]),
                    "n_iter": int(point["n_iter"]),
                    "warnings": len(point["warnings"]),
                }
            )
    return pd.DataFrame(rows)


def width_values(
    hidden_layer_sizes: Sequence[int], widths: Sequence[int] | None = None
) -> list[tuple[int, ...]]:
    """Architectures for a validation curve over the first hidden layer's width.

    The other layers keep their widths. Default widths: 1, 2, 4, ..., 64, plus the current
    width.
    """
    current = tuple(int(w) for w in hidden_layer_sizes)
    if widths is None:
        widths = sorted({*(2**k for k in range(7)), current[0]})
    out = []
    for width in widths:
        width = int(width)
        if not 1 <= width <= MAX_LAYER_WIDTH:
            raise ValueError(f"each layer needs 1 to {MAX_LAYER_WIDTH} units, got {width}")
        out.append((width, *current[1:]))
    return out


def width_curve_table(
    fit: FitResult,
    dataset: Dataset,
    setting: Setting,
    widths: Sequence[int] | None = None,
    cv: int = 3,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Training and cross-validated score against the first hidden layer's width.

    ``cv`` defaults to 3 folds rather than the generic curves' 5: every point is a network
    trained per fold.

    The one sweep engine (:func:`core.sweeps.sweep`) refits the page's setting at each
    architecture of :func:`width_values` on the training rows (its train and test score on
    the page's split) and cross-validates it there with the whole pipeline (scaling
    refitted inside every fold, the same folds for each width), reading each refit's
    parameter count; ``progress(done, total)`` is called after each width.

    Parameters
    ----------
    fit : FitResult
        The page's fit: its layers after the first are kept.
    dataset : Dataset
    setting : Setting
        The page's setting (its data and split; the fit's resolved values are swept).
    widths : sequence of int, optional
        First-layer widths; default :func:`width_values`'s.
    cv : int, default=3
    progress : callable, optional

    Returns
    -------
    DataFrame
        One row per width that could be fitted: ``value`` (the width),
        ``hidden_layer_sizes`` (as text, ``8,4``), ``n_parameters``, ``train_mean``,
        ``train_std``, ``cv_mean``, ``cv_std`` (over folds, ``ddof=0``), ``train`` and
        ``test`` (the page's split), ``warnings`` (a tuple of what scikit-learn warned at
        that width, fits and folds). ``table.attrs["refused"]`` maps each width left out
        (the family's training budget refuses it on these rows) to the sentence why.
    """
    from core.families.neural_network.family import FAMILY
    from core.sweeps import sweep

    sizes = width_values(fit.model.hidden_layer_sizes, widths)
    table = sweep(
        FAMILY,
        setting.with_values(fit.hyperparameters),
        dataset,
        "hidden_layer_sizes",
        sizes,
        measures=False,
        cv=cv,
        progress=progress,
        read=lambda refit: {"n_parameters": sum(w.size for w in parameter_arrays(refit.model))},
    )
    fitted = (table["note"] == "").to_numpy()
    kept = table[fitted]
    out = pd.DataFrame(
        {
            "value": [s[0] for s, ok in zip(sizes, fitted, strict=True) if ok],
            "hidden_layer_sizes": [
                ",".join(map(str, s)) for s, ok in zip(sizes, fitted, strict=True) if ok
            ],
            "n_parameters": kept["n_parameters"].to_numpy(dtype=int),
            **{
                c: kept[c].to_numpy(dtype=float)
                for c in ("train_mean", "train_std", "cv_mean", "cv_std", "train", "test")
            },
            "warnings": list(kept["warnings"]),
        }
    )
    out.attrs["refused"] = {
        s[0]: str(note) for s, ok, note in zip(sizes, fitted, table["note"], strict=True) if not ok
    }
    return out
