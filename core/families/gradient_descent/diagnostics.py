"""What the surface allows and what a run did, in the user's numbers.

:func:`diagnose` reads the Hessian: its condition number (a narrow valley when large) and
the largest stable learning rate, ``2 / λmax`` (with momentum, ``2 (1 + μ) / λmax``).
:func:`judge_run` classifies a run as converged, too slow, oscillating or divergent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from core.families.gradient_descent.loss import Optimum, hessian, hessian_squared_moments
from core.families.gradient_descent.optimizer import DescentPath
from core.families.gradient_descent.problem import DescentProblem
from core.text import Sentence

Verdict = Literal["converged", "too slow", "oscillating", "divergent"]

#: A run converged once its loss gap above the optimum is below this share of the gap at
#: the start.
CONVERGED_GAP = 1e-4
#: Condition number of the Hessian above which the surface is called a narrow valley.
NARROW_VALLEY = 100.0
#: Share of rising losses, over the last quarter of a run, above which it oscillates.
OSCILLATING_SHARE = 0.2
#: Share of updates that reverse the previous one above which a run is said to zig-zag.
ZIGZAG_SHARE = 0.25


@dataclass(frozen=True)
class Diagnostics:
    """Curvature of the loss and the step sizes it allows.

    Parameters
    ----------
    hessian : ndarray of shape (2, 2)
        At the optimum for log loss (local); the same everywhere for squared error.
    eigenvalues : ndarray of shape (2,)
        Ascending.
    condition_number : float
        Largest over smallest eigenvalue: how much narrower the valley is across than along.
    max_stable_eta : float
        ``2 / λmax``: full-batch gradient descent without momentum shrinks every direction
        of a quadratic bowl only below it.
    momentum_eta : float
        The same limit with the given momentum: ``2 (1 + μ) / λmax`` (heavy ball),
        ``2 (1 + μ) / ((1 + 2μ) λmax)`` (Nesterov).
    local : bool
        True for log loss: the limits hold near the optimum only.
    safe_eta : float
        Log loss only (NaN for squared error): ``2 / L`` with ``L`` the largest eigenvalue
        of ``¼ [[mean x², mean x], [mean x, 1]]``, which bounds the Hessian everywhere
        (``p (1 − p) ≤ ¼``): below it the full-batch loss falls at every step.
    sentences : tuple of Sentence
    """

    hessian: np.ndarray
    eigenvalues: np.ndarray
    condition_number: float
    max_stable_eta: float
    momentum_eta: float
    local: bool
    safe_eta: float
    sentences: tuple[Sentence, ...] = field(default=())


def momentum_limit(max_eigenvalue: float, momentum: float, nesterov: bool) -> float:
    """Largest stable constant learning rate of full-batch descent on a quadratic with
    this top curvature: ``2 (1 + μ) / λ`` with heavy-ball momentum, ``2 (1 + μ) /
    ((1 + 2μ) λ)`` with Nesterov's (``2 / λ`` for ``μ = 0`` either way)."""
    if nesterov:
        return 2.0 * (1.0 + momentum) / ((1.0 + 2.0 * momentum) * max_eigenvalue)
    return 2.0 * (1.0 + momentum) / max_eigenvalue


def diagnose(
    problem: DescentProblem,
    opt: Optimum,
    *,
    eta0: float | None = None,
    momentum: float = 0.0,
    nesterov: bool = False,
) -> Diagnostics:
    """The Hessian, its condition number and the largest stable learning rate, with
    sentences in the user's numbers.

    Parameters
    ----------
    problem : DescentProblem
    opt : Optimum
        From :func:`core.families.gradient_descent.loss.optimum` (where the log-loss Hessian is
        taken).
    eta0 : float, optional
        The user's learning rate, compared against the limits.
    momentum, nesterov : float, bool
        The user's momentum, for the momentum-adjusted limit.
    """
    H = hessian(problem, opt.slope, opt.intercept)
    # Rounding noise (a standardised feature's mean is 1e-17, not 0) would read as a number.
    H = np.where(np.abs(H) < 1e-12 * np.abs(H).max(), 0.0, H)
    eig = np.linalg.eigvalsh(H)
    top = float(eig[-1])
    kappa = float(top / eig[0]) if eig[0] > 0 else math.inf
    limit = 2.0 / top
    with_momentum = momentum_limit(top, momentum, nesterov)
    local = problem.loss == "log_loss"
    safe = math.nan
    out: list[Sentence] = []
    x_name = f"standardised {problem.feature}" if problem.scaled else problem.feature
    out.append(
        Sentence(
            f"Hessian {'at the optimum' if local else 'of the loss'} over (slope, intercept): "
            f"[[{H[0, 0]:.4g}, {H[0, 1]:.4g}], [{H[1, 0]:.4g}, {H[1, 1]:.4g}]], eigenvalues "
            f"{eig[0]:.4g} and {top:.4g}, condition number {kappa:.4g}."
        )
    )
    if local:
        bound = np.linalg.eigvalsh(0.25 * hessian_squared_moments(problem))[-1]
        safe = float(2.0 / bound)
        out.append(
            Sentence(
                f"Near the optimum, full-batch gradient descent is stable below a learning "
                f"rate of 2/λmax = {limit:.4g}: a local bound, since the log loss's curvature "
                f"changes from point to point. Everywhere the curvature is at most that of "
                f"¼·[[mean x², mean x], [mean x, 1]], so any rate below {safe:.4g} lowers the "
                "loss at every full-batch step from any start."
            )
        )
    else:
        out.append(
            Sentence(
                f"Full-batch gradient descent on this squared error converges for a constant "
                f"learning rate below 2/λmax = {limit:.4g} and diverges above it. The best "
                f"constant rate, 2/(λmin + λmax) = {2.0 / (eig[0] + top):.4g}, "
                + (
                    "lands on the optimum in a single step (every direction curves alike)."
                    if kappa < 1.0 + 1e-9
                    else "shrinks the distance to the optimum by a factor "
                    f"{(kappa - 1) / (kappa + 1):.4g} per step."
                )
            )
        )
    if momentum > 0:
        kind = "Nesterov momentum" if nesterov else "momentum"
        out.append(
            Sentence(
                f"With {kind} {momentum:g} the full-batch limit becomes "
                f"{with_momentum:.4g}{' near the optimum' if local else ''}."
            )
        )
    if kappa > NARROW_VALLEY:
        steps = kappa * math.log(1e3) / 2.0
        out.append(
            Sentence(
                f"The loss surface is a narrow valley: it curves {kappa:.3g} times more "
                f"steeply across than along. A rate small enough for the steep direction "
                f"moves along the flat one by only a fraction 2/κ per step, so the path "
                f"zig-zags across the valley and crawls along it (about {steps:,.0f} steps "
                "to shrink the distance a thousandfold, even at the best constant rate)."
                + (
                    ""
                    if problem.scaled
                    else f" Standardising {problem.feature} makes the curvature the same in "
                    "every direction (condition number 1 for squared error)."
                ),
                "warning",
            )
        )
    else:
        out.append(
            Sentence(
                f"With {x_name} the surface is a round bowl (condition number {kappa:.3g}): one "
                "learning rate suits every direction."
                if kappa < 2.0
                else f"With {x_name} the surface is an oval bowl (condition number "
                f"{kappa:.3g}): one learning rate suits both directions, though the flatter "
                "one takes a few times more steps."
            )
        )
    if eta0 is not None:
        allowed = with_momentum
        if eta0 > allowed:
            out.append(
                Sentence(
                    f"eta0 = {eta0:g} is above the {'local ' if local else ''}limit "
                    f"{allowed:.4g}: full-batch steps overshoot"
                    + (" and grow." if not local else " near the optimum."),
                    "warning",
                )
            )
    return Diagnostics(H, eig, kappa, limit, with_momentum, local, safe, tuple(out))


# --- judging a run ----------------------------------------------------------------------
@dataclass(frozen=True)
class RunVerdict:
    """How a run ended, in one word and one sentence.

    Parameters
    ----------
    kind : {"converged", "too slow", "oscillating", "divergent"}
    sentence : Sentence
    distance : float
        Euclidean distance from the optimum in (slope, intercept) where it stopped.
    loss_gap : float
        Loss above the optimum's where it stopped.
    gap_share : float
        ``loss_gap`` as a share of the gap at the start.
    zigzag : float
        Share of consecutive updates that reverse direction (negative dot product).
    """

    kind: Verdict
    sentence: Sentence
    distance: float
    loss_gap: float
    gap_share: float
    zigzag: float


def judge_run(problem: DescentProblem, path: DescentPath, opt: Optimum) -> RunVerdict:
    """Classify a run as converged, too slow, oscillating or divergent, and say why.

    Rules, in order: divergent when the run diverged; converged when the loss gap is at
    most :data:`CONVERGED_GAP` of the start gap; oscillating when more than
    :data:`OSCILLATING_SHARE` of the losses rise over the run's last quarter (or it ended
    above its start); otherwise too slow (still descending when the epochs ran out).
    """
    final = path.final
    distance = float(np.linalg.norm(final - opt.point))
    gap = max(float(path.loss[-1] - opt.loss), 0.0)
    start_gap = max(float(path.loss[0] - opt.loss), 0.0)
    share = gap / start_gap if start_gap > 0 else 0.0
    moves = np.diff(path.params, axis=0)
    turns = np.einsum("ij,ij->i", moves[1:], moves[:-1]) if len(moves) > 1 else np.array([])
    zigzag = float(np.mean(turns < 0)) if turns.size else 0.0
    where = (
        f"It stopped at slope {final[0]:.4g}, intercept {final[1]:.4g}: {distance:.3g} from "
        f"the optimum ({opt.slope:.4g}, {opt.intercept:.4g}), with a loss {gap:.3g} above "
        f"the optimum's {opt.loss:.4g} ({100 * share:.3g}% of the gap at the start)."
    )
    settings = path.settings
    if path.diverged:
        kind: Verdict = "divergent"
        text = f"Divergent. {path.message} Lower the learning rate."
        return RunVerdict(kind, Sentence(text, "warning"), distance, gap, share, zigzag)
    tail = path.loss[-max(10, len(path.loss) // 4) :]
    scale = max(abs(opt.loss), start_gap, 1e-300)
    rising = float(np.mean(np.diff(tail) > 1e-12 * scale)) if len(tail) > 1 else 0.0
    if share <= CONVERGED_GAP:
        kind = "converged"
        text = (
            f"Converged: less than {100 * CONVERGED_GAP:g}% of the start's loss gap remains. "
            f"{where}"
        )
        level = "info"
    elif rising > OSCILLATING_SHARE or share > 1:
        kind = "oscillating"
        if path.batch_size < problem.n:
            cause = (
                f"each batch of {path.batch_size} row{'s' if path.batch_size > 1 else ''} "
                "points a little off the full-data downhill direction, so near the optimum "
                "the steps jitter around it; a decaying schedule (invscaling or step_decay) "
                "or larger batches let it settle."
            )
        elif settings.momentum > 0:
            cause = (
                f"momentum {settings.momentum:g} carries it past the optimum and back; less "
                "momentum or a smaller rate damps the swings."
            )
        else:
            cause = "the steps overshoot across the valley; a smaller rate settles it."
        text = f"Oscillating: the loss keeps rising and falling, because {cause} {where}"
        level = "warning"
    else:
        kind = "too slow"
        zig = (
            f" It zig-zags across the valley ({100 * zigzag:.0f}% of its updates reverse the "
            "one before), spending its steps across the valley instead of along it."
            if zigzag > ZIGZAG_SHARE
            else ""
        )
        text = (
            f"Too slow: still going downhill when it stopped ({path.message.rstrip('.')}).{zig} "
            f"More epochs or a larger learning rate would get closer. {where}"
        )
        level = "warning"
    return RunVerdict(kind, Sentence(text, level), distance, gap, share, zigzag)
