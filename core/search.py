"""Tune: how hyperparameters are chosen, and how optimistic the chosen score is.

Parameters are fitted on training rows by an optimiser; hyperparameters are chosen on
validation folds by a search; the test rows judge once. This module runs that search on a
page's setting with scikit-learn's own searches (``GridSearchCV``, ``RandomizedSearchCV``,
``HalvingGridSearchCV``: nothing is re-implemented) over the page's pipeline
(:func:`core.fitting.build_pipeline`: imputation, scaling, the model), the hyperparameters
searched as ``model__<name>``, and reports three numbers:

- the best mean inner-CV score, which is optimistic because the search picked it;
- the nested-CV estimate: the whole search cross-validated on the training rows, equal to
  ``cross_val_score(search, X_train, y_train, cv=outer).mean()`` (Cawley & Talbot 2010,
  "On over-fitting in model selection and subsequent selection bias in performance
  evaluation", JMLR 11; scikit-learn's "Nested versus non-nested cross-validation");
- the test score of the refitted best model, touched once.

Folds are scikit-learn's defaults for an integer ``cv`` on the training rows (``KFold``
without shuffling, ``StratifiedKFold`` for classifiers) and scoring is R² or accuracy, so
anyone can recompute every number. Fits run through joblib (``n_jobs``); any joblib
backend (loky, Dask, Ray) runs the same search through ``joblib.parallel_config``.

What a search tries (the tunable hyperparameters, their grids, the plan and the unfitted
scikit-learn search) is in :mod:`core.search_plan`, re-exported here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier
from sklearn.exceptions import FitFailedWarning
from sklearn.metrics import get_scorer
from sklearn.model_selection import check_cv

from core.data.tables import Dataset
from core.family import FamilySpec
from core.fitting import (
    FitError,
    captured_warnings,
    single_blas_thread,
    split_data,
    warning_text,
)
from core.scoring import TASK_SCORING
from core.search_plan import (  # noqa: F401 (the Tune tab's one import place)
    MAX_CANDIDATES,
    STRATEGIES,
    SearchPlan,
    combinations,
    default_tune_param,
    inner_rows,
    make_plan,
    make_search,
    page_pipeline,
    prefixed,
    search_grid,
    sklearn_grids,
    sklearn_values,
    tunable_specs,
)
from core.setting import Setting
from core.specs import resolve
from core.sweeps import SCORING_SHARE, training_rows

#: What one search costs besides its fits (cloning, dispatching folds to joblib, collecting
#: cv_results_): measured about 0.08 s for a 5-candidate ridge search on 2 cores.
SEARCH_OVERHEAD_SECONDS = 0.1
#: Outer folds whose choices agree at least this often call the choice stable.
STABLE_SHARE = 0.8


@dataclass(frozen=True, eq=False)
class SearchResult:
    """What a search found, and how much to trust it.

    Attributes
    ----------
    plan : SearchPlan
    score_name : str
        ``"R²"`` or ``"accuracy"``.
    surface : DataFrame
        One row per candidate tried: a column per searched hyperparameter (spec values),
        ``mean`` and ``std`` (over inner folds, ``ddof=0``), ``rank`` (scikit-learn's),
        ``folds`` (how many scored), ``resources`` (rows per fold at a halving candidate's
        last round; the training rows of a fold otherwise).
    best : dict
        The chosen values, in spec terms.
    best_score : float
        The best mean inner-CV score (``best_score_``).
    outer_scores : ndarray of shape (outer,)
        Each outer fold's test score of the search fitted on the rest (empty without outer).
    nested : float
        Their mean: the nested-CV estimate (NaN without outer folds).
    test_score : float
        The refitted best model on the page's test rows (NaN without test rows).
    outer_choices : DataFrame
        One row per outer fold: ``fold``, the chosen values, ``inner best`` and ``outer
        score``.
    stability : str
        A sentence on how the choice varies across the outer folds.
    notes : tuple of str
        Sentences: candidates scikit-learn refused and why, values the page resolves
        differently.
    warnings : tuple of str
        Other warnings scikit-learn raised.
    n_fits : int
        Fits the search made (refits included).
    """

    plan: SearchPlan
    score_name: str
    surface: pd.DataFrame
    best: dict[str, Any]
    best_score: float
    outer_scores: np.ndarray
    nested: float
    test_score: float
    outer_choices: pd.DataFrame
    stability: str
    notes: tuple[str, ...]
    warnings: tuple[str, ...]
    n_fits: int


def _from_sklearn(plan: SearchPlan, sk_grids: list[list[Any]], params: dict[str, Any]) -> dict:
    """A candidate of ``cv_results_`` in spec terms (``None`` back to ``"none"``)."""
    out = {}
    for name, grid, sk in zip(plan.params, plan.grids, sk_grids, strict=True):
        value = params[prefixed(name)]
        out[name] = next((g for g, s in zip(grid, sk, strict=True) if s == value), value)
    return out


def _surface(search: Any, plan: SearchPlan, sk_grids: list[list[Any]]) -> pd.DataFrame:
    results = search.cv_results_
    folds = [k for k in results if re.fullmatch(r"split\d+_test_score", k)]
    scores = np.column_stack([results[k] for k in folds])
    rows = []
    for i, params in enumerate(results["params"]):
        row = _from_sklearn(plan, sk_grids, params)
        row.update(
            mean=float(results["mean_test_score"][i]),
            std=float(results["std_test_score"][i]),
            rank=int(results["rank_test_score"][i]),
            folds=int(np.isfinite(scores[i]).sum()),
            resources=int(results["n_resources"][i]) if "n_resources" in results else 0,
            round=int(results["iter"][i]) if "iter" in results else 0,
        )
        rows.append(row)
    frame = pd.DataFrame(rows)
    # Successive halving scores a candidate once per round it survives: keep its last one,
    # on the most rows it saw.
    frame = frame.sort_values("round").drop_duplicates(list(plan.params), keep="last")
    frame = frame.sort_values(list(plan.params), key=_sort_key).reset_index(drop=True)
    if "n_resources" not in results:
        frame = frame.drop(columns=["resources"])
    return frame.drop(columns=["round"])


def _sort_key(column: pd.Series) -> pd.Series:
    """Numbers ascending; a choice in its spec order (the order it was listed)."""
    if pd.api.types.is_numeric_dtype(column):
        return column
    order = {v: i for i, v in enumerate(dict.fromkeys(column))}
    return column.map(order)


def _failures(records: list[Any]) -> tuple[list[str], list[str]]:
    """scikit-learn's failure warnings as reasons (each error's last line), and the rest."""
    reasons: list[str] = []
    others: list[str] = []
    for record in records:
        text = str(record.message)
        if issubclass(record.category, FitFailedWarning):
            for line in text.splitlines():
                line = line.strip()
                if re.match(r"^[A-Za-z_][\w.]*(Error|Exception): ", line):
                    reason = line.split(": ", 1)[1]
                    if reason not in reasons:
                        reasons.append(reason)
        elif "test scores are non-finite" in text or "train scores are non-finite" in text:
            continue  # the notes name those candidates
        else:
            line = warning_text(record)
            if line not in others:
                others.append(line)
    return reasons, others


def _value_text(spec_values: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {_short(v)}" for k, v in spec_values.items())


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _resolution_notes(family: FamilySpec, setting: Setting, plan: SearchPlan) -> list[str]:
    """Candidates the page itself would refuse or fit differently (another automatic
    solver): the search keeps the page's other values, so it says so."""
    est = family.get_estimator(setting.estimator_id)
    _, base = sklearn_values(family, setting, plan)
    page = est.estimator_params(base)
    refused: dict[str, list[str]] = {}
    moved: dict[tuple[tuple[str, Any], ...], list[str]] = {}
    for combo in combinations(plan):
        try:
            params = est.estimator_params({**base, **combo})
        except ValueError as exc:
            refused.setdefault(str(exc), []).append(_value_text(combo))
            continue
        changed = tuple(
            (key, value)
            for key, value in params.items()
            if key not in plan.params and page.get(key) != value
        )
        if changed:
            moved.setdefault(changed, []).append(_value_text(combo))
    notes = [
        f"The page refuses {_few(c)} ({reason.rstrip('.')}); scikit-learn fitted it in the "
        "search with the other values as they are."
        for reason, c in refused.items()
    ]
    notes += [
        f"At {_few(c)} the page would fit with "
        + " and ".join(f"{k} = {_short(v)}" for k, v in changed)
        + "; the search keeps the page's "
        + " and ".join(f"{k} = {_short(page.get(k))}" for k, _ in changed)
        + "."
        for changed, c in moved.items()
    ]
    return notes


def _few(combos: list[str]) -> str:
    shown = "; ".join(combos[:3])
    return shown + (f" and {len(combos) - 3} more" if len(combos) > 3 else "")


def stability_sentence(choices: pd.DataFrame, params: Sequence[str]) -> str:
    """How the chosen values vary across the outer folds, in a sentence with the values.

    Parameters
    ----------
    choices : DataFrame
        One row per outer fold with a column per searched hyperparameter (NaN or None for a
        fold whose search failed).
    params : sequence of str
        The searched names.
    """
    n = len(choices)
    if n == 0:
        return ""
    parts = []
    unstable = False
    for name in params:
        counts: dict[str, int] = {}
        for value in choices[name]:
            counts[_short(value)] = counts.get(_short(value), 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        top, times = ranked[0]
        if len(ranked) == 1:
            parts.append(f"all {n} outer folds chose {name} = {top}")
        else:
            listed = ", ".join(f"{v} ({c}×)" for v, c in ranked)
            parts.append(f"the {n} outer folds chose {len(ranked)} values of {name}: {listed}")
        unstable |= times / n < STABLE_SHARE
    text = "; ".join(parts)
    text = text[0].upper() + text[1:] + "."
    if unstable:
        return (
            text + " The choice is unstable: other rows would pick other values, so the "
            "chosen value is one of several that score about alike, and the nested estimate, "
            "not the best inner score, says what the tuned model is worth."
        )
    return text + " The choice is stable: other training rows pick the same values."


def run_search(
    family: FamilySpec,
    setting: Setting,
    dataset: Dataset,
    plan: SearchPlan,
    *,
    n_jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SearchResult:
    """Run the search on the page's training rows, cross-validate it, and score its choice.

    The search (:func:`make_search`) is fitted on the training rows of the page's split and
    refits its best candidate on all of them; that model is scored once on the test rows.
    With ``plan.outer``, the same search is fitted on each outer fold's training part
    (``check_cv(outer)``: the folds ``cross_val_score`` uses) and scored on its held-out
    part, so the nested estimate equals ``cross_val_score(search, X_train, y_train,
    cv=outer).mean()``, and each fold's choice is kept.

    Parameters
    ----------
    family, setting, dataset
        The page's family, setting and data.
    plan : SearchPlan
        What to search (:func:`make_plan`).
    n_jobs : int, optional
        joblib workers for each search's fits (``-1``: every core).
    progress : callable, optional
        ``progress(done, total)`` after each search (the outer folds, then the final one).

    Raises
    ------
    FitError
        In a sentence, when no candidate could be fitted at all.
    """
    sk_grids, _ = sklearn_values(family, setting, plan)
    template = make_search(family, setting, dataset, plan, n_jobs=n_jobs)
    X, y = training_rows(dataset, setting.test_size, setting.seed)
    scoring = TASK_SCORING[dataset.task]
    scorer = get_scorer(scoring.scorer)
    total = (plan.outer or 0) + 1
    choices: list[dict[str, Any]] = []
    outer_scores: list[float] = []
    failed_folds: list[str] = []
    records: list[Any] = []

    def fit(rows_X: np.ndarray, rows_y: np.ndarray) -> Any:
        # Warnings are recorded one search at a time: the recording lock is process-wide
        # (core.fitting.WARNINGS_LOCK), so other sessions' fits wait one search, not all.
        search = clone(template)
        with captured_warnings() as caught:
            search.fit(rows_X, rows_y)
        records.extend(caught)
        return search

    with single_blas_thread():
        if plan.outer:
            splits = check_cv(plan.outer, y, classifier=is_classifier(template))
            for fold, (train, test) in enumerate(splits.split(X, y), start=1):
                try:
                    search = fit(X[train], y[train])
                except ValueError as exc:  # every candidate failed on this fold
                    failed_folds.append(f"outer fold {fold}: {_first_line(exc)}")
                    choices.append(
                        {"fold": fold, **dict.fromkeys(plan.params), "inner best": np.nan}
                    )
                    outer_scores.append(np.nan)
                else:
                    score = float(scorer(search, X[test], y[test]))
                    chosen = _from_sklearn(plan, sk_grids, search.best_params_)
                    choices.append(
                        {"fold": fold, **chosen, "inner best": float(search.best_score_)}
                    )
                    outer_scores.append(score)
                if progress is not None:
                    progress(fold, total)
        try:
            search = fit(X, y)
        except ValueError as exc:
            raise FitError(
                f"No candidate could be fitted on the training rows: {_first_line(exc)}"
            ) from None
        test_score = np.nan
        rows = split_data(dataset, setting.test_size, setting.seed).test
        if rows is not None:
            y_all = (
                dataset.y.to_numpy(dtype=float)
                if dataset.task == "regression"
                else dataset.y.to_numpy()
            )
            X_test = dataset.X.to_numpy(dtype=float)[rows]
            test_score = float(scorer(search, X_test, y_all[rows]))
        if progress is not None:
            progress(total, total)
    reasons, others = _failures(records)
    surface = _surface(search, plan, sk_grids)
    notes = _refused_notes(surface, plan, reasons) + _resolution_notes(family, setting, plan)
    notes += [f"The search failed on {f}." for f in failed_folds]
    outer = pd.DataFrame(choices, columns=["fold", *plan.params, "inner best"])
    outer["outer score"] = outer_scores
    scores = np.asarray(outer_scores, dtype=float)
    best = _from_sklearn(plan, sk_grids, search.best_params_)
    return SearchResult(
        plan=plan,
        score_name=scoring.primary,
        surface=surface,
        best=best,
        best_score=float(search.best_score_),
        outer_scores=scores,
        nested=float(np.mean(scores)) if len(scores) else np.nan,
        test_score=float(test_score),
        outer_choices=outer,
        stability=stability_sentence(outer.dropna(subset=list(plan.params)), plan.params),
        notes=tuple(notes),
        warnings=tuple(others),
        n_fits=_fits(search, plan) * total,
    )


def _fits(search: Any, plan: SearchPlan) -> int:
    """Fits of one search: each candidate on each inner fold (every round of halving), plus
    the refit of the best."""
    return len(search.cv_results_["params"]) * plan.inner + 1


def _first_line(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"^[A-Za-z_][\w.]*(Error|Exception): ", line)]
    return errors[-1].split(": ", 1)[1] if errors else lines[0] if lines else type(exc).__name__


def _refused_notes(surface: pd.DataFrame, plan: SearchPlan, reasons: list[str]) -> list[str]:
    """A sentence for the candidates that scored nothing, with scikit-learn's reason."""
    bad = surface[~np.isfinite(surface["mean"].to_numpy(dtype=float))]
    if bad.empty:
        return []
    combos = [_value_text({n: row[n] for n in plan.params}) for _, row in bad.iterrows()]
    why = f": {reasons[0]}" if reasons else ""
    return [
        f"{len(bad)} of {len(surface)} candidates could not be scored on every fold "
        f"({_few(combos)}) and rank last; scikit-learn said{why or ' nothing more'}."
    ]


# --- how long it takes -----------------------------------------------------------------------
def search_seconds(
    family: FamilySpec,
    setting: Setting,
    dataset: Dataset,
    plan: SearchPlan,
    *,
    fit_seconds: float = 0.0,
    n_jobs: int = 1,
) -> float:
    """How long :func:`run_search` will take: candidates × inner folds × (outer + 1)
    searches, each fit costed as :func:`core.sweeps.sweep_seconds` costs one (the family's
    ``estimate_seconds`` on a fold's rows where it has one, else ``fit_seconds`` plus
    :data:`core.sweeps.SCORING_SHARE` for scoring), plus each search's refit, divided over
    ``n_jobs`` workers, plus :data:`SEARCH_OVERHEAD_SECONDS` per search. A halving search
    makes fewer fits than the grid; this is its upper bound. The first parallel search of a
    process also starts joblib's workers (a few seconds), which is not counted."""
    rows = split_data(dataset, setting.test_size, setting.seed).train
    n_fold = inner_rows(len(rows), plan.inner, plan.outer)
    X_fold, y_fold = dataset.X.iloc[rows[:n_fold]], dataset.y.iloc[rows[:n_fold]]
    per_fit = fit_seconds * (1 + SCORING_SHARE) * n_fold / max(len(rows), 1)
    if family.estimate_seconds is not None:
        specs = family.hyperparameters_for(setting.estimator_id)
        costs = []
        for combo in combinations(plan):
            try:
                point = resolve(specs, {**setting.values, **combo}).values
                costs.append(
                    family.estimate_seconds(setting.estimator_id, point, X_fold, y_fold)
                    * (1 + 1 / (plan.inner - 1))
                )
            except ValueError:
                costs.append(0.0)
        per_fit = float(np.mean(costs)) if costs else 0.0
    searches = (plan.outer or 0) + 1
    fits = plan.candidates * plan.inner * searches
    refits = searches * fit_seconds * (1 + SCORING_SHARE)
    return float((fits * per_fit + refits) / max(1, n_jobs) + searches * SEARCH_OVERHEAD_SECONDS)
