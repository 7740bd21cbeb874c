"""Every value a page can write into a link, the setting file or the pinned A reads back as
itself: for every family, estimator and hyperparameter (``None`` included), generated from
the registry. The page's own half (its widgets read the link) is tests/app/test_link_roundtrip.
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import parse_qsl

import pytest

from core.data.catalogue import datasets_for, get_dataset_spec
from core.family import FamilySpec
from core.links import (
    link_problems,
    link_value_problem,
    parse_pinned,
    pinned_query_value,
    share_query,
)
from core.registry import ALL_FAMILIES
from core.setting_file import parse_setting_json, setting_json
from core.specs import ParamSpec


def _typed(spec: ParamSpec, value: Any) -> Any:
    """A candidate as the spec's own type (bounds are stored as whatever was written)."""
    if value is None or spec.kind not in ("int", "float"):
        return value
    return int(value) if spec.kind == "int" else float(value)


def candidates(spec: ParamSpec) -> list[Any]:
    """The values a page can hold for ``spec``: ``None`` when nullable, both bounds, the
    default and the start value, every choice, a mid value on a log scale and one whose
    shortest spelling has 16 digits (a link must restore it to the last bit)."""
    values: list[Any] = [spec.default, spec.initial]
    if spec.nullable:
        values.append(None)
    if spec.kind == "choice":
        values += list(spec.choices)
    if spec.kind == "bool":
        values += [True, False]
    if spec.kind == "layers":
        values += [(1,), (8, 4), (512,) * 5]
    if spec.kind in ("int", "float"):
        low = spec.low if spec.low is not None else 0
        high = spec.high if spec.high is not None else max(1.0, 1000 * abs(low))
        values += [b for b in (spec.low, spec.high) if b is not None]
        top = high if math.isfinite(high) else 1e6
        bottom = low if low > 0 else min(spec.step or 1e-3, top / 1000)
        values.append(10 ** ((math.log10(bottom) + math.log10(top)) / 2))  # mid, log scale
        values.append(low + (top - low) / 3)  # 0.333..., no short decimal spelling
    typed = [_typed(spec, v) for v in values if v is not None or spec.nullable]
    unique: list[Any] = []
    for value in typed:
        if not any(value == u and type(value) is type(u) for u in unique):
            unique.append(value)
    return unique


def _dataset_for(family: FamilySpec, estimator_id: str) -> str:
    task = family.get_estimator(estimator_id).task or family.tasks[0]
    if get_dataset_spec(family.default_dataset).task == task:
        return family.default_dataset
    return datasets_for(task)[0].id


def _cases():
    for family in ALL_FAMILIES:
        for estimator in family.estimators:
            for spec in family.hyperparameters_for(estimator.id):
                for value in candidates(spec):
                    yield family, estimator.id, spec, value


CASES = list(_cases())


def _same(got: Any, expected: Any) -> bool:
    """Equal and of the same type (floats bit for bit, ``1`` is not ``1.0`` or ``True``)."""
    if isinstance(expected, float):
        return isinstance(got, float) and repr(got) == repr(expected)
    return type(got) is type(expected) and got == expected


def test_the_cases_cover_every_nullable_spec_with_none():
    nullable = {
        (f.id, e.id, s.name)
        for f in ALL_FAMILIES
        for e in f.estimators
        for s in f.hyperparameters_for(e.id)
        if s.nullable
    }
    assert {("decision_tree", "tree_classifier", "max_depth")} <= nullable
    covered = {(f.id, e, s.name) for f, e, s, v in CASES if v is None}
    assert covered == nullable


@pytest.mark.parametrize(
    ("family", "estimator_id", "spec", "value"),
    CASES,
    ids=[f"{f.id}-{e}-{s.name}={s.format(v)}" for f, e, s, v in CASES],
)
def test_each_value_a_page_can_write_reads_back_as_itself(family, estimator_id, spec, value):
    dataset_id = _dataset_for(family, estimator_id)
    initial = {s.name: s.initial for s in family.hyperparameters_for(estimator_id)}
    offered = spec.allowed(initial) if spec.allowed else None
    if offered is not None and value not in offered:
        pytest.skip("offered only beside other values (tests/app/test_links.py)")
    text = spec.format(value)

    # The link the page writes: its Reproduce link holds the value unless it is the start.
    setting = {"dataset": dataset_id, "estimator": estimator_id, **initial, spec.name: value}
    query = dict(parse_qsl(share_query(family, setting), keep_blank_values=True))
    assert query.get(spec.name, spec.format(spec.initial)) == text
    # ... and the page takes it: no value is reported and dropped, and it reads as itself.
    query = {"dataset": dataset_id, "estimator": estimator_id, spec.name: text}
    assert link_value_problem(spec, text) is None
    assert link_problems(family, query) == {}
    assert _same(spec.validate(text), value), (text, spec.validate(text), value)

    # The pinned setting A in a link.
    pinned = pinned_query_value(family, setting)
    _, hyper, _ = parse_pinned(family, pinned)
    assert _same(hyper[spec.name], value)

    # The setting file.
    document = setting_json(family.id, setting)
    assert json.loads(document)["setting"][spec.name] == (
        None if value is None else json.loads(json.dumps(_json_form(spec, value)))
    )
    read, notes = parse_setting_json(document, family)
    assert notes == []
    assert _same(read[spec.name], value)


def _json_form(spec: ParamSpec, value: Any) -> Any:
    """How a setting file spells a value: infinity and layer widths as link text."""
    if spec.kind == "layers" or (isinstance(value, float) and math.isinf(value)):
        return spec.format(value)
    return value


@pytest.mark.parametrize("text", ["none", "None", "NONE", "", " none "])
def test_every_spelling_of_none_reads_as_none_for_every_nullable_spec(text):
    seen = 0
    for family in ALL_FAMILIES:
        for estimator in family.estimators:
            for spec in family.hyperparameters_for(estimator.id):
                if not spec.nullable:
                    continue
                seen += 1
                query = {"estimator": estimator.id, spec.name: text}
                query["dataset"] = _dataset_for(family, estimator.id)
                assert link_value_problem(spec, text) is None
                assert link_problems(family, query) == {}
                assert spec.validate(text) is None
    assert seen >= 5


def test_none_is_refused_where_a_spec_cannot_be_none():
    family = next(f for f in ALL_FAMILIES if f.id == "decision_tree")
    query = {"dataset": "iris", "min_samples_split": "none"}
    problems = link_problems(family, query)
    assert set(problems) == {"min_samples_split"}
    assert "min_samples_split=" in problems["min_samples_split"]
    assert "2 is used instead" in problems["min_samples_split"]


def test_the_link_leaves_out_the_estimator_the_page_starts_from_for_its_data():
    """A page offers the estimators of its data's task and starts from that task's default;
    its address leaves that one out, and so does its Reproduce link (tree_regressor on
    diabetes), while a link naming it still opens it."""
    for family in ALL_FAMILIES:
        for task in family.tasks:
            spec = family.estimator_spec(task)
            for estimator in family.estimators_for(task):
                dataset_id = _dataset_for(family, estimator.id)
                setting = {"dataset": dataset_id, "estimator": estimator.id}
                query = dict(parse_qsl(share_query(family, setting)))
                assert ("estimator" in query) == (estimator.id != spec.default), query
                assert link_problems(family, {**query, "estimator": estimator.id}) == {}
