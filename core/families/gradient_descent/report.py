"""One call for the two-parameter view: the problem, its optimum, runs A (and B), their
verdicts, the surface they share, and what it all means in the user's numbers.

The view's settings arrive as validated ``gd_*`` values
(:mod:`core.families.gradient_descent.view_specs`);
:func:`descent_report` returns everything the page places, so the page computes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.data.tables import Dataset
from core.families.gradient_descent.diagnostics import Diagnostics, RunVerdict, diagnose, judge_run
from core.families.gradient_descent.loss import Optimum, optimum
from core.families.gradient_descent.optimizer import (
    MAX_STEPS,
    DescentPath,
    DescentSettings,
    run_descent,
)
from core.families.gradient_descent.problem import DescentProblem, make_problem
from core.families.gradient_descent.surface import (
    GRID_POINTS,
    WINDOW_LOSS_FACTOR,
    LossSurface,
    loss_surface,
)
from core.text import Sentence

#: Share of the loss gap at the start a run must close to count as "nearly there".
CLOSED_SHARE = 0.01


@dataclass(frozen=True, eq=False)
class DescentRun:
    """One run on the surface.

    Parameters
    ----------
    label : str
        ``"A"`` or ``"B"``.
    path : DescentPath
    verdict : RunVerdict
    diagnostics : Diagnostics
        The surface's curvature against this run's learning rate and momentum.
    steps_to_close : int or None
        First update at which the loss gap is at most :data:`CLOSED_SHARE` of the gap at the
        start; ``None`` if it never was.
    sentences : tuple of Sentence
        What was set, what was learned, and the verdict.
    """

    label: str
    path: DescentPath
    verdict: RunVerdict
    diagnostics: Diagnostics
    steps_to_close: int | None
    sentences: tuple[Sentence, ...]

    @property
    def settings(self) -> DescentSettings:
        """The settings the run was made with."""
        return self.path.settings


@dataclass(frozen=True, eq=False)
class DescentReport:
    """Everything the two-parameter view shows.

    Parameters
    ----------
    problem : DescentProblem
    optimum : Optimum
    runs : tuple of DescentRun
        A first, then B when compared.
    surface : LossSurface
        Wide enough for every run.
    sentences : tuple of Sentence
        The surface's curvature and limits, then the A/B comparison.
    """

    problem: DescentProblem
    optimum: Optimum
    runs: tuple[DescentRun, ...]
    surface: LossSurface
    sentences: tuple[Sentence, ...]

    @property
    def labelled_paths(self) -> list[tuple[str, DescentPath]]:
        """``(label, path)`` pairs, as the figures take them."""
        return [(run.label, run.path) for run in self.runs]


def problem_from_values(
    dataset: Dataset, values: dict[str, Any], rows: np.ndarray | None = None
) -> DescentProblem:
    """The problem the view's ``gd_feature``, ``gd_class`` and ``gd_scale`` values ask for,
    on the given rows (the page's training rows). Raises
    :class:`core.families.gradient_descent.problem.DescentError` as :func:`make_problem` does."""
    return make_problem(
        dataset,
        values.get("gd_feature"),
        scale=bool(values.get("gd_scale", True)),
        positive_class=values.get("gd_class"),
        rows=rows,
    )


def estimated_seconds(n_rows: int, settings: Sequence[DescentSettings], log_loss: bool) -> float:
    """A rough upper estimate of :func:`descent_report`'s time, to decide whether to ask first.

    Each update costs about 20 µs of Python plus its batch's rows; every point of the path
    and (log loss) of the 60 × 60 surface is then evaluated on every row. Measured on one core:
    one-row batches on diabetes (20,000 updates) take 0.5 s.
    """
    seconds = 0.0
    per_row = 3e-8 if log_loss else 1e-8
    for s in settings:
        batch = n_rows if s.batch_size is None else min(int(s.batch_size), n_rows)
        steps = min(s.epochs * math.ceil(n_rows / batch), MAX_STEPS)
        full_squared = not log_loss and batch == n_rows
        seconds += steps * (2e-5 + (0.0 if full_squared else batch * per_row))
        seconds += (steps + 1) * n_rows * 1.5e-8
    if log_loss:
        seconds += GRID_POINTS**2 * n_rows * 1.5e-8
    return seconds


def steps_to_close(path: DescentPath, opt: Optimum, share: float = CLOSED_SHARE) -> int | None:
    """First update at which the loss gap above the optimum is at most ``share`` of the gap
    at the start (``None`` if never; 0 when the run starts there)."""
    gap = path.loss - opt.loss
    start = max(float(gap[0]), 0.0)
    hit = np.flatnonzero(gap <= share * start)
    return int(hit[0]) if hit.size else None


def _describe_settings(problem: DescentProblem, path: DescentPath) -> str:
    """The knobs of a run in words."""
    s = path.settings
    if s.schedule == "invscaling":
        schedule = (
            f"invscaling schedule (η = eta0 / t^{s.power_t:g}, down to "
            f"{path.learning_rate[-1]:.3g} at the last update)"
            if len(path.learning_rate)
            else "invscaling schedule"
        )
    elif s.schedule == "step_decay":
        schedule = f"step_decay schedule (× {s.drop:g} every {s.every} epochs)"
    else:
        schedule = "constant schedule"
    if s.momentum > 0:
        momentum = f"{'Nesterov ' if s.nesterov else ''}momentum {s.momentum:g}"
    else:
        momentum = "no momentum"
    if path.batch_size >= problem.n:
        batch = f"the full batch ({problem.n} rows per update)"
    else:
        batch = (
            f"batches of {path.batch_size} row{'s' if path.batch_size > 1 else ''} "
            f"({path.steps_per_epoch} updates per epoch, row order seeded by {s.seed})"
        )
    return (
        f"learning rate eta0 = {s.eta0:g} with a {schedule}, {momentum}, {batch}, "
        f"{s.epochs} epochs, starting at w = {s.slope0:g}, b = {s.intercept0:g}"
    )


def _line(problem: DescentProblem, slope: float, intercept: float) -> str:
    """The fitted line in the feature's own units: ``target ≈ w·feature + b``."""
    w, b = (float(v) for v in problem.to_raw(slope, intercept))
    left = (
        problem.target
        if problem.loss == "squared_error"
        else (f"log-odds of {problem.positive_class}")
    )
    return f"{left} ≈ {w:.4g}·{problem.feature} {'+' if b >= 0 else '−'} {abs(b):.4g}"


def _rate_sentence(run_label: str, path: DescentPath, diagnostics: Diagnostics) -> Sentence:
    """The learning rate against the limits of this surface: too small, right or too large."""
    s = path.settings
    limit = diagnostics.momentum_eta if s.momentum > 0 else diagnostics.max_stable_eta
    eig = diagnostics.eigenvalues
    best = 2.0 / float(eig[0] + eig[-1])
    ratio = s.eta0 / limit
    where = "near the optimum " if diagnostics.local else ""
    if ratio > 1:
        size = "too large: full-batch steps overshoot" + (
            " near the optimum" if diagnostics.local else " by more each time"
        )
    elif s.momentum > 0:
        size = "within the stable range for this momentum"
    elif ratio >= 0.5:
        size = (
            "large: each step overshoots the steep direction and lands on the other side, a "
            "zig-zag that still shrinks"
        )
    elif s.eta0 >= 0.1 * best:
        size = "about right for this surface"
    else:
        size = "small: every step is short, so the walk needs many of them"
    if s.momentum == 0:
        limit_name = "2/λmax"
    elif s.nesterov:
        limit_name = "2(1 + μ)/((1 + 2μ)·λmax) with Nesterov momentum"
    else:
        limit_name = "2(1 + μ)/λmax with momentum"
    return Sentence(
        f"{run_label}: eta0 = {s.eta0:g} is {ratio:.3g} × the largest stable rate {where}"
        f"({limit_name} = {limit:.4g}); the fastest constant rate without momentum is "
        f"2/(λmin + λmax) = {best:.4g}. The rate is {size}.",
        "warning" if ratio > 1 else "info",
    )


def _run(
    problem: DescentProblem, opt: Optimum, label: str, settings: DescentSettings
) -> DescentRun:
    path = run_descent(problem, settings)
    verdict = judge_run(problem, path, opt)
    diagnostics = diagnose(
        problem, opt, eta0=settings.eta0, momentum=settings.momentum, nesterov=settings.nesterov
    )
    closed = steps_to_close(path, opt)
    final = path.final
    units = f"standardised {problem.feature}" if problem.scaled else problem.feature
    out = [
        Sentence(f"{label}: you set {_describe_settings(problem, path)}."),
        _rate_sentence(label, path, diagnostics),
        Sentence(
            f"{label} {'was stopped at' if path.diverged else 'learned'} slope w = "
            f"{final[0]:.4g} and intercept b = {final[1]:.4g} (per unit of {units}) after "
            f"{path.n_steps:,} updates; the exact optimum is w = "
            f"{opt.slope:.4g}, b = {opt.intercept:.4g}."
            + (
                f" In the feature's own units: {_line(problem, *final)}, against the "
                f"optimum's {_line(problem, opt.slope, opt.intercept)}."
                if problem.scaled
                else ""
            )
        ),
        Sentence(f"{label}: {verdict.sentence.text}", verdict.sentence.level),
    ]
    if not path.diverged:
        out.append(
            Sentence(
                f"{label} closed {100 * (1 - CLOSED_SHARE):g}% of the loss gap at the start "
                f"after {closed:,} updates (epoch {path.epoch[closed]:.3g})."
                if closed is not None
                else f"{label} never closed {100 * (1 - CLOSED_SHARE):g}% of the loss gap at "
                "the start."
            )
        )
    return DescentRun(label, path, verdict, diagnostics, closed, tuple(out))


def _comparison(runs: Sequence[DescentRun]) -> list[Sentence]:
    """B against A in one sentence."""
    if len(runs) < 2:
        return []
    a, b = runs[0], runs[1]
    share = f"{100 * (1 - CLOSED_SHARE):g}%"

    def progress(run: DescentRun) -> str:
        if run.path.diverged:
            return f"{run.label} diverged"
        if run.steps_to_close is None:
            return f"{run.label} never closed {share} of its loss gap"
        return f"{run.label} closed {share} of its loss gap in {run.steps_to_close:,} updates"

    if a.path.diverged and b.path.diverged:
        nearer = "both diverged"
    elif a.verdict.distance == b.verdict.distance:
        nearer = "both ended equally close"
    else:
        nearer = f"{'A' if a.verdict.distance < b.verdict.distance else 'B'} ended closer"
    return [
        Sentence(
            f"On the same surface A ended {a.verdict.distance:.3g} from the optimum "
            f"({a.verdict.kind}) and B {b.verdict.distance:.3g} ({b.verdict.kind}): "
            f"{nearer}; {progress(a)}, {progress(b)}."
        )
    ]


def descent_report(
    problem: DescentProblem, settings: Sequence[tuple[str, DescentSettings]]
) -> DescentReport:
    """Run each labelled setting on the problem and gather what the view shows.

    Parameters
    ----------
    problem : DescentProblem
    settings : sequence of (label, DescentSettings)
        One run (A) or two (A and B), drawn on one surface.

    Returns
    -------
    DescentReport
        Never raises for a large learning rate: a divergent run is stopped, judged
        ``"divergent"`` and explained; every array is finite.
    """
    opt = optimum(problem)
    runs = tuple(_run(problem, opt, label, s) for label, s in settings)
    surface = loss_surface(problem, opt, [run.path for run in runs])
    # The surface's own curvature and limits; each run's rate is judged in its sentences.
    sentences = list(diagnose(problem, opt).sentences)
    if surface.cropped:
        sentences.append(
            Sentence(
                "Part of a path is off the plot: its loss rose past "
                f"{WINDOW_LOSS_FACTOR:g} times the loss at its start, and the window stops "
                "there so that the valley stays visible."
            )
        )
    sentences += _comparison(runs)
    return DescentReport(problem, opt, runs, surface, tuple(sentences))
