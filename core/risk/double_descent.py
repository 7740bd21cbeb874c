"""Double descent: minimum-norm least squares on isotropic Gaussian features, its simulated
risk against Hastie, Montanari, Rosset & Tibshirani's limits, and optimally tuned ridge.

Hastie, T., Montanari, A., Rosset, S. & Tibshirani, R. J. (2019, Annals of Statistics
2022), "Surprises in high-dimensional ridgeless least squares interpolation", Theorem 1:
with x ~ N(0, I_p), y = xᵀβ + ε, Var ε = σ², ‖β‖² = r² and p/n → γ, the minimum-norm
least-squares estimate β̂ = X⁺y has risk E‖β̂ − β‖² →

    σ² γ / (1 − γ)                    for γ < 1,
    r² (1 − 1/γ) + σ² / (γ − 1)       for γ > 1,

and infinity at γ = 1. For finite n the exact expectations (Gaussian X) are
σ² p / (n − p − 1) for p < n − 1 (the trace of an inverse Wishart matrix) and
r² (1 − n/p) + σ² n / (p − n − 1) for p > n + 1.

Ridge is tuned optimally here because the truth is known: with β uniform on the sphere of
radius r, the posterior mean under the prior N(0, r²/p · I) is Ridge with
α = σ² p / r² (scikit-learn's parametrisation, ‖y − Xb‖² + α‖b‖²), the best linear
estimate of β in mean squared error (Dobriban & Wager 2018).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, effective_n_jobs

from core.fitting import single_blas_thread

#: The table's columns, in order.
DD_COLUMNS = (
    "p/n",
    "min-norm risk (simulated)",
    "min-norm risk (theory)",
    "ridge risk (simulated)",
)
#: The swept feature-to-row ratios: 0.1 to 4, dense around the peak at 1, with 0.5 and 2.
DEFAULT_RATIOS = (
    0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95,
    1.0, 1.05, 1.1, 1.2, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0,
)  # fmt: skip


@dataclass(frozen=True)
class DoubleDescentSetup:
    """One double-descent run (the page's cache key).

    Parameters
    ----------
    n : int, default=100
        Training rows.
    r2 : float, default=5.0
        ‖β‖², the signal's squared norm.
    sigma2 : float, default=1.0
        σ², the noise variance.
    repeats : int, default=50
        Fresh (X, β, ε) draws per p.
    seed : int, default=0
    ratios : tuple of float
        The p/n values; p = round(ratio · n), at least 1, each p once.
    """

    n: int = 100
    r2: float = 5.0
    sigma2: float = 1.0
    repeats: int = 50
    seed: int = 0
    ratios: tuple[float, ...] = DEFAULT_RATIOS

    @property
    def features(self) -> tuple[int, ...]:
        """The swept feature counts p, ascending."""
        return tuple(sorted({max(1, round(g * self.n)) for g in self.ratios}))


def theory_risk(gamma: float, r2: float, sigma2: float) -> float:
    """Hastie et al.'s (2019) limiting min-norm risk at γ = p/n (infinite at γ = 1)."""
    if gamma < 1:
        return sigma2 * gamma / (1 - gamma)
    if gamma > 1:
        return r2 * (1 - 1 / gamma) + sigma2 / (gamma - 1)
    return float("inf")


def finite_sample_risk(n: int, p: int, r2: float, sigma2: float) -> float:
    """The exact expected min-norm risk at n rows and p Gaussian features: σ² p/(n − p − 1)
    for p < n − 1, r²(1 − n/p) + σ² n/(p − n − 1) for p > n + 1, infinite in between."""
    if p < n - 1:
        return sigma2 * p / (n - p - 1)
    if p > n + 1:
        return r2 * (1 - n / p) + sigma2 * n / (p - n - 1)
    return float("inf")


def optimal_ridge_alpha(p: int, r2: float, sigma2: float) -> float:
    """scikit-learn's ``alpha`` of the optimally tuned ridge: σ² p / r²."""
    return sigma2 * p / r2


def draw(n: int, p: int, r2: float, sigma2: float, seed: int, repeat: int):
    """One problem: X (n × p, standard Gaussian), β uniform on the sphere ‖β‖² = r², y.

    Seeded by ``(seed, p, repeat)`` alone, so a parallel run draws what a serial one does
    and each p's draws do not depend on which other p are swept."""
    rng = np.random.default_rng([seed, p, repeat])
    X = rng.standard_normal((n, p))
    beta = rng.standard_normal(p)
    beta *= np.sqrt(r2) / np.linalg.norm(beta)
    y = X @ beta + np.sqrt(sigma2) * rng.standard_normal(n)
    return X, beta, y


def risks_at(
    n: int, p: int, r2: float, sigma2: float, seed: int, repeats: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """‖β̂ − β‖² of min-norm least squares and of optimal ridge, for each repeat at p.

    One thin SVD X = U S Vᵀ serves both: β̂ = V S⁺ Uᵀy (``numpy.linalg.pinv``'s cut-off:
    singular values at most 1e-15 · the largest are dropped) and
    β̂_ridge = V S/(S² + α) Uᵀy.

    Returns
    -------
    min_norm, ridge : ndarray of shape (repeats,)
    rank : ndarray of shape (repeats,)
        The rank of X, the min-norm fit's degrees of freedom (the trace of its hat matrix).
    """
    alpha = optimal_ridge_alpha(p, r2, sigma2)
    min_norm = np.empty(repeats)
    ridge = np.empty(repeats)
    rank = np.empty(repeats)
    with single_blas_thread():
        for r in range(repeats):
            X, beta, y = draw(n, p, r2, sigma2, seed, r)
            U, s, Vt = np.linalg.svd(X, full_matrices=False)
            Uy = U.T @ y
            keep = s > 1e-15 * s[0]
            inv = np.zeros_like(s)
            inv[keep] = 1.0 / s[keep]
            min_norm[r] = np.sum((Vt.T @ (inv * Uy) - beta) ** 2)
            ridge[r] = np.sum((Vt.T @ (s / (s**2 + alpha) * Uy) - beta) ** 2)
            rank[r] = keep.sum()
    return min_norm, ridge, rank


@dataclass(frozen=True)
class DoubleDescentResult:
    """A finished run: the table (:data:`DD_COLUMNS`, one row per p), and per p the
    feature count, the standard errors of both simulated means and the mean rank."""

    table: pd.DataFrame
    features: tuple[int, ...]
    min_norm_se: np.ndarray
    ridge_se: np.ndarray
    rank: np.ndarray
    min_norm_draws: np.ndarray


def double_descent(
    setup: DoubleDescentSetup,
    *,
    n_jobs: int | None = -1,
    progress: Callable[[int, int], None] | None = None,
) -> DoubleDescentResult:
    """Simulate the min-norm and ridge risks at every p (one joblib task per p, every core
    with ``n_jobs=-1``; the same numbers for any ``n_jobs``) beside the theory."""
    ps = setup.features
    jobs = min(effective_n_jobs(n_jobs), len(ps))
    tasks = (
        delayed(risks_at)(setup.n, p, setup.r2, setup.sigma2, setup.seed, setup.repeats) for p in ps
    )
    found = Parallel(n_jobs=jobs, return_as="generator")(tasks)
    rows, mn_se, rd_se, ranks, draws = [], [], [], [], []
    for done, (p, (mn, rd, rank)) in enumerate(zip(ps, found, strict=True), start=1):
        gamma = p / setup.n
        rows.append(
            {
                "p/n": gamma,
                "min-norm risk (simulated)": float(mn.mean()),
                "min-norm risk (theory)": theory_risk(gamma, setup.r2, setup.sigma2),
                "ridge risk (simulated)": float(rd.mean()),
            }
        )
        mn_se.append(_se(mn))
        rd_se.append(_se(rd))
        ranks.append(float(rank.mean()))
        draws.append(mn)
        if progress is not None:
            progress(done, len(ps))
    return DoubleDescentResult(
        table=pd.DataFrame(rows, columns=list(DD_COLUMNS)),
        features=ps,
        min_norm_se=np.array(mn_se),
        ridge_se=np.array(rd_se),
        rank=np.array(ranks),
        min_norm_draws=np.stack(draws),
    )


def _se(values: np.ndarray) -> float:
    return float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else np.nan


def double_descent_seconds(setup: DoubleDescentSetup, n_jobs: int | None = -1) -> float:
    """How long :func:`double_descent` takes: one repeat at the largest p timed, the others
    scaled by an SVD's cost (n · p · min(n, p) plus a fixed part), shared among the cores."""
    ps = setup.features
    risks_at(setup.n, ps[-1], setup.r2, setup.sigma2, setup.seed, 1)  # warm the code path
    start = time.perf_counter()
    risks_at(setup.n, ps[-1], setup.r2, setup.sigma2, setup.seed, 1)
    top = time.perf_counter() - start

    def cost(p: int) -> float:
        return setup.n * p * min(setup.n, p) + 2e4

    scale = sum(cost(p) for p in ps) / cost(ps[-1])
    jobs = min(effective_n_jobs(n_jobs), len(ps))
    startup = 1.0 if jobs > 1 else 0.0
    return top * scale * setup.repeats / jobs + startup


def sklearn_min_norm_gap(n: int = 20, p: int = 60, seed: int = 0) -> float:
    """Largest difference between ``numpy.linalg.pinv(X) @ y`` and scikit-learn's
    ``LinearRegression(fit_intercept=False)`` coefficients on an underdetermined problem
    (p > n): scikit-learn solves by ``scipy.linalg.lstsq``, whose solution is the
    minimum-norm one, so the gap is rounding."""
    from sklearn.linear_model import LinearRegression

    X, _, y = draw(n, p, 1.0, 1.0, seed, 0)
    ours = np.linalg.pinv(X) @ y
    theirs = LinearRegression(fit_intercept=False).fit(X, y).coef_
    return float(np.max(np.abs(ours - theirs)))


def double_descent_sentences(setup: DoubleDescentSetup, result: DoubleDescentResult) -> list[str]:
    """The peak, the second descent, ridge, and effective parameters, in the run's numbers."""
    table = result.table.set_index("p/n")
    sim, ridge = table["min-norm risk (simulated)"], table["ridge risk (simulated)"]
    n = setup.n
    peak = _nearest(table.index, 1.0)
    below = _nearest(table.index, 0.5)
    above = _nearest(table.index, 2.0)
    past = [g for g in table.index if g > 1]
    after = min(past, key=lambda g: sim[g]) if past else above
    p_peak = round(peak * n)
    lines = [
        f"**The peak at p = n.** At p = {p_peak} features for n = {n} rows the simulated risk "
        f"is {sim[peak]:,.4g}, against {sim[below]:.4g} at p/n = {below:g}: with as many "
        "features as rows the fit must pass through every training point, noise included, "
        "and X's smallest singular values are close to zero, so the noise is divided by them. "
        "The theory's limit there is infinite.",
        f"**The second descent.** Past p = n the risk falls again, to {sim[after]:.4g} at "
        f"p/n = {after:g}, and is {sim[above]:.4g} at p/n = {above:g} (theory "
        f"{theory_risk(above, setup.r2, setup.sigma2):.4g}). Among the infinitely many fits "
        "that interpolate, the pseudo-inverse picks the one of minimum norm: that choice is "
        "an implicit regularisation, and the more features share the fit, the smaller each "
        f"coefficient. Further out the risk climbs slowly towards ‖β‖² = {setup.r2:g}, the "
        "risk of predicting zero, as the rows pin down an ever smaller share of β.",
        f"**Optimal ridge removes the peak.** With α = σ²p/‖β‖² ({setup.sigma2:g} × p / "
        f"{setup.r2:g}) ridge's risk at p = n is {ridge[peak]:.4g}, against min-norm's "
        f"{sim[peak]:,.4g}; it never exceeds ‖β‖² = {setup.r2:g}, the risk of predicting zero.",
        "**Effective parameters.** The min-norm fit's degrees of freedom (the trace of its "
        "hat matrix, the rank of X) are min(n, p), not p: here "
        f"{result.rank[result.features.index(round(below * n))]:.0f} at p = "
        f"{round(below * n)} and {result.rank[result.features.index(round(above * n))]:.0f} at "
        f"p = {round(above * n)}. Counted by effective parameters the model stops growing "
        "at p = n, which is why more features after that can lower the risk.",
    ]
    return lines


def _nearest(index: Sequence[float], gamma: float) -> float:
    values = list(index)
    return min(values, key=lambda g: abs(g - gamma))
