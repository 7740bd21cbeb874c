"""Every model family on one data set: the current fits side by side, and how each family's
score moves with its capacity, measured in effective parameters.

The all-families page asks three things of the registry, never which family is which:

- each family's *current setting* (:func:`last_setting`): the estimator and hyperparameter
  values last used on that family's page in this session (from the run history), else the
  values its page starts from;
- one *row* per family (:func:`family_row`, :func:`compare_families`): what was set, how
  many of those values shape the model, how many parameters it learned (or stored instead),
  its effective number of parameters, train and test score, fit time, or a sentence saying
  why it cannot be fitted here;
- a *complexity sweep* (:func:`sweep_plan`, :func:`sweep_point`, :func:`capacity_sweep`):
  the family's ``capacity`` hyperparameter over a grid, each point refitted on the page's
  training rows (effective parameters, test score) and cross-validated on them.

:func:`complexity_sentences` reads the sweep: which family does best by cross-validation and
on the test rows, at what complexity, and how close the simpler families come.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv

from core.data.tables import Dataset, Task
from core.family import FamilySpec
from core.fitting import (
    FitError,
    FitResult,
    fit_model,
    recorded_warnings,
    split_data,
)
from core.scoring import TASK_SCORING
from core.specs import ParamSpec
from core.sweeps import (
    DEFAULT_SWEEP_POINTS,
    is_log_sweep,
    sweep_range,
    sweep_values,
    validation_curve_table,
)

#: Folds of the cross-validation, fewer when a class has fewer training rows.
DEFAULT_FOLDS = 5
#: An int capacity whose range spans at least this ratio is swept geometrically (``max_depth``
#: from 1 to 100: a linear grid would step over every depth where the tree still changes).
INT_LOG_RATIO = 10.0
#: Columns of :func:`capacity_sweep` / :func:`sweep_table`, in order.
SWEEP_COLUMNS = (
    "family_id",
    "family",
    "estimator",
    "param",
    "value",
    "effective",
    "train",
    "test",
    "cv_mean",
    "cv_std",
    "current",
    "note",
)
Source = Literal["history", "initial"]


# --- current settings --------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class FamilySetting:
    """One family's estimator and hyperparameter values, and where they came from.

    Parameters
    ----------
    family : FamilySpec
        The family.
    estimator_id : str
        One of its estimators that serves the data set's task.
    values : dict
        Every hyperparameter of that estimator, by name, as its page holds them.
    source : {"history", "initial"}
        ``"history"``: the values last used on the family's page in this session;
        ``"initial"``: the values its page starts from.
    """

    family: FamilySpec
    estimator_id: str
    values: dict[str, Any]
    source: Source

    @property
    def specs(self) -> tuple[ParamSpec, ...]:
        """The estimator's hyperparameter specs, in family order."""
        return self.family.hyperparameters_for(self.estimator_id)

    def text(self) -> str:
        """The values as a link spells them: ``alpha=1, fit_intercept=true``."""
        specs = self.specs
        return ", ".join(f"{s.name}={s.format(self.values[s.name])}" for s in specs) or "(none)"


def families_for(task: Task, families: Sequence[FamilySpec]) -> tuple[FamilySpec, ...]:
    """The families that serve ``task``, in the given (navigation) order."""
    return tuple(f for f in families if task in f.tasks)


def initial_setting(family: FamilySpec, task: Task) -> FamilySetting:
    """The setting a family's page opens on for a data set of this task: the task's default
    estimator and every hyperparameter at its spec's ``initial`` value."""
    estimator_id = family.estimator_spec(task).default
    values = {s.name: s.initial for s in family.hyperparameters_for(estimator_id)}
    return FamilySetting(family, estimator_id, values, "initial")


def last_setting(
    family: FamilySpec, task: Task, history: Sequence[Mapping[str, Any]]
) -> FamilySetting:
    """The setting last used on the family's page, else :func:`initial_setting`.

    Parameters
    ----------
    family : FamilySpec
        The family.
    task : {"regression", "classification"}
        The data set's task: only a run whose estimator serves it counts (a tree last
        grown on classes says nothing about a regression tree).
    history : sequence of dict
        The session's run history, oldest first; each run has ``"family"`` (an id) and
        ``"setting"`` (the page's values by URL key, ``"estimator"`` among them). Runs
        whose values no longer pass the specs are skipped.

    Returns
    -------
    FamilySetting
        Values kept exactly as the page held them (so a fit keyed by them is the page's),
        with ``initial`` values for any the run did not record.
    """
    offered = {e.id for e in family.estimators_for(task)}
    for run in reversed(list(history)):
        if run.get("family") != family.id:
            continue
        setting = run.get("setting") or {}
        estimator_id = setting.get("estimator")
        if estimator_id not in offered:
            continue
        values: dict[str, Any] = {}
        try:
            for spec in family.hyperparameters_for(estimator_id):
                if spec.name in setting:
                    spec.validate(setting[spec.name])
                    values[spec.name] = setting[spec.name]
                else:
                    values[spec.name] = spec.initial
        except (ValueError, TypeError):
            continue
        return FamilySetting(family, estimator_id, values, "history")
    return initial_setting(family, task)


# --- one row per family --------------------------------------------------------------------
def effective_parameters(family: FamilySpec, fit: FitResult, dataset: Dataset) -> float:
    """The fit's effective number of parameters by the family's definition, else the
    nominal count of learned values (``family.extract(fit).n_parameters``)."""
    if family.effective_parameters is not None:
        return float(family.effective_parameters(fit, dataset))
    return float(family.extract(fit).n_parameters)


@dataclass(frozen=True, eq=False)
class FamilyRow:
    """One family's current fit on the page's data, or why there is none.

    Parameters
    ----------
    setting : FamilySetting
        What was set.
    n_hyperparameters, n_model_hyperparameters : int
        How many hyperparameters the estimator takes, and how many of them shape the model
        (role ``"model"``; the rest only steer the optimiser).
    n_learned : int or None
        Learned values (``LearnedParameters.n_parameters``); ``None`` without a fit.
    n_stored : int or None
        Values stored instead of learned (nearest neighbours: rows × features), else ``None``.
    effective : float
        :func:`effective_parameters` of the fit (NaN without one).
    train, test : float
        The task's primary score (R², accuracy) on the training and test rows; NaN without
        a fit, ``test`` NaN with a test share of 0.
    fit_seconds : float
        Wall time of the fit (NaN without one).
    problem : str or None
        Why the family cannot be fitted on this data with this setting, as a sentence.
    warnings : tuple of str
        What scikit-learn warned about while fitting.
    """

    setting: FamilySetting
    n_hyperparameters: int
    n_model_hyperparameters: int
    n_learned: int | None = None
    n_stored: int | None = None
    effective: float = math.nan
    train: float = math.nan
    test: float = math.nan
    fit_seconds: float = math.nan
    problem: str | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def family(self) -> FamilySpec:
        return self.setting.family

    @property
    def fitted(self) -> bool:
        """Whether the row holds a fit (no refusal)."""
        return self.problem is None


def _counts(setting: FamilySetting) -> dict[str, int]:
    specs = setting.specs
    return {
        "n_hyperparameters": len(specs),
        "n_model_hyperparameters": sum(s.role == "model" for s in specs),
    }


def family_row(setting: FamilySetting, fit: FitResult, dataset: Dataset) -> FamilyRow:
    """The row of a fitted family: counts, effective parameters, scores, fit time."""
    family = setting.family
    learned = family.extract(fit)
    primary = TASK_SCORING[dataset.task].primary
    return FamilyRow(
        setting=setting,
        **_counts(setting),
        n_learned=learned.n_parameters,
        n_stored=learned.stored.n_values if learned.stored is not None else None,
        effective=effective_parameters(family, fit, dataset),
        train=float(fit.metrics.at[primary, "train"]),
        test=float(fit.metrics.at[primary, "test"]),
        fit_seconds=float(fit.fit_seconds),
        warnings=fit_warnings(family, fit),
    )


def fit_warnings(family: FamilySpec, fit: FitResult) -> tuple[str, ...]:
    """The fit's warnings in the family's own sentences when it has them (a network that
    stopped at max_iter, with its numbers), else scikit-learn's words."""
    explain = getattr(family, "explain_warnings", None)
    if fit.warnings and explain is not None:
        return tuple(explain(fit))
    return tuple(fit.warnings)


def refused_row(setting: FamilySetting, problem: str) -> FamilyRow:
    """The row of a family that cannot be fitted here, with the sentence saying why."""
    return FamilyRow(setting=setting, **_counts(setting), problem=str(problem))


def compare_families(
    settings: Sequence[FamilySetting],
    dataset: Dataset,
    *,
    scale: bool = True,
    test_size: float = 0.25,
    seed: int = 0,
    fitter: Callable[[FamilySetting], FitResult] | None = None,
) -> list[FamilyRow]:
    """Fit every family's setting on the same data and split; one row each.

    Parameters
    ----------
    settings : sequence of FamilySetting
        One per family (see :func:`last_setting`).
    dataset : Dataset
        The prepared data.
    scale, test_size, seed
        As :func:`core.fitting.fit_model`, the same for every family.
    fitter : callable, optional
        ``fitter(setting) -> FitResult`` in place of :func:`fit_model` (a page passes its
        cached fit). It may raise ``FitError`` or ``ValueError`` with a sentence.

    Returns
    -------
    list of FamilyRow
        A family that scikit-learn or the family's own check refuses (a Poisson tree on
        negative targets, more neighbours than rows) is a row with ``problem`` set, never
        an exception.
    """

    def default_fitter(setting: FamilySetting) -> FitResult:
        return fit_model(
            setting.family,
            setting.estimator_id,
            setting.values,
            dataset,
            scale=scale,
            test_size=test_size,
            seed=seed,
        )

    fit_one = fitter or default_fitter
    rows = []
    for setting in settings:
        try:
            fit = fit_one(setting)
        except (FitError, ValueError) as exc:
            rows.append(refused_row(setting, str(exc)))
            continue
        rows.append(family_row(setting, fit, dataset))
    return rows


def _seconds(value: float) -> str:
    if not math.isfinite(value):
        return ""
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def comparison_table(rows: Sequence[FamilyRow], task: Task) -> pd.DataFrame:
    """The rows as a table for the page, one row per family, in the rows' order.

    Columns: ``family``, ``estimator``, ``setting`` (the values, as a link spells them),
    ``from`` (your last run on its page, or the page's start), ``hyperparameters``,
    ``shape the model``, ``learned parameters``, ``stored values``, ``effective
    parameters``, ``train <score>``, ``test <score>``, ``fit time`` and ``note`` (the
    refusal, or how many warnings the fit raised).
    """
    primary = TASK_SCORING[task].primary
    records = []
    for row in rows:
        setting = row.setting
        estimator = setting.family.get_estimator(setting.estimator_id)
        if row.problem:
            note = row.problem
        elif row.warnings:
            note = "; ".join(row.warnings)
        else:
            note = ""
        records.append(
            {
                "family": setting.family.title,
                "estimator": estimator.label,
                "setting": setting.text(),
                "from": "your last run" if setting.source == "history" else "page start",
                "hyperparameters": row.n_hyperparameters,
                "shape the model": row.n_model_hyperparameters,
                "learned parameters": row.n_learned,
                "stored values": row.n_stored,
                "effective parameters": row.effective,
                f"train {primary}": row.train,
                f"test {primary}": row.test,
                "fit time": _seconds(row.fit_seconds),
                "note": note,
            }
        )
    frame = pd.DataFrame(records)
    for column in ("learned parameters", "stored values"):
        if column in frame:
            frame[column] = frame[column].astype("Int64")
    return frame


def current_sentences(rows: Sequence[FamilyRow], task: Task) -> list[str]:
    """Before any sweep: which family's current setting scores best on the test rows."""
    primary = TASK_SCORING[task].primary
    scored = [r for r in rows if r.fitted and math.isfinite(r.test)]
    refused = [r for r in rows if not r.fitted]
    out = []
    if scored:
        best = max(scored, key=lambda r: r.test)
        out.append(
            f"With the settings as they are, {best.family.title} scores the highest test "
            f"{primary}: {best.test:.3f}, with {best.effective:.3g} effective parameters."
        )
        others = sorted((r for r in scored if r is not best), key=lambda r: -r.test)
        if others:
            out.append(
                "The others: "
                + "; ".join(f"{r.family.title} {r.test:.3f}" for r in others)
                + ". One split's test score moves with the seed: the sweep below adds "
                "cross-validated scores and lets each family try other capacities."
            )
    elif any(r.fitted for r in rows):
        out.append(
            "The test share is 0, so there are no test scores: the sweep below compares the "
            "families by cross-validation on the training rows."
        )
    for row in refused:
        out.append(f"{row.family.title} cannot be fitted here: {row.problem}")
    return out


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
        :func:`core.sweeps.sweep_values` of the spec: a log grid for ``log`` floats (``alpha``,
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
    "DEFAULT_FOLDS",
    "SWEEP_COLUMNS",
    "FamilyRow",
    "FamilySetting",
    "PlannedPoint",
    "best_family",
    "best_points",
    "capacity_grid",
    "capacity_spec",
    "capacity_sweep",
    "compare_families",
    "comparison_table",
    "complexity_sentences",
    "current_sentences",
    "cv_folds",
    "effective_parameters",
    "families_for",
    "family_row",
    "fit_warnings",
    "fold_rows",
    "initial_setting",
    "last_setting",
    "refused_row",
    "sweep_plan",
    "sweep_point",
    "sweep_table",
]
