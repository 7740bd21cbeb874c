"""URL round trips, generated from the registry: every page restores every value it links."""

from __future__ import annotations

import json
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


def test_a_link_carries_the_pinned_a_and_restores_the_comparison(open_page):
    at = open_page("app_pages/linear_regression.py", estimator="ridge", n_resamples="10")
    at.button(key="pinned_linear_regression_pin").click().run()
    at.number_input(key="alpha").set_value(300.0).run()
    link = next(c.value for c in at.code if "?" in c.value and "\n" not in c.value)
    query = dict(parse_qsl(link.split("?", 1)[1]))
    assert query["alpha"] == "300" and json.loads(query["A"])["alpha"] == 1
    opened = open_page("app_pages/linear_regression.py", **query, n_resamples="10")
    settings = next(f.value for f in opened.dataframe if "setting" in f.value.columns).set_index(
        "setting"
    )
    assert settings.loc["alpha", "A"] == "1.0" and settings.loc["alpha", "B"] == "300.0"


def test_a_broken_pinned_setting_in_a_link_is_a_note(open_page):
    at = open_page("app_pages/linear_regression.py", A='{"alpha": -3, "estimator": "ridge"}')
    assert any("pinned setting A was ignored" in w.value for w in at.warning)
    assert not any("setting" in f.value.columns for f in at.dataframe)
