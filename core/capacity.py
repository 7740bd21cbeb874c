"""How each family's score moves with its capacity: the capacity hyperparameter over a grid,
each point refitted on the page's training rows (effective parameters, test score) and
cross-validated on them, and what the sweep says.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv

from core.comparison import DEFAULT_FOLDS, SWEEP_COLUMNS, FamilySetting, effective_parameters
from core.data.tables import Dataset, Task
from core.family import FamilySpec
from core.fitting import (
    FitError,
    fit_model,
    recorded_warnings,
    split_data,
)
from core.scoring import TASK_SCORING
from core.specs import ParamSpec
from core.sweep_grids import DEFAULT_SWEEP_POINTS, is_log_sweep, sweep_range, sweep_values
from core.sweeps import validation_curve_table

#: An int capacity whose range spans at least this ratio is swept geometrically (``max_depth``
#: from 1 to 100: a linear grid would step over every depth where the tree still changes).
INT_LOG_RATIO = 10.0


# --- complexity sweep ----------------------------------------------------------------------
def capacity_spec(family: FamilySpec, estimator_id: str) -> ParamSpec | None:
    """The spec of the family's ``capacity`` hyperparameter as this estimator takes it, or
    ``None`` when the family has none or this estimator does not take it (ordinary least
    squares has no ``alpha``)."""
    if family.capacity is None:
        return None
    for spec in family.hyperparameters_for(estimator_id):
        if spec.name == family.capacity:
            return spec
    return None


def fold_rows(n_train: int, folds: int) -> int:
    """Training rows in the smallest cross-validation fold's fit."""
    return n_train - math.ceil(n_train / folds)


def cv_folds(dataset: Dataset, test_size: float, seed: int, most: int = DEFAULT_FOLDS) -> int:
    """The folds a sweep uses: ``most``, fewer when the training rows do not allow it (two
    rows per validation fold for R², every class in every stratified fold); 0 or 1 means no
    cross-validation is possible."""
    train = split_data(dataset, test_size, seed).train
    y = dataset.y.iloc[train]
    classes = dataset.task == "classification"
    allowed = int(y.value_counts().min()) if classes else len(y) // 2
    return max(0, min(most, allowed))


def capacity_grid(
    spec: ParamSpec, max_value: int | None = None, n: int = DEFAULT_SWEEP_POINTS
) -> list[Any]:
    """The values a complexity sweep gives one capacity hyperparameter.

    Parameters
    ----------
    spec : ParamSpec
        The capacity spec (:func:`capacity_spec`).
    max_value : int, optional
        Highest value a whole-number capacity may take here (the rows of a fold's fit:
        more neighbours than rows cannot predict).
    n : int, default=DEFAULT_SWEEP_POINTS
        Grid points before rounding.

    Returns
    -------
    list
        :func:`core.sweep_grids.sweep_values` of the spec: a log grid for ``log`` floats (``alpha``,
        ``C``: three decades either side of the default), whole numbers otherwise. A spec
        whose default is ``None`` (``max_depth``: unlimited) is swept around its page's
        initial value; a whole-number range spanning ``INT_LOG_RATIO`` or more is spaced
        geometrically (depths 1, 2, 3, 5, 7, 10, ... rather than 1, 9, 17, ...). Python
        numbers, ascending.
    """
    sweep = spec if spec.default is not None else replace(spec, default=spec.initial)
    if sweep.kind not in ("float", "int"):
        return [v.item() if isinstance(v, np.generic) else v for v in sweep_values(sweep)]
    if (
        sweep.kind == "int"
        and not is_log_sweep(sweep)
        and sweep.low is not None
        and sweep.low >= 1
        and sweep.high is not None
        and math.isfinite(sweep.high)
        and sweep.high / sweep.low >= INT_LOG_RATIO
    ):
        sweep = replace(sweep, log=True)
    low, high = sweep_range(sweep)
    if sweep.kind == "int" and max_value is not None:
        high = min(high, float(max_value))
        low = min(low, high)
    grid = sweep_values(sweep, n, low, high)
    return [int(v) if sweep.kind == "int" else float(v) for v in grid]


@dataclass(frozen=True)
class PlannedPoint:
    """One fit of a complexity sweep: ``param`` at ``value`` (the other values as set).

    ``param`` is the capacity hyperparameter, or ``None`` for a family without one (the
    single point is then the current setting). ``current`` marks the page's own setting.
    ``cv_param`` is the hyperparameter the cross-validation is run over (the capacity, or
    any of the estimator's at its current value; ``None`` when it takes none).
    """

    param: str | None
    value: Any
    current: bool
    cv_param: str | None = None


def _cv_param(setting: FamilySetting) -> str | None:
    """A hyperparameter to run the cross-validation over at its current value (the values
    are the point's either way): a choice or switch first, whose value any table can show,
    else a number that is set; ``None`` when the estimator takes none."""
    specs = setting.specs
    for accept in (
        lambda s: s.kind in ("bool", "choice"),
        lambda s: s.kind in ("float", "int") and setting.values.get(s.name) is not None,
    ):
        for spec in specs:
            if accept(spec):
                return spec.name
    return None


def sweep_plan(
    setting: FamilySetting, max_value: int | None = None, n: int = DEFAULT_SWEEP_POINTS
) -> list[PlannedPoint]:
    """The points a family's complexity sweep fits: the capacity grid (:func:`capacity_grid`)
    with the current value added (or marked, when the grid has it); one point, the current
    setting, when the family or its estimator has no capacity."""
    spec = capacity_spec(setting.family, setting.estimator_id)
    cv_param = _cv_param(setting)
    if spec is None:
        return [PlannedPoint(None, None, True, cv_param)]
    current = setting.values[spec.name]
    grid = capacity_grid(spec, max_value, n)
    points = [PlannedPoint(spec.name, v, _same(v, current), cv_param) for v in grid]
    if not any(p.current for p in points):
        points.append(PlannedPoint(spec.name, current, True, cv_param))
    return points


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=0.0)
    return a == b


def _fold_problem(
    setting: FamilySetting, values: dict[str, Any], dataset: Dataset, train: np.ndarray, folds: int
) -> str | None:
    """The family's own check on every fold's training rows (a fold has fewer rows than
    the page's fit: nine neighbours may fit 10 rows but not a fold's 8)."""
    check = setting.family.check
    if check is None:
        return None
    estimator = setting.family.get_estimator(setting.estimator_id).make(values)
    X, y = dataset.X.iloc[train], dataset.y.iloc[train]
    splitter = check_cv(folds, y, classifier=is_classifier(estimator))
    for fit_rows, _ in splitter.split(X, y):
        problem = check(setting.estimator_id, values, X.iloc[fit_rows], y.iloc[fit_rows])
        if problem:
            return problem
    return None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def sweep_point(
    setting: FamilySetting,
    point: PlannedPoint,
    dataset: Dataset,
    *,
    scale: bool = True,
    test_size: float = 0.25,
    seed: int = 0,
    folds: int = DEFAULT_FOLDS,
) -> dict[str, Any]:
    """Fit one point of a complexity sweep and cross-validate it.

    The point's setting is fitted with :func:`core.fitting.fit_model` on the page's split
    (its effective parameters, train and test score: the same numbers the family's page
    shows for that setting) and cross-validated with
    :func:`core.sweeps.validation_curve_table` on the training rows (``folds`` folds, the
    whole pipeline refitted in each).

    Returns
    -------
    dict
        The :data:`SWEEP_COLUMNS` of one row, plus ``warnings`` (a tuple of sentences).
        A value that cannot be fitted keeps NaN scores and says why in ``note``.
    """
    family = setting.family
    values = dict(setting.values)
    if point.param is not None:
        values[point.param] = point.value
    out: dict[str, Any] = {
        "family_id": family.id,
        "family": family.title,
        "estimator": setting.estimator_id,
        "param": point.param,
        "value": point.value,
        "effective": math.nan,
        "train": math.nan,
        "test": math.nan,
        "cv_mean": math.nan,
        "cv_std": math.nan,
        "current": point.current,
        "note": "",
    }
    primary = TASK_SCORING[dataset.task].primary
    notes: list[str] = []
    with recorded_warnings() as shown:
        try:
            fit = fit_model(
                family,
                setting.estimator_id,
                values,
                dataset,
                scale=scale,
                test_size=test_size,
                seed=seed,
            )
        except (FitError, ValueError) as exc:
            out["note"] = str(exc)
            out["warnings"] = ()
            return out
        out["effective"] = effective_parameters(family, fit, dataset)
        out["train"] = float(fit.metrics.at[primary, "train"])
        out["test"] = float(fit.metrics.at[primary, "test"])
        if point.cv_param is None:
            notes.append("no hyperparameter to cross-validate over")
        elif folds < 2:
            notes.append("too few training rows per class or fold to cross-validate")
        else:
            problem = _fold_problem(setting, values, dataset, fit.split.train, folds)
            if problem:
                notes.append(f"not cross-validated: {problem}")
            else:
                try:
                    table = validation_curve_table(
                        family,
                        setting.estimator_id,
                        values,
                        dataset,
                        point.cv_param,
                        [values[point.cv_param]],
                        scale=scale,
                        test_size=test_size,
                        seed=seed,
                        cv=folds,
                    )
                except (FitError, ValueError) as exc:
                    notes.append(f"not cross-validated: {exc}")
                else:
                    out["cv_mean"] = float(table.at[0, "cv_mean"])
                    out["cv_std"] = float(table.at[0, "cv_std"])
                    if table.at[0, "note"]:
                        notes.append(str(table.at[0, "note"]))
    out["note"] = "; ".join(notes)
    out["warnings"] = tuple(dict.fromkeys(_first_line(w) for w in shown))
    return out


def sweep_table(points: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Points from :func:`sweep_point` as one frame with the :data:`SWEEP_COLUMNS`."""
    frame = pd.DataFrame([{c: p.get(c) for c in SWEEP_COLUMNS} for p in points])
    if frame.empty:
        return pd.DataFrame({c: [] for c in SWEEP_COLUMNS})
    for column in ("effective", "train", "test", "cv_mean", "cv_std"):
        frame[column] = frame[column].astype(float)
    frame["current"] = frame["current"].astype(bool)
    frame["note"] = frame["note"].fillna("")
    return frame


def capacity_sweep(
    setting: FamilySetting,
    dataset: Dataset,
    *,
    scale: bool = True,
    test_size: float = 0.25,
    seed: int = 0,
    n: int = DEFAULT_SWEEP_POINTS,
    folds: int | None = None,
) -> pd.DataFrame:
    """One family's whole complexity sweep (:func:`sweep_plan`, then :func:`sweep_point`
    for each point); ``folds`` defaults to :func:`cv_folds`."""
    if folds is None:
        folds = cv_folds(dataset, test_size, seed)
    n_train = len(split_data(dataset, test_size, seed).train)
    plan = sweep_plan(setting, fold_rows(n_train, max(folds, 2)), n)
    points = [
        sweep_point(setting, p, dataset, scale=scale, test_size=test_size, seed=seed, folds=folds)
        for p in plan
    ]
    return sweep_table(points)


# --- reading the sweep ---------------------------------------------------------------------
def best_points(table: pd.DataFrame, column: str = "cv_mean") -> pd.DataFrame:
    """Each family's point with the highest ``column`` (the first on a tie), best first;
    families with no finite score are left out."""
    scored = table[np.isfinite(table[column].to_numpy(dtype=float))]
    if scored.empty:
        return scored
    best = scored.loc[scored.groupby("family_id", sort=False)[column].idxmax()]
    return best.sort_values(column, ascending=False, kind="stable")


def best_family(table: pd.DataFrame, column: str = "cv_mean") -> str | None:
    """The id of the family whose best point scores highest on ``column`` (``"cv_mean"``:
    cross-validated; ``"test"``: the test rows), or ``None`` when nothing was scored."""
    best = best_points(table, column)
    return None if best.empty else str(best.iloc[0]["family_id"])


def _value_text(row: pd.Series) -> str:
    if row["param"] is None or (isinstance(row["param"], float) and math.isnan(row["param"])):
        return "its current setting"
    value = row["value"]
    if value is None:
        shown = "none"
    elif isinstance(value, float):
        shown = "inf" if math.isinf(value) else f"{value:.3g}"
    else:
        shown = str(value)
    return f"{row['param']} = {shown}"


def complexity_sentences(table: pd.DataFrame, task: Task, n_test: int | None = None) -> list[str]:
    """Plain sentences from a complexity sweep of every family.

    Which family does best by cross-validation (the score a choice should rest on) and on
    the test rows, at which value and how many effective parameters; how close each family
    whose best point uses fewer effective parameters comes (within one fold-to-fold
    standard deviation counts as as good); and the caveat that effective parameters are
    defined differently per family.
    """
    primary = TASK_SCORING[task].primary
    out: list[str] = []
    cv_best = best_points(table, "cv_mean")
    test_best = best_points(table, "test")
    if cv_best.empty and test_best.empty:
        return ["No family could be scored on this data."]
    if not cv_best.empty:
        top = cv_best.iloc[0]
        test_there = (
            f"; its test {primary} there is {top['test']:.3f}" if math.isfinite(top["test"]) else ""
        )
        out.append(
            f"By cross-validation on the training rows, {top['family']} does best: "
            f"{primary} {top['cv_mean']:.3f} ± {top['cv_std']:.3f} at {_value_text(top)}, "
            f"with {top['effective']:.3g} effective parameters{test_there}."
        )
        simpler = cv_best[cv_best["effective"] < top["effective"]].sort_values("effective")
        for _, row in simpler.iterrows():
            gap = top["cv_mean"] - row["cv_mean"]
            verdict = (
                "within one fold-to-fold standard deviation, so on this evidence the simpler "
                "model is as good"
                if gap <= top["cv_std"]
                else "more than one fold-to-fold standard deviation: a real gap"
            )
            out.append(
                f"{row['family']} is simpler at its best: {primary} {row['cv_mean']:.3f} with "
                f"{row['effective']:.3g} effective parameters at {_value_text(row)}, "
                f"{gap:.3f} below ({verdict})."
            )
        if simpler.empty and len(cv_best) > 1:
            out.append(
                f"No family scores close to it with fewer effective parameters: the next best, "
                f"{cv_best.iloc[1]['family']}, reaches {cv_best.iloc[1]['cv_mean']:.3f} with "
                f"{cv_best.iloc[1]['effective']:.3g} effective parameters."
            )
    if not test_best.empty:
        top_test = test_best.iloc[0]
        rows = f" ({n_test} rows)" if n_test else ""
        if cv_best.empty or top_test["family_id"] == cv_best.iloc[0]["family_id"]:
            out.append(
                f"The test rows{rows} agree: {top_test['family']}'s best test {primary} is "
                f"{top_test['test']:.3f}, at {_value_text(top_test)}."
            )
        else:
            out.append(
                f"The test rows{rows} pick {top_test['family']} instead ({primary} "
                f"{top_test['test']:.3f} at {_value_text(top_test)}): picking the best of many "
                "settings by one split's test score flatters it; the cross-validated choice "
                "is the steadier one, and the test score is the honest estimate only for a "
                "setting chosen without it."
            )
    flat = [
        str(points["family"].iloc[0])
        for _, points in table.groupby("family_id", sort=False)
        if len(points) > 1 and points["effective"].nunique(dropna=True) == 1
    ]
    if flat:
        out.append(
            f"{' and '.join(flat)}: the count does not move along the sweep (the capacity "
            "hyperparameter shrinks the values, not their number), so the sweep is one "
            "column of points."
        )
    out.append(
        "Effective parameters are defined differently in each family (see the caption), so "
        "they compare how much each model can bend only roughly across families."
    )
    return out


__all__ = [
    "PlannedPoint",
    "best_family",
    "best_points",
    "capacity_grid",
    "capacity_spec",
    "capacity_sweep",
    "complexity_sentences",
    "cv_folds",
    "fold_rows",
    "sweep_plan",
    "sweep_point",
    "sweep_table",
]
