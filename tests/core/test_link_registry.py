"""One link registry (#19): every URL key a page reads is declared in core/links.py, each
declared parser reads back every value a page can write, and a link is checked whole (every
key, in every version a page may draw it in), not only the keys of the current estimator
and data set (#20)."""

from __future__ import annotations

import ast
import importlib
import math
from pathlib import Path
from typing import Any

import pytest

from core.data.catalogue import DATASETS
from core.data.prepare import load_dataset
from core.families.gradient_descent.view_specs import descent_settings
from core.links import (
    DATA_BOUND_KEYS,
    N_RESAMPLES,
    PAGE_LINK_SPECS,
    PINNED_KEY,
    RESAMPLE_METHOD,
    ROW,
    data_link_problems,
    link_problems,
    link_registry,
    link_value_problem,
    page_link_registry,
    static_link_specs,
)
from core.registry import FAMILIES
from core.specs import ParamSpec

ROOT = Path(__file__).resolve().parents[2]
DECLARED = set().union(
    *(link_registry(f) for f in FAMILIES), *(page_link_registry(p) for p in PAGE_LINK_SPECS)
)


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _constant(module: str, node: ast.expr) -> str | None:
    """A call argument as the key it names: a string, or a module constant (a str, or a
    ParamSpec whose name is the key, itself or as ``SPEC.name``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Attribute) and node.attr == "name":
        return _constant(module, node.value)
    if isinstance(node, ast.Name) and node.id.isupper():
        value = getattr(importlib.import_module(module), node.id, None)
        if isinstance(value, ParamSpec):
            return value.name
        if isinstance(value, str):
            return value
    return None


def _query_keys() -> dict[str, set[str]]:
    """Every key the pages read from the link, by file: widgets bound to it (``key=`` of a
    call with ``bind="query-params"``), ``st.query_params.get(KEY)`` / ``[KEY]``, and the
    spec constants drawn with ``spec_widget`` or ``view_radio`` (bound to the link by their
    names)."""
    found: dict[str, set[str]] = {}
    files = [*(ROOT / "ui").rglob("*.py"), *(ROOT / "app_pages").rglob("*.py")]
    for path in files:
        if path.name == "widgets.py":  # binds a spec's own name: the specs are declared
            continue
        module = _module(path)
        keys: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                words = {k.arg: k.value for k in node.keywords}
                bind = words.get("bind")
                if isinstance(bind, ast.Constant) and bind.value == "query-params":
                    key = _constant(module, words["key"])
                    assert key is not None, (path, ast.unparse(node)[:80])
                    keys.add(key)
                name = ast.unparse(node.func)
                if name.endswith("query_params.get") and node.args:
                    key = _constant(module, node.args[0])
                    if key is not None:
                        keys.add(key)
                if name in ("spec_widget", "view_radio") and node.args:
                    key = _constant(module, node.args[0])
                    if key is not None:
                        keys.add(key)
            if isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("query_params"):
                key = _constant(module, node.slice)
                if key is not None:
                    keys.add(key)
        if keys:
            found[str(path.relative_to(ROOT))] = keys
    return found


def test_the_scan_finds_the_keys_it_is_meant_to_find():
    seen = set().union(*_query_keys().values())
    for key in ("view", "row", "row_set", "boundary_x", "regions_y", "epoch_units"):
        assert key in seen
    for key in ("epoch_class", "epoch_intercept", "target", "A", "n_resamples", "resample"):
        assert key in seen


def test_every_key_a_page_reads_is_declared():
    missing = {
        path: sorted(keys - DECLARED) for path, keys in _query_keys().items() if keys - DECLARED
    }
    assert missing == {}


def test_every_family_declares_its_settings_the_views_and_the_pinned_a():
    for family in FAMILIES:
        keys = link_registry(family)
        names = {s.name for s in family.every_hyperparameter()}
        names |= {o.name for d in DATASETS if d.task in family.tasks for o in d.options}
        names |= {"dataset", "scale", "test_size", "seed", "estimator", PINNED_KEY, "view"}
        names |= {"row", "row_set", "gd_epochs", "gd_epochs_b", "n_resamples", "target"}
        assert names <= set(keys), sorted(names - set(keys))
        for key in DATA_BOUND_KEYS:
            assert keys[key.name].bound is not None


def test_the_stability_and_epoch_widgets_use_the_declared_specs():
    from ui.families import gradient_descent
    from ui.linear import stability

    assert stability.RESAMPLE_METHOD is RESAMPLE_METHOD
    assert stability.N_RESAMPLES is N_RESAMPLES
    epoch_units = static_link_specs(FAMILIES[0])["epoch_units"][0]
    assert list(gradient_descent.UNITS) == list(epoch_units.choices)
    for dataset_id, task in (("diabetes", "regression"), ("breast_cancer", "classification")):
        names = {s.name for s in descent_settings(load_dataset(dataset_id, task))}
        declared = set(link_registry(FAMILIES[0]))
        assert names - {"gd_feature", "gd_class"} <= declared


def _written(spec: ParamSpec) -> list[Any]:
    """Values a page's widget for ``spec`` can hold, and so write to the link."""
    if spec.kind == "choice":
        return list(spec.choices)
    if spec.kind == "bool":
        return [True, False]
    values = [spec.initial, spec.default]
    if spec.kind in ("int", "float"):
        values += [v for v in (spec.low, spec.high) if v is not None]
        if spec.kind == "int" and spec.low is not None and spec.step:
            values.append(int(spec.low) + int(spec.step))
        finite = spec.low is not None and spec.high is not None and math.isfinite(spec.high)
        if spec.kind == "float" and finite:
            values.append((spec.low + spec.high) / 3)
    if spec.nullable:
        values.append(None)
    return [v for v in values if not (isinstance(v, float) and math.isnan(v))]


def _static_cases() -> list[tuple[str, ParamSpec]]:
    cases, seen = [], set()
    for family in FAMILIES:
        for name, versions in static_link_specs(family).items():
            for spec in versions:
                if (name, id(spec)) not in seen:
                    seen.add((name, id(spec)))
                    cases.append((f"{family.id}-{name}-{len(seen)}", spec))
    return cases


STATIC = _static_cases()


@pytest.mark.parametrize("spec", [s for _, s in STATIC], ids=[i for i, _ in STATIC])
def test_each_declared_parser_reads_back_every_value_a_page_writes(spec):
    for value in _written(spec):
        try:
            value = spec.validate(value)
        except ValueError:
            continue  # a bound the widget does not offer (an exclusive low)
        text = spec.format(value)
        assert link_value_problem(spec, text) is None, (spec.name, text)
        assert spec.validate(text) == value, (spec.name, text, value)


def test_every_whole_number_key_in_a_link_is_checked_whatever_the_estimator_and_data():
    """``1e309`` overflows a whole-number box inside Streamlit: every key any version of
    which is whole, anywhere in the family, is named at once (ridge has no max_iter;
    diabetes has no n_samples)."""
    for family in FAMILIES:
        whole = {
            name
            for name, versions in static_link_specs(family).items()
            if any(s.kind == "int" for s in versions)
        }
        assert {"seed", "row", "n_resamples"} <= whole
        for name in whole:
            problems = link_problems(family, {name: "1e309"})
            assert name in problems, (family.id, name)
            assert f"{name}='1e309' was ignored" in problems[name]


def test_a_value_good_for_the_current_estimator_is_kept():
    linear = next(f for f in FAMILIES if f.id == "linear_regression")
    assert link_problems(linear, {"estimator": "lasso", "max_iter": "500"}) == {}
    assert link_problems(linear, {"n_samples": "300", "n_resamples": "200", "row": "7"}) == {}
    assert set(link_problems(linear, {"n_resamples": "5"})) == {"n_resamples"}


def test_data_bound_keys_take_the_offered_options_and_name_the_rest():
    iris = load_dataset("iris", "classification")
    columns = list(iris.X.columns)
    bounds = {"columns": columns, "tabs": ["Compare", "Sweeps"], "row sets": ["training"]}
    for key in ("boundary_x", "boundary_y", "regions_x", "regions_y"):
        for column in columns:
            assert data_link_problems({key: column}, bounds) == {}
    assert data_link_problems({"view": "Sweeps", "row_set": "training"}, bounds) == {}
    problems = data_link_problems({"boundary_y": "nope", "view": "Nope", "row_set": "test"}, bounds)
    assert problems["boundary_y"].endswith(f"{columns[1]} is used instead.")
    assert "boundary_y='nope' was ignored" in problems["boundary_y"]
    assert problems["view"].endswith("Compare is used instead.")
    assert "row_set='test'" in problems["row_set"]
    # A key a widget holds is the user's, and a bound the page did not give is not checked.
    assert data_link_problems({"view": "Nope"}, bounds, held={"view"}) == {}
    assert data_link_problems({"epoch_class": "nope"}, bounds) == {}


def test_row_numbers_are_whole_numbers_from_zero():
    assert link_value_problem(ROW, "12") is None
    for text in ("inf", "-1", "1.5", "1e3", "x", str(10**9)):
        assert link_value_problem(ROW, text) is not None, text
