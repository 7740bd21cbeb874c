"""The /capacity page's parts: the generated scripts reproduce both tables, the figures
carry the tables' numbers, and every URL key is declared and checked."""

from __future__ import annotations

import contextlib
import io
import json
import math

import numpy as np
import pytest

from core.links import page_link_problems, page_link_registry
from core.plot_text import is_figure_builder
from core.registry import FAMILIES
from core.risk import figures
from core.risk.bias_variance import DEGREE, bias_variance, bias_variance_setup, eligible_families
from core.risk.double_descent import DoubleDescentSetup, double_descent, theory_risk
from core.risk.scripts import bias_variance_script, double_descent_script
from core.risk.settings import CAPACITY_PAGE_SPECS

ELIGIBLE = eligible_families(FAMILIES)


def _run(script: str) -> tuple[dict, str]:
    namespace: dict = {"__name__": "__main__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(script, "generated.py", "exec"), namespace)
    return namespace, out.getvalue()


@pytest.mark.parametrize("family", ELIGIBLE, ids=lambda f: f.id)
def test_bias_variance_script_reproduces_the_table(family):
    setup = bias_variance_setup(family, n=20, repeats=2, degree=2, noise=0.2, seed=5)
    ours = bias_variance(setup, n_jobs=1).table
    namespace, printed = _run(bias_variance_script(setup))
    theirs = namespace["table"]
    assert list(theirs.columns) == list(ours.columns)
    assert list(theirs.index) == list(ours.index)
    np.testing.assert_allclose(theirs.to_numpy(), ours.to_numpy(), rtol=1e-9, atol=1e-12)
    assert "expected test MSE" in printed and len(printed.splitlines()) == len(ours) + 2


def test_degree_sweep_script_reproduces_the_table():
    setup = bias_variance_setup(ELIGIBLE[0], sweep=DEGREE, n=20, repeats=2, curve="step")
    ours = bias_variance(setup, n_jobs=1).table
    theirs = _run(bias_variance_script(setup))[0]["table"]
    np.testing.assert_allclose(theirs.to_numpy(), ours.to_numpy(), rtol=1e-9, atol=1e-12)


def test_double_descent_script_reproduces_the_table():
    setup = DoubleDescentSetup(n=30, r2=3.0, sigma2=0.5, repeats=3, seed=2)
    ours = double_descent(setup, n_jobs=1).table
    theirs = _run(double_descent_script(setup))[0]["table"]
    assert list(theirs.columns) == list(ours.columns)
    # pinv and normal equations against one SVD: equal to rounding, amplified at p = n
    # where the smallest singular value is near zero.
    np.testing.assert_allclose(theirs.to_numpy(), ours.to_numpy(), rtol=1e-6)


def test_every_builder_wears_figure_builder():
    for name in ("bias_variance_figure", "refit_curves_figure", "double_descent_figure"):
        assert is_figure_builder(getattr(figures, name))


def _ys(trace) -> np.ndarray:
    return np.asarray(trace.y, dtype=float)


def test_bias_variance_figure_carries_the_table_and_marks_the_current_value():
    setup = bias_variance_setup(ELIGIBLE[0], n=20, repeats=2)
    result = bias_variance(setup, n_jobs=1)
    fig = figures.bias_variance_figure(result.table, setup.current)
    names = [t.name for t in fig.data]
    assert names == ["bias²", "variance", "noise", "expected test MSE", "your setting"]
    for trace in fig.data[:4]:
        np.testing.assert_allclose(_ys(trace), result.table[trace.name].to_numpy())
    assert fig.data[4].x[0] == setup.grid[setup.current]
    assert fig.layout.xaxis.type == "log"  # a penalty over six decades
    curves = figures.refit_curves_figure(
        result.x_test, result.f_test, result.predictions, setup.grid, [0, setup.current], "alpha"
    )
    assert len(curves.data) == 6  # refits, mean, truth per panel
    np.testing.assert_allclose(_ys(curves.data[1]), result.predictions[0].mean(axis=0))
    np.testing.assert_allclose(_ys(curves.data[2]), result.f_test)
    assert curves.layout.annotations[0].text.startswith("alpha = ")


def test_double_descent_figure_draws_the_theory():
    setup = DoubleDescentSetup(n=30, repeats=2)
    table = double_descent(setup, n_jobs=1).table
    fig = figures.double_descent_figure(table, 5.0, 1.0)
    assert fig.data[0].name == "min-norm (simulated)"
    np.testing.assert_allclose(_ys(fig.data[0]), table["min-norm risk (simulated)"])
    np.testing.assert_allclose(_ys(fig.data[2]), table["ridge risk (simulated)"])
    xs, ys = np.asarray(fig.data[1].x, dtype=float), _ys(fig.data[1])
    for x, y in zip(xs, ys, strict=True):
        if math.isfinite(x):
            assert y == pytest.approx(theory_risk(x, 5.0, 1.0))
    assert fig.layout.yaxis.type == "log"
    json.loads(fig.to_json())  # serialisable for the page


def test_every_key_of_the_page_is_declared_once_and_every_default_passes_its_own_check():
    registry = page_link_registry("capacity")
    assert list(registry) == [s.name for s in CAPACITY_PAGE_SPECS]
    assert len(set(registry)) == len(registry)
    defaults = {s.name: s.format(s.initial) for s in CAPACITY_PAGE_SPECS}
    assert page_link_problems("capacity", defaults) == {}


@pytest.mark.parametrize(
    ("key", "text", "why", "instead"),
    [
        ("bv_seed", "inf", "expected a whole number written in digits", "0"),
        ("bv_repeats", "1", "below the minimum 2", "50"),
        ("dd_n", "100000", "above the maximum 400", "100"),
        ("dd_r2", "abc", "expected a number", "5"),
        ("bv_family", "nope", "is not one of", ELIGIBLE[0].id),
        ("bv_curve", "<b>x</b>", "is not one of", "sine"),
    ],
)
def test_a_bad_link_value_gets_a_sentence(key, text, why, instead):
    problems = page_link_problems("capacity", {key: text, "dd_sigma2": "2"})
    assert list(problems) == [key]
    sentence = problems[key]
    assert sentence.startswith(f"The link's {key}=") and why in sentence
    assert sentence.endswith(f"{instead} is used instead.")
