"""URL round trips, generated from the registry: every page restores every value it links."""

from __future__ import annotations

import json
import math
from urllib.parse import parse_qsl

import pytest

from core.data.catalogue import datasets_for, get_dataset_spec
from core.links import share_query
from core.registry import FAMILIES
from core.setting import task_for
from core.specs import ParamSpec, resolve


def other_value(spec: ParamSpec, values: dict):
    """A valid value different from the spec's default."""
    if spec.kind == "bool":
        return not spec.default
    if spec.kind == "layers":
        return (5, 3) if spec.initial != (5, 3) else (6,)
    if spec.kind == "choice":
        allowed = spec.allowed(values) if spec.allowed else spec.choices
        return [c for c in allowed if c != spec.default][-1]
    if spec.unbounded:
        return math.inf
    value = spec.default * 3 if spec.default else (spec.high or 1) / 2
    value = min(value, spec.high) if spec.high is not None else value
    return int(value) if spec.kind == "int" else float(value)


def widgets(at):
    return [
        w for kind in ("number_input", "selectbox", "checkbox", "text_input") for w in at.get(kind)
    ]


def widget_value(at, name):
    for kind in ("number_input", "selectbox", "checkbox", "text_input"):
        for widget in at.get(kind):
            if getattr(widget, "key", None) == name:
                return widget.value
    raise AssertionError(f"no widget {name!r} on the page")


def changed_values(family, estimator) -> dict:
    """Every hyperparameter of ``estimator`` changed from its default, except where the change
    would clash with those already changed (the page would refuse the combination)."""
    specs = family.hyperparameters_for(estimator.id)
    values: dict = {}
    for spec in specs:
        trial = {**values, spec.name: other_value(spec, {**values})}
        if spec.name == "max_iter":
            trial["max_iter"] = 5000  # keep the fit converged; still not the default
        try:
            estimator.estimator_params(resolve(specs, trial).values)
        except ValueError:
            continue
        values = trial
    return values


#: One case per family and task it serves: a page serving both is linked once on each.
CASES = [(family, task) for family in FAMILIES for task in family.tasks]


@pytest.mark.parametrize(("family", "task"), CASES, ids=[f"{f.id}-{t}" for f, t in CASES])
def test_every_linked_value_is_restored(open_page, family, task):
    # The last estimator for the task (not the page's default where there is a choice).
    estimator = family.estimators_for(task)[-1]
    dataset = family.default_dataset
    if get_dataset_spec(dataset).task != task:
        dataset = datasets_for(task)[0].id
    setting = {
        "dataset": dataset,
        "estimator": estimator.id,
        "scale": not family.scale_default,
        "test_size": 0.3,
        "seed": 7,
    }
    values = changed_values(family, estimator)
    assert values, "every estimator here has a hyperparameter to link"
    setting.update(values)
    query = dict(parse_qsl(share_query(family, setting)))
    at = open_page(family.page_path, **query, n_resamples="10")
    assert not at.error
    assert task_for(family, setting) == task
    offered = family.estimators_for(task)
    for name, value in setting.items():
        if name == "dataset" and value == family.default_dataset:
            continue
        if name == "estimator" and len(offered) == 1:
            # A choice of one is no widget: the page names the estimator it fits instead.
            assert not any(getattr(w, "key", None) == name for w in at.get("selectbox"))
            assert [e.id for e in offered] == [value]
            assert any(f"`{estimator.estimator.__name__}`" in c.value for c in at.caption)
            continue
        spec = next((s for s in family.hyperparameters_for(estimator.id) if s.name == name), None)
        if spec is not None and not spec.is_used(setting):
            # A value this setting does not read has no widget (the page says so).
            assert not any(getattr(w, "key", None) == name for w in widgets(at)), name
            assert any("Not shown" in c.value for c in at.caption)
            continue
        got = widget_value(at, name)
        expected = (
            ParamSpec.format(
                next(s for s in family.hyperparameters_for(estimator.id) if s.name == name),
                value,
            )
            if isinstance(got, str) and name != "estimator" and name in values
            else value
        )
        assert got == expected, (name, got, expected)


def test_a_link_carries_the_pinned_a_and_restores_the_comparison(open_page, open_tab):
    at = open_page("app_pages/linear_regression.py", estimator="ridge", n_resamples="10")
    at.button(key="pinned_linear_regression_pin").click().run()
    at.number_input(key="alpha").set_value(300.0).run()
    open_tab(at, "Reproduce")  # the link
    link = next(c.value for c in at.code if "?" in c.value and "\n" not in c.value)
    query = dict(parse_qsl(link.split("?", 1)[1]))
    assert query["alpha"] == "300" and json.loads(query["A"])["alpha"] == 1
    opened = open_page("app_pages/linear_regression.py", **query, n_resamples="10")
    settings = next(f.value for f in opened.dataframe if "setting" in f.value.columns).set_index(
        "setting"
    )
    assert settings.loc["alpha", "A"] == "1" and settings.loc["alpha", "B"] == "300"


def test_a_broken_pinned_setting_in_a_link_is_a_note(open_page):
    at = open_page("app_pages/linear_regression.py", A='{"alpha": -3, "estimator": "ridge"}')
    assert any("pinned setting A was ignored" in w.value for w in at.warning)
    assert not any("setting" in f.value.columns for f in at.dataframe)


def test_select_boxes_show_labels_and_keep_ids_in_the_link(open_page):
    at = open_page("app_pages/linear_regression.py", dataset="longley", estimator="lasso")
    estimator = at.selectbox(key="estimator")
    # The box holds the id and shows the label.
    assert estimator.value == "lasso"
    assert "Lasso (L1)" in estimator.options and "lasso" not in estimator.options
    assert at.selectbox(key="dataset").value == "longley"
    estimator.set_value("elasticnet").run()
    assert not at.exception
    assert at.query_params["estimator"] == "elasticnet"
    assert at.query_params["dataset"] == "longley"
    # The default leaves the link, as a bound widget's does.
    at.selectbox(key="estimator").set_value("ridge").run()
    assert "estimator" not in at.query_params
    assert at.selectbox(key="estimator").value == "ridge"


def test_a_new_link_value_moves_a_box_the_session_already_drew(open_page):
    """A link the page has not written (a pasted or back-button URL) wins over the box's
    state; the page's own writes do not undo the user's next choice."""
    at = open_page("app_pages/linear_regression.py", estimator="lasso")
    at.query_params["estimator"] = "ols"
    at.run()
    assert at.selectbox(key="estimator").value == "ols"
    at.selectbox(key="estimator").set_value("elasticnet").run()
    assert at.selectbox(key="estimator").value == "elasticnet"
    assert at.query_params["estimator"] == "elasticnet"
