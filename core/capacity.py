"""How each family's score moves with its capacity: the capacity hyperparameter over a grid,
each point refitted by the one sweep engine (:func:`core.sweeps.sweep`) on the page's
training rows (effective parameters, test score) and cross-validated on them, its time
estimated by the engine's :func:`core.sweeps.sweep_seconds`, and what the sweep says.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import check_cv

from core.comparison import DEFAULT_FOLDS, SWEEP_COLUMNS, effective_parameters
from core.data.tables import Dataset, Task
from core.family import FamilySpec
from core.fitting import FitError, FitResult, fit_model, split_data
from core.scoring import TASK_SCORING
from core.setting import Setting
from core.specs import ParamSpec, resolve
from core.sweep_grids import DEFAULT_SWEEP_POINTS, is_log_sweep, sweep_range, sweep_values
from core.sweeps import SCORING_SHARE, sweep, sweep_seconds

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
class CapacityPlan:
    """What one family's complexity sweep refits: ``param`` at each value of ``grid``.

    Parameters
    ----------
    param : str or None
        The swept hyperparameter: the family's capacity, or, for a family or estimator
        without one, another of the estimator's hyperparameters held at its current value
        (the sweep is then the current setting alone, cross-validated); ``None`` when the
        estimator takes no hyperparameter at all.
    grid : tuple
        The values, in order; the current value among them.
    current : int
        Position of the page's own value in ``grid``.
    capacity : bool
        Whether ``param`` is the capacity (the table shows its values; otherwise the one
        point is "its current setting").
    """

    param: str | None
    grid: tuple[Any, ...]
    current: int
    capacity: bool


def _cv_param(family: FamilySpec, setting: Setting) -> str | None:
    """A hyperparameter to run the one-point sweep over at its current value (the values
    are the setting's either way): a choice or switch first, else a number that is set;
    ``None`` when the estimator takes none."""
    specs = family.hyperparameters_for(setting.estimator_id)
    values = setting.values
    for accept in (
        lambda s: s.kind in ("bool", "choice"),
        lambda s: s.kind in ("float", "int") and values.get(s.name) is not None,
    ):
        for spec in specs:
            if accept(spec) and spec.name in values:
                return spec.name
    return None


def sweep_plan(
    family: FamilySpec,
    setting: Setting,
    max_value: int | None = None,
    n: int = DEFAULT_SWEEP_POINTS,
) -> CapacityPlan:
    """The values a family's complexity sweep refits: the capacity grid
    (:func:`capacity_grid`) with the current value added at the end (or marked, when the
    grid has it); the current setting alone when the family or its estimator has no
    capacity."""
    spec = capacity_spec(family, setting.estimator_id)
    if spec is None:
        param = _cv_param(family, setting)
        grid = (setting.values[param],) if param is not None else (None,)
        return CapacityPlan(param, grid, 0, capacity=False)
    current = setting.values[spec.name]
    grid = capacity_grid(spec, max_value, n)
    at = next((i for i, v in enumerate(grid) if _same(v, current)), None)
    if at is None:
        grid, at = [*grid, current], len(grid)
    return CapacityPlan(spec.name, tuple(grid), at, capacity=True)


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=0.0)
    return a == b


def _fold_training_rows(dataset: Dataset, setting: Setting, folds: int) -> list[np.ndarray]:
    """The training rows of each cross-validation fold's fit, as :func:`core.sweeps.sweep`
    cross-validates (``KFold``, stratified for classification, unshuffled)."""
    train = split_data(dataset, setting.test_size, setting.seed).train
    y = dataset.y.iloc[train]
    splitter = check_cv(folds, y, classifier=dataset.task == "classification")
    return [train[rows] for rows, _ in splitter.split(np.zeros(len(train)), y)]


def _fold_problem(
    family: FamilySpec,
    estimator_id: str,
    values: dict[str, Any],
    dataset: Dataset,
    fold_rows_: list[np.ndarray],
) -> str | None:
    """The family's own check on every fold's training rows (a fold has fewer rows than
    the page's fit: nine neighbours may fit 10 rows but not a fold's 8)."""
    if family.check is None:
        return None
    try:
        values = resolve(family.hyperparameters_for(estimator_id), values).values
    except ValueError:
        return None  # the engine names the refused value
    for rows in fold_rows_:
        problem = family.check(estimator_id, values, dataset.X.iloc[rows], dataset.y.iloc[rows])
        if problem:
            return problem
    return None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def capacity_points(
    family: FamilySpec,
    setting: Setting,
    dataset: Dataset,
    param: str | None,
    values: Sequence[Any],
    *,
    folds: int = DEFAULT_FOLDS,
    capacity: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Refit ``setting`` at each of ``values`` of ``param`` by the one sweep engine.

    :func:`core.sweeps.sweep` fits each value on the page's split (train and test score:
    the numbers the family's page shows for that setting), reads its effective parameters
    (:func:`core.comparison.effective_parameters`) and cross-validates it on the training
    rows (``folds`` folds, the whole pipeline refitted in each). A value the family's own
    check refuses on a fold's rows, or whose folds scikit-learn cannot fit, is fitted
    without cross-validation and says why in ``note``.

    Returns
    -------
    list of dict
        One per value, in order: the :data:`SWEEP_COLUMNS` (``param`` and ``value`` None
        when ``capacity`` is False: the point is the current setting) and ``warnings`` (a
        tuple of first lines). ``current`` is False: the caller marks its own value.
    """

    def effective(fit: FitResult) -> dict[str, float]:
        return {"effective": effective_parameters(family, fit, dataset)}

    def point(value: Any, row: dict[str, Any] | None, notes: list[str]) -> dict[str, Any]:
        row = row or {}
        note = "; ".join(n for n in (row.get("note") or "", *notes) if n)
        return {
            "family_id": family.id,
            "family": family.title,
            "estimator": setting.estimator_id,
            "param": param if capacity else None,
            "value": value if capacity else None,
            "effective": float(row.get("effective", math.nan)),
            "train": float(row.get("train", math.nan)),
            "test": float(row.get("test", math.nan)),
            "cv_mean": float(row.get("cv_mean", math.nan)),
            "cv_std": float(row.get("cv_std", math.nan)),
            "current": False,
            "note": note,
            "warnings": tuple(dict.fromkeys(_first_line(w) for w in row.get("warnings", ()))),
        }

    values = list(values)
    if param is None:  # nothing to sweep: the setting's fit, not cross-validated
        notes = ["no hyperparameter to cross-validate over"]
        try:
            fit = fit_model(
                family, setting.estimator_id, setting.values, dataset, **setting.split_settings()
            )
        except (FitError, ValueError) as exc:
            return [point(None, {"note": str(exc)}, [])]
        primary = TASK_SCORING[dataset.task].primary
        row = {
            **effective(fit),
            "train": fit.metrics.at[primary, "train"],
            "test": fit.metrics.at[primary, "test"],
            "warnings": fit.warnings,
        }
        return [point(None, row, notes)]

    def run(grid: list[Any], cv: int | None) -> list[dict[str, Any]]:
        if not grid:
            return []
        table = sweep(family, setting, dataset, param, grid, measures=False, cv=cv, read=effective)
        return table.to_dict("records")

    notes: dict[int, list[str]] = {i: [] for i in range(len(values))}
    cv_ok = list(range(len(values)))
    if folds < 2:
        cv_ok = []
        for i in notes:
            notes[i].append("too few training rows per class or fold to cross-validate")
    elif family.check is not None:
        rows = _fold_training_rows(dataset, setting, folds)
        for i, value in enumerate(values):
            point_values = {**setting.values, param: value}
            problem = _fold_problem(family, setting.estimator_id, point_values, dataset, rows)
            if problem:
                cv_ok.remove(i)
                notes[i].append(f"not cross-validated: {problem}")
    results: dict[int, dict[str, Any]] = {}
    plain = [i for i in range(len(values)) if i not in cv_ok]
    try:
        found = run([values[i] for i in cv_ok], folds)
    except (FitError, ValueError):
        # scikit-learn could fit no fold of some value: each value on its own, so only
        # that one loses its cross-validation
        found = []
        for i in list(cv_ok):
            try:
                found += run([values[i]], folds)
            except (FitError, ValueError) as exc:
                cv_ok.remove(i)
                plain.append(i)
                notes[i].append(f"not cross-validated: {exc}")
    results.update(zip(cv_ok, found, strict=True))
    plain.sort()
    results.update(zip(plain, run([values[i] for i in plain], None), strict=True))
    out = []
    for i, value in enumerate(values):
        out.append(point(value, results[i], notes[i]))
        if progress is not None:
            progress(i + 1, len(values))
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
    family: FamilySpec,
    setting: Setting,
    dataset: Dataset,
    *,
    n: int = DEFAULT_SWEEP_POINTS,
    folds: int | None = None,
) -> pd.DataFrame:
    """One family's whole complexity sweep: :func:`sweep_plan`, then
    :func:`capacity_points` over its grid, the current value marked; ``folds`` defaults
    to :func:`cv_folds`."""
    if folds is None:
        folds = cv_folds(dataset, setting.test_size, setting.seed)
    n_train = len(split_data(dataset, setting.test_size, setting.seed).train)
    plan = sweep_plan(family, setting, fold_rows(n_train, max(folds, 2)), n)
    points = capacity_points(
        family, setting, dataset, plan.param, plan.grid, folds=folds, capacity=plan.capacity
    )
    points[plan.current]["current"] = True
    return sweep_table(points)


def capacity_sweep_seconds(
    family: FamilySpec,
    setting: Setting,
    dataset: Dataset,
    plan: CapacityPlan,
    folds: int,
    fit_seconds: float,
) -> float:
    """How long :func:`capacity_points` takes over ``plan``: the engine's own estimate
    (:func:`core.sweeps.sweep_seconds`, fitting and predicting) with ``fit_seconds`` the
    setting's measured fit."""
    if plan.param is None:
        return fit_seconds * (1 + SCORING_SHARE)
    cv = folds if folds >= 2 else None
    return sweep_seconds(
        family, setting, dataset, plan.param, plan.grid, cv=cv, fit_seconds=fit_seconds
    )


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
    "CapacityPlan",
    "best_family",
    "best_points",
    "capacity_grid",
    "capacity_points",
    "capacity_spec",
    "capacity_sweep",
    "capacity_sweep_seconds",
    "complexity_sentences",
    "cv_folds",
    "fold_rows",
    "sweep_plan",
    "sweep_table",
]
