"""The /capacity page: why error falls and then rises (bias and variance measured from
refits), and why models with more parameters than rows still work (double descent).

Both runs are estimated first and start only on a click (the button names the estimate);
they run through joblib on every core, with a progress bar, and their results are cached
(bounded) so a rerun or a return shows them at once. Every setting is a widget bound to the
link, and the link's values are checked before any widget is drawn
(:func:`core.links.page_link_problems`)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.capacity import capacity_spec
from core.comparison import last_setting
from core.links import page_link_problems
from core.registry import FAMILIES
from core.risk.bias_variance import (
    CURVES,
    DEGREE,
    BiasVarianceResult,
    BiasVarianceSetup,
    bias_variance,
    bias_variance_seconds,
    bias_variance_sentences,
    bias_variance_setup,
    regression_estimator,
)
from core.risk.double_descent import (
    DoubleDescentResult,
    DoubleDescentSetup,
    double_descent,
    double_descent_seconds,
    double_descent_sentences,
    sklearn_min_norm_gap,
)
from core.risk.figures import bias_variance_figure, double_descent_figure, refit_curves_figure
from core.risk.scripts import bias_variance_script, double_descent_script
from core.risk.settings import (
    BV_CURVE,
    BV_DEGREE,
    BV_FAMILY,
    BV_N,
    BV_NOISE,
    BV_REPEATS,
    BV_SEED,
    BV_SWEEP,
    DD_N,
    DD_R2,
    DD_REPEATS,
    DD_SEED,
    DD_SIGMA2,
)
from core.text import escape_markdown
from ui.tables import show_table
from ui.widgets import drop_link_values, progress_bar, spec_widget

#: The page's url path (its link keys are declared under it in core.links).
PAGE = "capacity"
#: Session-state keys of the runs the user asked for (their setups), so a rerun shows them.
BV_DONE = "capacity_bv_done"
DD_DONE = "capacity_dd_done"
#: Every core.
N_JOBS = -1

INTRO = """
**Why does error fall and then rise?** A model's expected error on new points splits into
three parts (Geman, Bienenstock & Doursat 1992; Hastie, Tibshirani & Friedman, *The Elements
of Statistical Learning*, eq. 7.9): at a point x with y = f(x) + noise,

E[(y − f̂(x))²] = **noise** σ² + **bias²** (E f̂(x) − f(x))² + **variance** E[(f̂(x) − E f̂(x))²],

where E averages over training samples. Here the training samples are drawn afresh many
times from a curve we know, so all three are measured, not guessed. **Why do huge models
still work?** The second section refits least squares with more features than rows
(Hastie, Montanari, Rosset & Tibshirani 2019).
"""


def link_notes() -> None:
    """On the page's first run in a session, drop the link's invalid values and say so
    (before any widget: Streamlit parses a bound number's URL value itself)."""
    flag = f"link_checked_{PAGE}"
    if st.session_state.get(flag):
        return
    st.session_state[flag] = True
    drop_link_values(page_link_problems(PAGE, st.query_params.to_dict()))


def _family(family_id: str) -> Any:
    return next(f for f in FAMILIES if f.id == family_id)


def _held_values(family: Any) -> dict[str, Any]:
    """The family's hyperparameters as last used on its page in this session (when that
    was the regressor refitted here), else the values its page starts from."""
    setting = last_setting(family, "regression", st.session_state.get("run_history", []))
    if setting.estimator_id == regression_estimator(family):
        return dict(setting.values)
    return {}


@st.cache_data(max_entries=32, show_spinner=False)
def cached_bv_seconds(key: str, _setup: BiasVarianceSetup) -> float:
    """:func:`bias_variance_seconds`, once per setup (``key`` is its repr)."""
    return bias_variance_seconds(_setup, N_JOBS)


@st.cache_data(max_entries=8, show_spinner=False)
def cached_bias_variance(key: str, _setup: BiasVarianceSetup) -> BiasVarianceResult:
    """:func:`bias_variance` with a progress bar (replayed and removed on a cache hit)."""
    bar, progress = progress_bar("Refitting:", len(_setup.grid))
    result = bias_variance(_setup, n_jobs=N_JOBS, progress=progress)
    bar.empty()
    return result


@st.cache_data(max_entries=32, show_spinner=False)
def cached_dd_seconds(setup: DoubleDescentSetup) -> float:
    """:func:`double_descent_seconds`, once per setup."""
    return double_descent_seconds(setup, N_JOBS)


@st.cache_data(max_entries=8, show_spinner=False)
def cached_double_descent(setup: DoubleDescentSetup) -> DoubleDescentResult:
    """:func:`double_descent` with a progress bar (replayed and removed on a cache hit)."""
    bar, progress = progress_bar("Simulating p:", len(setup.features))
    result = double_descent(setup, n_jobs=N_JOBS, progress=progress)
    bar.empty()
    return result


@st.cache_data(max_entries=1, show_spinner=False)
def cached_min_norm_gap() -> float:
    return sklearn_min_norm_gap()


def _clicked(done_key: str, key: str, label: str, button: str) -> bool:
    """Whether the run ``key`` was asked for: in this session already, or by a click now on
    a button whose label states the estimate."""
    done: set[str] = st.session_state.setdefault(done_key, set())
    if key in done:
        return True
    slot = st.empty()  # the button goes once clicked: the results take its place
    if not slot.button(label, key=button, icon=":material/play_arrow:", type="primary"):
        return False
    slot.empty()
    done.add(key)
    return True


def _about(seconds: float) -> str:
    return f"about {max(seconds, 1):.0f} s"


def bias_variance_section() -> None:
    """Settings, the estimate and its button; after the click the table, its sentences, the
    chart with the current setting marked, the refitted curves and the script."""
    st.subheader("Bias and variance from refits", divider="blue")
    left, middle, right = st.columns(3)
    with left:
        family = _family(spec_widget(BV_FAMILY))
        sweep = spec_widget(BV_SWEEP)
        curve = spec_widget(BV_CURVE)
    with middle:
        noise = spec_widget(BV_NOISE)
        n = spec_widget(BV_N)
        degree = spec_widget(BV_DEGREE)
    with right:
        repeats = spec_widget(BV_REPEATS)
        seed = spec_widget(BV_SEED)
    setup = bias_variance_setup(
        family,
        sweep=sweep,
        values=_held_values(family),
        curve=curve,
        noise=noise,
        n=n,
        degree=degree,
        repeats=repeats,
        seed=seed,
    )
    estimator = family.get_estimator(setup.estimator_id)
    swept = (
        "the polynomial degree of x"
        if setup.param == DEGREE
        else f"`{setup.param}`, its capacity hyperparameter"
    )
    st.caption(
        f"{escape_markdown(estimator.label)} is refitted on {repeats} fresh samples of "
        f"{n} rows of {escape_markdown(CURVES[curve][0])} plus noise (σ = {noise:g}) at each "
        f"of {len(setup.grid)} values of {swept}, and scored on 100 fixed test points in "
        "[0, 1]; every value refits the same samples. Its other hyperparameters are those "
        "last used on its page (else the page's start)."
    )
    key = repr(setup)
    seconds = cached_bv_seconds(key, setup)
    label = f"Run the refits ({len(setup.grid) * repeats:,} fits, {_about(seconds)})"
    if not _clicked(BV_DONE, key, label, "capacity_bv_run"):
        return
    result = cached_bias_variance(key, setup)
    bias_variance_results(setup, result)


def swept_label(setup: BiasVarianceSetup) -> str:
    """The swept value's label in words, for the table's first column and the chart's axis
    (``n_neighbors (k)``, ``polynomial degree of x``)."""
    if setup.param == DEGREE:
        return "polynomial degree of x"
    spec = capacity_spec(setup.family, setup.estimator_id)
    return spec.label if spec is not None else setup.param


def bias_variance_results(setup: BiasVarianceSetup, result: BiasVarianceResult) -> None:
    """The table, its sentences, the chart, the refitted curves and the script."""
    table = result.table
    show_table(table.rename_axis(swept_label(setup)), key="capacity_bv_table")
    for line in bias_variance_sentences(setup, table):
        st.markdown(escape_markdown(line))
    if any(result.warned):
        st.caption(
            f"scikit-learn warned on {sum(result.warned)} of "
            f"{len(setup.grid) * setup.repeats} refits (a network stopping at max_iter): "
            "those refits count as they stopped."
        )
    st.plotly_chart(
        bias_variance_figure(table.rename_axis(swept_label(setup)), setup.current),
        key="capacity_bv_chart",
    )
    panels = list(dict.fromkeys((0, setup.current, len(setup.grid) - 1)))
    st.plotly_chart(
        refit_curves_figure(
            result.x_test, result.f_test, result.predictions, setup.grid, panels, setup.param
        ),
        key="capacity_bv_curves",
    )
    st.caption(
        "Each panel: the first 20 refits (grey; their spread is the variance), their mean "
        "(blue; its gap to the truth is the bias) and the true curve (dashed)."
    )
    with st.expander("Script that reproduces this table"):
        script = bias_variance_script(setup)
        st.download_button(
            "Download the script",
            script,
            file_name="bias_variance.py",
            mime="text/x-python",
            key="capacity_bv_script",
        )
        st.code(script, language="python")


def double_descent_section() -> None:
    """Settings, the estimate and its button; after the click the table, the chart with
    the theory, the sentences in the run's numbers, and the script."""
    st.subheader("Double descent: more features than rows", divider="blue")
    st.caption(
        "Minimum-norm least squares, β̂ = X⁺y (`numpy.linalg.pinv`), on standard Gaussian "
        "features, against the limits of Hastie, Montanari, Rosset & Tibshirani (2019), "
        "*Surprises in high-dimensional ridgeless least squares interpolation*: risk "
        "σ²γ/(1 − γ) for γ = p/n < 1 and r²(1 − 1/γ) + σ²/(γ − 1) for γ > 1, with "
        "r² = ‖β‖². Beside it, ridge tuned optimally (α = σ²p/r², known because we chose β)."
    )
    columns = st.columns(5)
    specs = (DD_N, DD_R2, DD_SIGMA2, DD_REPEATS, DD_SEED)
    values = []
    for column, spec in zip(columns, specs, strict=True):
        with column:
            values.append(spec_widget(spec))
    n, r2, sigma2, repeats, seed = values
    setup = DoubleDescentSetup(n=n, r2=r2, sigma2=sigma2, repeats=repeats, seed=seed)
    seconds = cached_dd_seconds(setup)
    label = (
        f"Run the simulation ({len(setup.features)} values of p, {repeats} draws each, "
        f"{_about(seconds)})"
    )
    if not _clicked(DD_DONE, repr(setup), label, "capacity_dd_run"):
        return
    result = cached_double_descent(setup)
    show_table(result.table, hide_index=True, key="capacity_dd_table")
    st.plotly_chart(double_descent_figure(result.table, r2, sigma2), key="capacity_dd_chart")
    for line in double_descent_sentences(setup, result):
        st.markdown(line)
    st.caption(
        "scikit-learn's `LinearRegression` (without intercept) returns this same "
        "minimum-norm solution when p > n: it solves with `scipy.linalg.lstsq`, and on a "
        f"20 × 60 problem its coefficients differ from `pinv`'s by {cached_min_norm_gap():.1e}."
    )
    with st.expander("Script that reproduces this table"):
        script = double_descent_script(setup)
        st.download_button(
            "Download the script",
            script,
            file_name="double_descent.py",
            mime="text/x-python",
            key="capacity_dd_script",
        )
        st.code(script, language="python")


def capacity_page() -> None:
    """The whole page."""
    st.title("Capacity: bias, variance and double descent")
    link_notes()
    st.markdown(INTRO)
    bias_variance_section()
    double_descent_section()
