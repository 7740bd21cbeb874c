"""Pure plotly builders for the gradient-descent page.

Each takes results of the :mod:`core.families.gradient_descent` package and returns a
``go.Figure``. Optima
and reference values are ordinary traces (not layout shapes), so a test can read them from
``fig.data`` and they stay right on log axes. Long runs are thinned to at most
``max_points`` points per trace (first and last always kept): a browser draws 20,000
markers slowly and the eye cannot tell them apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from core.axes import log_ticks_of
from core.families.gradient_descent.loss import Optimum
from core.families.gradient_descent.optimizer import DescentPath
from core.families.gradient_descent.problem import DescentProblem
from core.families.gradient_descent.sgd_replay import SGDTrajectory
from core.families.gradient_descent.surface import LossSurface
from core.legend import LEGEND_BELOW
from core.plot_text import figure_builder

#: Colours of the runs on one surface (A, B, ...), and of features in a trajectory.
RUN_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd")
FEATURE_COLOURS = qualitative.Plotly
OPTIMUM = "#d62728"
#: Most points drawn per trace.
MAX_POINTS = 1500

Runs = Sequence[tuple[str, DescentPath]]


def thin(n: int, max_points: int = MAX_POINTS) -> np.ndarray:
    """At most ``max_points`` evenly spread indices of ``range(n)``, first and last kept."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(int))


def _colour(k: int) -> str:
    return RUN_COLOURS[k % len(RUN_COLOURS)]


def _axis_names(problem: DescentProblem | None) -> tuple[str, str]:
    if problem is None:
        return "slope w", "intercept b"
    feature = f"standardised {problem.feature}" if problem.scaled else problem.feature
    return f"slope w (per unit of {feature})", "intercept b"


@figure_builder
def loss_surface_figure(
    surface: LossSurface,
    runs: Runs = (),
    problem: DescentProblem | None = None,
    *,
    max_points: int = 400,
) -> go.Figure:
    """Contours of the loss over (slope, intercept), the optimum, and each run's path.

    Parameters
    ----------
    surface : LossSurface
        From :func:`core.families.gradient_descent.surface.loss_surface` (built with the same runs,
        so they fit).
    runs : sequence of (label, DescentPath)
        One or more runs (A/B) on the same surface; each is drawn as a line with step
        markers, its start as an open circle and its end as a cross.
    problem : DescentProblem, optional
        For axis titles.
    max_points : int, default=400
        Most step markers per run.

    Notes
    -----
    The colour is ``log10`` of the loss above the optimum's, so a narrow valley's floor
    and its walls both show. The axes are fixed to the grid: the tail of a divergent path
    runs off the plot.
    """
    opt = surface.optimum
    gap = np.maximum(surface.loss - opt.loss, 0.0)
    floor = max(float(gap.max()) * 1e-9, 1e-300)
    x_title, y_title = _axis_names(problem)
    fig = go.Figure()
    fig.add_trace(
        go.Contour(
            x=surface.slopes,
            y=surface.intercepts,
            z=np.log10(gap + floor),
            customdata=surface.loss,
            colorscale="Viridis",
            ncontours=24,
            colorbar={"title": {"text": "log10(loss − min)"}},
            hovertemplate="w=%{x:.4g}<br>b=%{y:.4g}<br>loss=%{customdata:.5g}<extra></extra>",
            name="loss",
        )
    )
    for k, (label, path) in enumerate(runs):
        keep = thin(len(path.params), max_points)
        colour = _colour(k)
        fig.add_trace(
            go.Scatter(
                x=path.params[keep, 0],
                y=path.params[keep, 1],
                mode="lines+markers",
                marker={"size": 4, "color": colour},
                # Later runs dashed, so a run drawn over an earlier one leaves it visible.
                line={"width": 1.5, "color": colour, "dash": "solid" if k == 0 else "dash"},
                customdata=np.column_stack([keep, path.loss[keep]]),
                hovertemplate=(
                    f"{label}<br>step %{{customdata[0]}}<br>w=%{{x:.4g}}<br>b=%{{y:.4g}}"
                    "<br>loss=%{customdata[1]:.5g}<extra></extra>"
                ),
                name=label,
                legendgroup=label,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=path.params[:1, 0],
                y=path.params[:1, 1],
                mode="markers",
                marker={"size": 11, "color": "white", "line": {"width": 2, "color": colour}},
                name=f"{label}: start",
                legendgroup=label,
                showlegend=False,
                hovertemplate=f"{label} start<br>w=%{{x:.4g}}<br>b=%{{y:.4g}}<extra></extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=path.params[-1:, 0],
                y=path.params[-1:, 1],
                mode="markers",
                marker={"size": 11, "symbol": "x", "color": colour},
                name=f"{label}: end",
                legendgroup=label,
                showlegend=False,
                hovertemplate=f"{label} end<br>w=%{{x:.4g}}<br>b=%{{y:.4g}}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[opt.slope],
            y=[opt.intercept],
            mode="markers",
            marker={"size": 16, "symbol": "star", "color": OPTIMUM, "line": {"width": 1}},
            name="optimum",
            hovertemplate=(
                f"optimum ({opt.method})<br>w=%{{x:.6g}}<br>b=%{{y:.6g}}"
                f"<br>loss={opt.loss:.6g}<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        xaxis={"title": {"text": x_title}, "range": [surface.slopes[0], surface.slopes[-1]]},
        yaxis={
            "title": {"text": y_title},
            "range": [surface.intercepts[0], surface.intercepts[-1]],
        },
        legend=LEGEND_BELOW,
        margin={"t": 30},
    )
    return fig


def _step_axis(path: DescentPath, per: Literal["update", "epoch"]) -> np.ndarray:
    return path.epoch if per == "epoch" else np.arange(len(path.params), dtype=float)


@figure_builder
def loss_curve_figure(
    runs: Runs,
    opt: Optimum,
    *,
    per: Literal["update", "epoch"] = "update",
    max_points: int = MAX_POINTS,
) -> go.Figure:
    """The full-data loss above the optimum's at each step, on a log y axis.

    A straight falling line is linear convergence; a flat one a crawl; a jagged one an
    oscillation. Exact zeros (a run that lands on the optimum) are drawn at a floor of
    ``1e-16`` times the start loss, which a log axis can show.
    """
    fig = go.Figure()
    for k, (label, path) in enumerate(runs):
        keep = thin(len(path.loss), max_points)
        gap = path.loss - opt.loss
        floor = 1e-16 * max(abs(float(path.loss[0])), 1e-300)
        fig.add_trace(
            go.Scatter(
                x=_step_axis(path, per)[keep],
                y=np.maximum(gap, floor)[keep],
                mode="lines",
                line={"color": _colour(k)},
                customdata=path.loss[keep],
                hovertemplate=(
                    f"{label}<br>{per} %{{x:.4g}}<br>loss %{{customdata:.6g}}"
                    "<br>above min %{y:.3g}<extra></extra>"
                ),
                name=label,
            )
        )
    fig.update_layout(
        xaxis={"title": {"text": per}},
        yaxis={
            "title": {"text": f"loss − minimum ({opt.loss:.5g})"},
            "type": "log",
            **log_ticks_of(*(trace.y for trace in fig.data)),
        },
        legend=LEGEND_BELOW,
        margin={"t": 30},
    )
    return fig


@figure_builder
def parameter_steps_figure(
    runs: Runs,
    opt: Optimum,
    *,
    per: Literal["update", "epoch"] = "update",
    max_points: int = MAX_POINTS,
) -> go.Figure:
    """Slope (top) and intercept (bottom) at each step, the optimum as a dashed line."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    for row, (index, name, best) in enumerate(
        ((0, "slope w", opt.slope), (1, "intercept b", opt.intercept)), start=1
    ):
        longest = 0.0
        for k, (label, path) in enumerate(runs):
            keep = thin(len(path.params), max_points)
            steps = _step_axis(path, per)
            longest = max(longest, float(steps[-1]))
            fig.add_trace(
                go.Scatter(
                    x=steps[keep],
                    y=path.params[keep, index],
                    mode="lines",
                    line={"color": _colour(k)},
                    name=label,
                    legendgroup=label,
                    showlegend=row == 1,
                    hovertemplate=(
                        f"{label}<br>{per} %{{x:.4g}}<br>{name} %{{y:.5g}}<extra></extra>"
                    ),
                ),
                row=row,
                col=1,
            )
        fig.add_trace(
            go.Scatter(
                x=[0.0, longest],
                y=[best, best],
                mode="lines",
                line={"color": OPTIMUM, "dash": "dash"},
                name="optimum",
                legendgroup="optimum",
                showlegend=row == 1,
                hovertemplate=f"optimum {name} = {best:.6g}<extra></extra>",
            ),
            row=row,
            col=1,
        )
        fig.update_yaxes(title_text=name, row=row, col=1)
    fig.update_xaxes(title_text=per, row=2, col=1)
    fig.update_layout(legend=LEGEND_BELOW, margin={"t": 30})
    return fig


@figure_builder
def learning_rate_figure(
    runs: Runs,
    *,
    per: Literal["update", "epoch"] = "update",
    log: bool = True,
    max_points: int = MAX_POINTS,
) -> go.Figure:
    """The learning rate of each update (update ``t`` moves from point ``t − 1`` to ``t``)."""
    fig = go.Figure()
    for k, (label, path) in enumerate(runs):
        keep = thin(len(path.learning_rate), max_points)
        steps = _step_axis(path, per)[1:]
        fig.add_trace(
            go.Scatter(
                x=steps[keep],
                y=path.learning_rate[keep],
                mode="lines",
                line={"color": _colour(k), "shape": "hv"},
                name=label,
                hovertemplate=f"{label}<br>{per} %{{x:.4g}}<br>η = %{{y:.4g}}<extra></extra>",
            )
        )
    fig.update_layout(
        xaxis={"title": {"text": per}},
        yaxis={
            "title": {"text": "learning rate η"},
            **(
                {"type": "log", **log_ticks_of(*(trace.y for trace in fig.data))}
                if log
                else {"type": "linear", "rangemode": "tozero"}  # a rate is never negative
            ),
        },
        legend=LEGEND_BELOW,
        margin={"t": 30},
    )
    return fig


@figure_builder
def gradient_norm_figure(
    runs: Runs,
    *,
    per: Literal["update", "epoch"] = "update",
    max_points: int = MAX_POINTS,
) -> go.Figure:
    """The norm of the full-data gradient at each step, on a log y axis (0 at the optimum)."""
    fig = go.Figure()
    for k, (label, path) in enumerate(runs):
        keep = thin(len(path.grad_norm), max_points)
        floor = 1e-300
        fig.add_trace(
            go.Scatter(
                x=_step_axis(path, per)[keep],
                y=np.maximum(path.grad_norm, floor)[keep],
                mode="lines",
                line={"color": _colour(k)},
                name=label,
                hovertemplate=f"{label}<br>{per} %{{x:.4g}}<br>‖∇L‖ = %{{y:.3g}}<extra></extra>",
            )
        )
    fig.update_layout(
        xaxis={"title": {"text": per}},
        yaxis={
            "title": {"text": "‖gradient‖ (full data)"},
            "type": "log",
            **log_ticks_of(*(trace.y for trace in fig.data)),
        },
        legend=LEGEND_BELOW,
        margin={"t": 30},
    )
    return fig


@figure_builder
def sgd_trajectory_figure(
    trajectory: SGDTrajectory,
    *,
    units: Literal["raw", "fitted", "per_sd"] = "per_sd",
    output: int = 0,
    intercept: bool = False,
) -> go.Figure:
    """Every coefficient of one output after each epoch, with the optimum as dashed lines.

    Parameters
    ----------
    trajectory : SGDTrajectory
        From :func:`core.families.gradient_descent.sgd_replay.sgd_trajectory`.
    units : {"raw", "fitted", "per_sd"}, default="per_sd"
        Per unit of each feature, as the estimator holds them (standardised when the
        features were), or per standard deviation (comparable across features).
    output : int, default=0
        Which row of ``coef_`` (a class, for three or more classes).
    intercept : bool, default=False
        Also draw the intercept (its scale often dwarfs the coefficients').
    """
    table = trajectory.table(units)
    table = table[table["output"] == trajectory.outputs[output]]
    fig = go.Figure()
    terms = list(trajectory.feature_names) + (["(intercept)"] if intercept else [])
    last = float(trajectory.epochs[-1]) if len(trajectory.epochs) else 1.0
    for j, term in enumerate(terms):
        rows = table[table["term"] == term]
        colour = FEATURE_COLOURS[j % len(FEATURE_COLOURS)]
        fig.add_trace(
            go.Scatter(
                x=rows["epoch"],
                y=rows["value"],
                mode="lines",
                line={"color": colour},
                name=term,
                legendgroup=term,
                hovertemplate=f"{term}<br>epoch %{{x}}<br>%{{y:.5g}}<extra>SGD</extra>",
            )
        )
        reference = float(rows["reference"].iloc[0]) if len(rows) else np.nan
        fig.add_trace(
            go.Scatter(
                x=[1.0, last],
                y=[reference, reference],
                mode="lines",
                line={"color": colour, "dash": "dash", "width": 1},
                name=f"{term} (optimum)",
                legendgroup=term,
                showlegend=False,
                hovertemplate=(
                    f"{term}: {reference:.5g}<extra>{trajectory.reference.label}</extra>"
                ),
            )
        )
    unit_text = {
        "raw": "coefficient per unit",
        "fitted": "coefficient as fitted",
        "per_sd": "coefficient per SD",
    }[units]
    fig.update_layout(
        xaxis={"title": {"text": "epoch (one partial_fit call each)"}},
        yaxis={"title": {"text": f"{unit_text} ({trajectory.outputs[output]})"}},
        margin={"t": 30},
    )
    return fig


@figure_builder
def sgd_objective_figure(trajectory: SGDTrajectory) -> go.Figure:
    """SGD's objective after each epoch above the optimum's, on a log y axis."""
    gap = trajectory.objective - trajectory.reference_objective
    floor = 1e-16 * max(abs(trajectory.reference_objective), 1e-300)
    fig = go.Figure(
        go.Scatter(
            x=trajectory.epochs,
            y=np.maximum(gap, floor),
            mode="lines+markers",
            marker={"size": 3},
            customdata=trajectory.objective,
            name="SGD",
            hovertemplate="epoch %{x}<br>objective %{customdata:.6g}<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis={"title": {"text": "epoch"}},
        yaxis={
            "title": {"text": f"objective − optimum's ({trajectory.reference_objective:.5g})"},
            "type": "log",
            **log_ticks_of(np.maximum(gap, floor)),
        },
        margin={"t": 30},
    )
    return fig
