"""Property-based tests over every family spec: any value a widget or a link can produce
either fits or yields a clear message, never a traceback."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.data.prepare import load_dataset
from core.fitting import FitError, fit_model
from core.links import link_value_problem
from core.registry import FAMILIES
from core.specs import MAX_LAYER_WIDTH, ParamSpec

#: A data set per task, small enough for many fits.
DATA = {"regression": "diabetes", "classification": "iris"}
#: Seconds one drawn fit may take before it is refused (FitTooSlow, itself a message).
BUDGET = 2.0


def value_strategy(spec: ParamSpec) -> st.SearchStrategy:
    """Values the spec's widget can produce (within its bounds)."""
    if spec.kind == "bool":
        base = st.booleans()
    elif spec.kind == "choice":
        base = st.sampled_from(spec.choices)
    elif spec.kind == "layers":
        # Wide enough to reach the size check, narrow enough to keep the suite quick.
        base = st.lists(st.integers(1, min(64, MAX_LAYER_WIDTH)), min_size=1, max_size=3).map(tuple)
    elif spec.kind == "int":
        high = int(spec.high) if spec.high is not None else 10**6
        base = st.integers(int(spec.low if spec.low is not None else 0), high)
    else:
        low = spec.low if spec.low is not None else -1e6
        high = spec.high if spec.high is not None else 1e6
        if spec.log and low > 0:
            top = math.log10(high) if math.isfinite(high) else 6.0
            base = st.floats(math.log10(low), top).map(lambda e: 10.0**e)
            base = base.filter(lambda v: low <= v <= high)
            if math.isinf(high):
                base = st.one_of(base, st.just(math.inf))
        else:
            base = st.floats(low, high if math.isfinite(high) else 1e6)
    return st.one_of(base, st.none()) if spec.nullable else base


def _cases():
    for family in FAMILIES:
        for task in family.tasks:
            for estimator in family.estimators_for(task):
                yield family, task, estimator.id


CASES = list(_cases())


@pytest.fixture(scope="module")
def datasets():
    return {task: load_dataset(name, task) for task, name in DATA.items()}


@pytest.mark.parametrize(
    ("family", "task", "estimator_id"), CASES, ids=[f"{f.id}-{e}" for f, _, e in CASES]
)
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_widget_value_fits_or_says_why(family, task, estimator_id, datasets, data):
    specs = family.hyperparameters_for(estimator_id)
    values = {}
    for spec in specs:
        choices = spec.allowed(values) if spec.allowed else None
        strategy = st.sampled_from(choices) if choices else value_strategy(spec)
        values[spec.name] = data.draw(strategy, label=spec.name)
    try:
        fit = fit_model(
            family,
            estimator_id,
            values,
            datasets[task],
            scale=family.scale_default,
            budget=BUDGET,
        )
    except (FitError, ValueError) as exc:
        message = str(exc).strip()
        # A sentence for the page: words, a full stop, no traceback or bare repr.
        assert len(message.split()) >= 4 and message.endswith((".", ")")), message
        assert "Traceback" not in message
        return
    learned = family.extract(fit)
    assert learned.n_parameters >= 0
    assert math.isfinite(fit.metrics["train"].iloc[0]) or fit.metrics["train"].isna().all()


ALL_SPECS = {s.name: s for f in FAMILIES for s in f.every_hyperparameter()}


@pytest.mark.parametrize("name", sorted(ALL_SPECS))
@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    text=st.one_of(st.text(max_size=40), st.from_regex(r"[-+]?\d{0,6}(\.\d{0,4})?(e[-+]?\d{1,4})?"))
)
def test_any_link_text_is_taken_or_named(name, text):
    """A link's text for a spec is either valid for its widget or named as a problem."""
    spec = ALL_SPECS[name]
    problem = link_value_problem(spec, text)
    if problem is None:
        spec.validate(text)  # what the page then uses must be valid
    else:
        assert problem.startswith(spec.label)
