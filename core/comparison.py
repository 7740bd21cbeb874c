"""Every model family on one data set: the current fits side by side (the capacity sweep is
:mod:`core.capacity`).

The all-families page asks three things of the registry, never which family is which:

- each family's *current setting* (:func:`last_setting`): the estimator and hyperparameter
  values last used on that family's page in this session (from the run history), else the
  values its page starts from;
- one *row* per family (:func:`family_row`, :func:`compare_families`): what was set, how
  many of those values shape the model, how many parameters it learned (or stored instead),
  its effective number of parameters, train and test score, fit time, or a sentence saying
  why it cannot be fitted here;
- how long each current fit will take, before fitting it (:func:`estimate_fit_seconds`):
  the family's own ``estimate_seconds`` where it has one, else a pilot fit on a sample of
  the training rows scaled up to all of them, so the page can ask before long work;
- a *complexity sweep* (:mod:`core.capacity`): the family's ``capacity`` hyperparameter over
  a grid, each point refitted on the page's training rows and cross-validated on them;
  :func:`core.capacity.complexity_sentences` reads it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from core.data.tables import Dataset, Task
from core.family import FamilySpec
from core.fitting import (
    FitError,
    FitResult,
    FitTooSlow,
    Split,
    fit_model,
    single_blas_thread,
    split_data,
)
from core.scoring import TASK_SCORING
from core.setting import Setting
from core.specs import ParamSpec, resolve

#: Folds of the cross-validation, fewer when a class has fewer training rows.
DEFAULT_FOLDS = 5
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
        ``"setting"`` (the run's :class:`Setting`). Runs whose values no longer pass the
        specs are skipped.

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
        setting: Setting = run["setting"]
        estimator_id, recorded = setting.estimator_id, setting.values
        if estimator_id not in offered:
            continue
        values: dict[str, Any] = {}
        try:
            for spec in family.hyperparameters_for(estimator_id):
                if spec.name in recorded:
                    spec.validate(recorded[spec.name])
                    values[spec.name] = recorded[spec.name]
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


# --- how long the current fits take -------------------------------------------------------
#: A family without ``estimate_seconds`` is timed on random samples of its training rows:
#: this many rows first, then :data:`PILOT_GROWTH` times as many until the fit time has
#: grown by :data:`PILOT_MIN_SECONDS` between two sizes (above the timing noise of a busy
#: machine), or the next size would take the pilots past :data:`PILOT_SECONDS` in all.
PILOT_ROWS = 1_000
PILOT_GROWTH = 4
PILOT_MIN_SECONDS = 0.03
PILOT_SECONDS = 0.3
#: A first pilot whose fit takes this long is scaled up alone (its fixed cost is small).
PILOT_SLOW_SECONDS = 0.1


def estimate_fit_seconds(
    family: FamilySpec, setting: Setting, dataset: Dataset, split: Split | None = None
) -> float:
    """How long fitting and scoring ``setting`` on ``dataset`` will take, before doing it.

    A setting the specs or the family's ``check`` refuse costs nothing (it is refused
    before any fitting). A family with ``estimate_seconds`` says what its fit costs (a
    network: its epochs; nearest neighbours: predicting every row against every stored
    one), as the fit's own time budget reads it. Any other family is timed on random
    samples of the training rows, each with every class in it (:func:`pilot_seconds`).

    Parameters
    ----------
    family : FamilySpec
    setting : Setting
        The fit to estimate (its values and split).
    dataset : Dataset
    split : Split, optional
        The setting's split when the caller has it (every family of a page shares one).

    Raises
    ------
    FitError
        If the split leaves too few rows (the fit would say the same).
    """
    split = split or split_data(dataset, setting.test_size, setting.seed)
    try:
        values = resolve(family.hyperparameters_for(setting.estimator_id), setting.values).values
    except ValueError:
        return 0.0
    X_train, y_train = split.train_rows(dataset)
    if family.check is not None and family.check(setting.estimator_id, values, X_train, y_train):
        return 0.0
    if family.estimate_seconds is not None:
        return float(family.estimate_seconds(setting.estimator_id, values, X_train, y_train))
    return pilot_seconds(family, setting, dataset, split.train)


def _pilot_order(dataset: Dataset, train: np.ndarray, seed: int) -> np.ndarray:
    """The training rows in a random order, one row of every class first, so that a pilot
    of the first rows holds every class, as the real fit does."""
    order = np.random.default_rng(seed).permutation(train)
    if dataset.task != "classification":
        return order
    codes = pd.factorize(dataset.y.to_numpy()[order])[0]
    first = np.sort(np.unique(codes, return_index=True)[1])
    rest = np.ones(len(order), dtype=bool)
    rest[first] = False
    return np.concatenate([order[first], order[rest]])


def _line(sizes: list[float], seconds: list[float], size: float) -> float:
    """Seconds at ``size`` on the line through the last two pilots (the fixed cost of a
    fit, which a small pilot is mostly made of, is then not scaled up with the rows); from
    one pilot, or a slope lost in timing noise, the last pilot scaled by its size."""
    if len(sizes) < 2:
        return seconds[-1] * max(size / sizes[-1], 1.0)
    if seconds[-1] <= seconds[-2]:
        return seconds[-1]
    slope = (seconds[-1] - seconds[-2]) / (sizes[-1] - sizes[-2])
    return seconds[-1] + slope * max(size - sizes[-1], 0.0)


def pilot_seconds(
    family: FamilySpec, setting: Setting, dataset: Dataset, train: np.ndarray
) -> float:
    """A fit's time from pilot fits on samples of its training rows.

    Each pilot goes through :func:`core.fitting.fit_model` on ``m`` random training rows
    (every class among them; an iterative solver asked for more than
    :data:`core.fitting.PROBE_ITERATIONS` iterations probed as the page's fit is, so a
    pilot never runs long); the first size twice, keeping the quicker (the first fit also
    pays for imports, and a busy machine only ever adds time). The fitting time is
    extended along the line through the last two sizes against ``m log m`` to the training
    rows, the rest of a pilot's time (predicting, scoring) against ``m`` to every row the
    real fit predicts: a fit's fixed cost, which a small pilot is mostly made of, is not
    scaled up with the rows. A setting scikit-learn
    refuses costs nothing (the real fit fails as fast).
    """
    n_train, n_rows = len(train), len(dataset.y)
    order = _pilot_order(dataset, train, setting.seed)
    sizes: list[float] = []
    fitting: list[float] = []
    scoring: list[float] = []
    m, spent = min(PILOT_ROWS, n_train), 0.0
    while True:
        rows = np.sort(order[:m])
        sample = replace(dataset, X=dataset.X.iloc[rows], y=dataset.y.iloc[rows], true_coef=None)
        times = []
        for _ in range(2 if not sizes else 1):  # the first size twice: a warm-up
            start = time.perf_counter()
            try:
                with single_blas_thread():
                    fit = fit_model(
                        family,
                        setting.estimator_id,
                        setting.values,
                        sample,
                        scale=setting.scale,
                        test_size=0.0,
                        seed=setting.seed,
                        budget=PILOT_SECONDS,
                    )
            except FitTooSlow as exc:  # an unconverged probe: its estimate of this fit
                times.append((exc.seconds, 0.0))
                break
            except (FitError, ValueError):
                return 0.0
            wall = time.perf_counter() - start
            spent += wall
            times.append((fit.fit_seconds, max(wall - fit.fit_seconds, 0.0)))
        sizes.append(m)
        fitting.append(min(t[0] for t in times))
        scoring.append(min(t[1] for t in times))
        if m >= n_train:
            break
        # A second size separates the fixed cost from the per-row cost, unless the first
        # pilot is slow enough for its fixed cost not to matter; more sizes follow until
        # the fit time has grown above the noise, within the pilots' time.
        if len(sizes) == 1:
            done = fitting[0] >= PILOT_SLOW_SECONDS
        else:
            grown = fitting[-1] - fitting[-2] >= PILOT_MIN_SECONDS
            done = grown or spent + PILOT_GROWTH * (fitting[-1] + scoring[-1]) > PILOT_SECONDS
        if done:
            break
        m = min(PILOT_GROWTH * m, n_train)
    work = [s * math.log(s) for s in sizes]
    fit_part = _line(work, fitting, n_train * math.log(n_train))
    return float(fit_part + _line(sizes, scoring, n_rows))


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
                # A fitted model that stores no rows stores 0 values, as the home table says.
                "stored values": row.n_stored if row.n_stored is not None or not row.fitted else 0,
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
                + ". One split's test score moves with the seed: the sweep above (Complexity "
                "against score) adds cross-validated scores and lets each family try other "
                "capacities."
            )
    elif any(r.fitted for r in rows):
        out.append(
            "The test share is 0, so there are no test scores: the sweep above (Complexity "
            "against score) compares the families by cross-validation on the training rows."
        )
    for row in refused:
        out.append(f"{row.family.title} cannot be fitted here: {row.problem}")
    return out


__all__ = [
    "DEFAULT_FOLDS",
    "SWEEP_COLUMNS",
    "FamilyRow",
    "FamilySetting",
    "compare_families",
    "comparison_table",
    "current_sentences",
    "effective_parameters",
    "estimate_fit_seconds",
    "families_for",
    "family_row",
    "fit_warnings",
    "initial_setting",
    "last_setting",
    "pilot_seconds",
    "refused_row",
]
