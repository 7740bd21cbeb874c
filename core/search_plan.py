"""What a Tune search tries: the hyperparameters an estimator can tune, their grids, the
validated :class:`SearchPlan`, and the unfitted scikit-learn search over the page's pipeline
(:func:`make_search`). :mod:`core.search` runs it and reads what it found."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.experimental import enable_halving_search_cv  # noqa: F401 (enables the import)
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV, RandomizedSearchCV

from core.data.tables import Dataset
from core.family import FamilySpec
from core.fitting import build_pipeline, split_data
from core.scoring import TASK_SCORING
from core.setting import Setting
from core.specs import ParamSpec, resolve
from core.sweep_grids import default_sweep_param, sweep_range, sweep_values

#: The strategies and the scikit-learn search each runs.
STRATEGIES = {
    "grid": GridSearchCV,
    "random": RandomizedSearchCV,
    "halving": HalvingGridSearchCV,
}
#: Searches larger than this many candidates are refused in a sentence (a link cannot ask
#: the server for an unbounded search; 20 × 20 is the largest grid the widgets offer).
MAX_CANDIDATES = 400


def prefixed(name: str) -> str:
    """The pipeline's name of a model hyperparameter."""
    return f"model__{name}"


# --- what can be searched --------------------------------------------------------------------
def tunable_specs(
    family: FamilySpec, estimator_id: str, values: dict[str, Any] | None = None
) -> list[ParamSpec]:
    """The hyperparameters of an estimator a search can choose, model-shaping ones first.

    With ``values`` (the page's setting, which holds every hyperparameter the search does
    not vary), a knob the estimator does not read in that setting is left out, as the page
    draws no widget for it: a search over SGD's ``power_t`` under the constant schedule
    would try values that change nothing.

    Numbers and choices whose options do not depend on the other values (a solver that must
    fit the penalty is left out, as the Sweeps tab leaves it out); not switches (turning
    the intercept off changes the scaling the page pairs with it), not layer widths (no
    scalar), and not an optimiser's seed (an ``int`` without a default: a search over seeds
    picks luck, not a hyperparameter).
    """
    specs = [
        s
        for s in family.hyperparameters_for(estimator_id)
        if s.kind in ("float", "int", "choice")
        and s.allowed is None
        and not (s.role == "optimizer" and s.kind == "int" and s.default is None)
        and (values is None or s.is_used(values))
    ]
    return [s for s in specs if s.role == "model"] + [s for s in specs if s.role != "model"]


def default_tune_param(
    family: FamilySpec, estimator_id: str, values: dict[str, Any] | None = None
) -> str | None:
    """The hyperparameter the Tune tab offers first: the Sweeps tab's first (the penalty),
    else the first tunable one, else ``None``."""
    names = [s.name for s in tunable_specs(family, estimator_id, values)]
    preferred = default_sweep_param(family, estimator_id)
    if preferred in names:
        return preferred
    return names[0] if names else None


def _significant(value: float) -> float:
    """A grid value to 3 significant digits (0.00316, not 0.0031622776601683794), so the
    chosen value reads well, travels in a link and is exactly what "use" sets."""
    if value == 0 or not math.isfinite(value):
        return float(value)
    return float(f"{value:.3g}")


def search_grid(spec: ParamSpec, points: int, most: int | None = None) -> tuple[Any, ...]:
    """The values a search tries for one hyperparameter, ascending.

    Parameters
    ----------
    spec : ParamSpec
        A tunable spec (:func:`tunable_specs`).
    points : int
        Grid points for a number (a choice offers each option).
    most : int, optional
        For a whole-number model hyperparameter (``n_neighbors``, ``min_samples_leaf``), the
        rows one inner fold trains on: the grid stops there, where it would stop meaning
        anything (``n_neighbors`` beyond them fails).

    Returns
    -------
    tuple
        The spec's values: the Sweeps tab's grid (:func:`core.sweep_grids.sweep_values`,
        geometric where the spec is log or spans three decades), floats rounded to three
        significant digits, duplicates dropped.
    """
    if spec.kind == "choice":
        return tuple(spec.choices)
    low, high = sweep_range(spec)
    if spec.kind == "int" and spec.role == "model" and most is not None:
        high = max(min(high, float(most)), low)
    grid = sweep_values(spec, points, low, high)
    values = [int(v) if spec.kind == "int" else _significant(float(v)) for v in grid]
    return tuple(spec.validate(v) for v in dict.fromkeys(values))


# --- the plan --------------------------------------------------------------------------------
@dataclass(frozen=True)
class SearchPlan:
    """What to search, resolved and validated (hashable: a cache key with the setting).

    Parameters
    ----------
    params : tuple of str
        One or two hyperparameter names (spec names = scikit-learn's).
    grids : tuple of tuple
        Each parameter's values, in spec terms (``class_weight="none"``).
    strategy : {"grid", "random", "halving"}
    inner : int
        Inner folds (an integer ``cv``).
    outer : int or None
        Outer folds of the nested estimate; ``None`` skips it (the benchmark's bare search).
    n_iter : int
        Candidates of a random search (at most the grid's size).
    """

    params: tuple[str, ...]
    grids: tuple[tuple[Any, ...], ...]
    strategy: str = "grid"
    inner: int = 5
    outer: int | None = 5
    n_iter: int = 10

    @property
    def size(self) -> int:
        """Candidates in the full grid."""
        return int(np.prod([len(g) for g in self.grids]))

    @property
    def candidates(self) -> int:
        """Candidates the strategy tries at least once."""
        return min(self.n_iter, self.size) if self.strategy == "random" else self.size


def inner_rows(n_train: int, inner: int, outer: int | None) -> int:
    """Rows one inner fold trains on: the training rows, less an outer fold's share (when
    nested), less an inner fold's share (``KFold``'s larger folds: the fewest rows)."""
    rows = n_train - (-(-n_train // outer) if outer else 0)
    return rows - -(-rows // inner)


def make_plan(
    family: FamilySpec,
    setting: Setting,
    dataset: Dataset,
    params: Sequence[str],
    points: Sequence[int],
    *,
    strategy: str = "grid",
    inner: int = 5,
    outer: int | None = 5,
    n_iter: int = 10,
) -> SearchPlan:
    """A validated :class:`SearchPlan` for the page's setting.

    Raises
    ------
    ValueError
        In a sentence: a name the estimator cannot tune, the same name twice, an unknown
        strategy, fewer than two folds, or a grid over :data:`MAX_CANDIDATES`.
    """
    specs = {s.name: s for s in tunable_specs(family, setting.estimator_id, setting.values)}
    label = family.get_estimator(setting.estimator_id).label
    if not params:
        raise ValueError(f"{label} has no hyperparameter a search can choose.")
    if len(params) > 2 or len(set(params)) != len(params):
        raise ValueError("A search here chooses one or two different hyperparameters.")
    for name in params:
        if name not in specs:
            offered = ", ".join(specs) or "none"
            raise ValueError(f"{label} cannot tune {name!r} here (it can tune: {offered}).")
    if strategy not in STRATEGIES:
        raise ValueError(f"The strategy {strategy!r} is not one of {', '.join(STRATEGIES)}.")
    if inner < 2 or (outer is not None and outer < 2):
        raise ValueError("Cross-validation needs at least two folds.")
    n_train = len(split_data(dataset, setting.test_size, setting.seed).train)
    most = inner_rows(n_train, inner, outer)
    grids = tuple(search_grid(specs[n], int(p), most) for n, p in zip(params, points, strict=True))
    plan = SearchPlan(tuple(params), grids, strategy, int(inner), outer, int(n_iter))
    if plan.size > MAX_CANDIDATES:
        raise ValueError(
            f"{plan.size} candidates is more than the {MAX_CANDIDATES} a search here tries; "
            "use fewer grid points."
        )
    return plan


# --- the search ------------------------------------------------------------------------------
def sklearn_values(
    family: FamilySpec, setting: Setting, plan: SearchPlan
) -> tuple[list[list[Any]], dict[str, Any]]:
    """Each grid as scikit-learn takes it (the registry's resolution of each value alone:
    ``class_weight="none"`` is ``None``), and the page's resolved estimator values."""
    est = family.get_estimator(setting.estimator_id)
    specs = family.hyperparameters_for(setting.estimator_id)
    base = resolve(specs, setting.values).values
    grids: list[list[Any]] = []
    for name, grid in zip(plan.params, plan.grids, strict=True):
        values = []
        for value in grid:
            try:
                values.append(est.estimator_params({**base, name: value}).get(name, value))
            except ValueError:  # refused with the others as they are: scikit-learn decides
                values.append(value)
        grids.append(values)
    return grids, base


def sklearn_grids(family: FamilySpec, setting: Setting, plan: SearchPlan) -> list[list[Any]]:
    """Each parameter's grid as scikit-learn takes it (``class_weight="none"`` is ``None``),
    as the search and its script pass it."""
    return sklearn_values(family, setting, plan)[0]


def page_pipeline(family: FamilySpec, setting: Setting, dataset: Dataset) -> Any:
    """The page's unfitted pipeline (imputation when values are missing, scaling when on,
    the estimator with the page's resolved values), as :func:`core.fitting.fit_model`
    builds it."""
    est = family.get_estimator(setting.estimator_id)
    base = resolve(family.hyperparameters_for(setting.estimator_id), setting.values).values
    return build_pipeline(est.make(base), scale=setting.scale, impute=dataset.has_missing)


def make_search(
    family: FamilySpec,
    setting: Setting,
    dataset: Dataset,
    plan: SearchPlan,
    *,
    n_jobs: int | None = None,
) -> Any:
    """The unfitted scikit-learn search of a plan: the page's pipeline, the grid as
    ``model__<name>`` lists, an integer ``cv`` of ``plan.inner`` folds, R² or accuracy,
    ``error_score=nan`` (a value scikit-learn refuses scores NaN and is named, instead of
    stopping the search) and, for random and halving searches, the page's seed."""
    grids, _ = sklearn_values(family, setting, plan)
    grid = {prefixed(n): g for n, g in zip(plan.params, grids, strict=True)}
    common = {
        "scoring": TASK_SCORING[dataset.task].scorer,
        "cv": plan.inner,
        "n_jobs": n_jobs,
        "error_score": np.nan,
    }
    pipeline = page_pipeline(family, setting, dataset)
    if plan.strategy == "grid":
        return GridSearchCV(pipeline, grid, **common)
    if plan.strategy == "random":
        return RandomizedSearchCV(
            pipeline, grid, n_iter=plan.candidates, random_state=setting.seed, **common
        )
    return HalvingGridSearchCV(pipeline, grid, random_state=setting.seed, **common)


def combinations(plan: SearchPlan) -> list[dict[str, Any]]:
    combos: list[dict[str, Any]] = [{}]
    for name, grid in zip(plan.params, plan.grids, strict=True):
        combos = [{**c, name: v} for c in combos for v in grid]
    return combos
