"""The loss over a window of (slope, intercept) around the optimum and the walk: the
surface the descent is drawn on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.families.gradient_descent.loss import Optimum, SquaredErrorMoments, loss_value
from core.families.gradient_descent.optimizer import DescentPath
from core.families.gradient_descent.problem import DescentProblem

#: Grid points per axis of the loss surface.
GRID_POINTS = 60
#: Path points whose loss is above this multiple of the worst start loss are left outside
#: the surface's window (a divergent path would otherwise shrink the valley to a dot).
WINDOW_LOSS_FACTOR = 100.0


# --- the loss surface ------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class LossSurface:
    """The loss on a grid over (slope, intercept), for a contour plot.

    Parameters
    ----------
    slopes : ndarray of shape (n,)
    intercepts : ndarray of shape (m,)
    loss : ndarray of shape (m, n)
        ``loss[i, j]`` at ``(slopes[j], intercepts[i])`` (plotly's ``z`` layout).
    optimum : Optimum
    cropped : bool
        Some path points lie outside the window (a divergent path's tail).
    """

    slopes: np.ndarray
    intercepts: np.ndarray
    loss: np.ndarray
    optimum: Optimum
    cropped: bool = False


def loss_surface(
    problem: DescentProblem,
    opt: Optimum,
    paths: Sequence[DescentPath] = (),
    n: int = GRID_POINTS,
    margin: float = 0.15,
) -> LossSurface:
    """The loss on an ``n × n`` grid centred on the optimum, wide enough for every path.

    Each axis spans the optimum ± the largest distance of any start point or path point
    along it (times ``1 + margin``); path points whose loss is above
    :data:`WINDOW_LOSS_FACTOR` times the largest start loss are left outside (``cropped``).
    Without paths, the window reaches the origin (the default start).
    """
    centre = opt.point
    reach = np.zeros(2)
    cropped = False
    for path in paths:
        inside = path.loss <= WINDOW_LOSS_FACTOR * max(float(path.loss[0]), 1e-300)
        cropped = cropped or not inside.all()
        reach = np.maximum(reach, np.abs(path.params[inside] - centre).max(axis=0))
    if not paths:
        reach = np.abs(centre)
    # A floor per axis, so a run that starts at the optimum still shows its bowl.
    half = np.maximum(reach * (1.0 + margin), 1e-3 * (1.0 + np.abs(centre)))
    slopes = np.linspace(centre[0] - half[0], centre[0] + half[0], n)
    intercepts = np.linspace(centre[1] - half[1], centre[1] + half[1], n)
    W, B = np.meshgrid(slopes, intercepts)
    if problem.loss == "squared_error":
        # Exact, and 100 times faster than summing over the rows.
        loss = SquaredErrorMoments.of(problem.x, problem.y).loss(W, B)
    else:
        loss = loss_value(problem, W, B)
    return LossSurface(slopes, intercepts, loss, opt, cropped)
