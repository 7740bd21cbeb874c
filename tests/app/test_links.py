"""URL round trips, generated from the registry: every page restores every value it links."""

from __future__ import annotations

import math
from urllib.parse import parse_qsl

import pytest

from core.export import share_query
from core.registry import FAMILIES
from core.specs import ParamSpec


def other_value(spec: ParamSpec, values: dict):
    """A valid value different from the spec's default."""
    if spec.kind == "bool":
        return not spec.default
    if spec.kind == "choice":
        allowed = spec.allowed(values) if spec.allowed else spec.choices
        return next(c for c in allowed if c != spec.default)
    if spec.unbounded:
        return math.inf
    value = spec.default * 3 if spec.default else (spec.high or 1) / 2
    value = min(value, spec.high) if spec.high is not None else value
    return int(value) if spec.kind == "int" else float(value)


def widget_value(at, name):
    for kind in ("number_input", "selectbox", "checkbox", "text_input"):
        for widget in at.get(kind):
            if getattr(widget, "key", None) == name:
                return widget.value
    raise AssertionError(f"no widget {name!r} on the page")


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.id)
def test_every_linked_value_is_restored(open_page, family):
    estimator = family.estimators[-1]
    setting = {
        "dataset": family.default_dataset,
        "estimator": estimator.id,
        "scale": False,
        "test_size": 0.3,
        "seed": 7,
    }
    values: dict = {}
    for spec in family.hyperparameters_for(estimator.id):
        values[spec.name] = other_value(spec, {**values})
    if "max_iter" in values:
        values["max_iter"] = 5000  # keep the fit converged; still not the default
    setting.update(values)
    query = dict(parse_qsl(share_query(family, setting)))
    at = open_page(family.page_path, **query, n_resamples="10")
    assert not at.error
    for name, value in setting.items():
        if name == "dataset" and value == family.default_dataset:
            continue
        got = widget_value(at, name)
        expected = (
            ParamSpec.format(next(s for s in family.hyperparameters if s.name == name), value)
            if isinstance(got, str) and name != "estimator" and name in values
            else value
        )
        assert got == expected, (name, got, expected)
