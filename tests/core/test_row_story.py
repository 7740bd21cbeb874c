"""The parts of a row's story every family shares (#22): the edits in the link (parsed by
the one link registry, with its sentence for what is dropped), the row as predicted, where
a missing value is imputed, and how a prediction's move reads."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from core.links import (
    EDIT_KEY,
    MAX_EDIT_CHARS,
    data_link_problems,
    edits_query_value,
    link_registry,
    parse_row_edits,
)
from core.registry import FAMILIES
from core.row_story import (
    RowStory,
    edited_row,
    feature_position_table,
    prediction_change,
    what_changed,
)

COLUMNS = ["age", "bmi", 'a "quoted", name']


def test_every_family_declares_the_edit_key_bound_by_the_columns():
    for family in FAMILIES:
        key = link_registry(family)[EDIT_KEY]
        assert (key.parser, key.bound) == ("json", "columns")
    # Phase two leaves it to the tab, which reads it against the columns.
    assert data_link_problems({EDIT_KEY: "nope"}, {"columns": COLUMNS}) == {}


def test_edits_round_trip_through_the_link():
    edits = {"bmi": 0.1 + 0.2, 'a "quoted", name': -1e-300, "age": 12.0}
    text = edits_query_value(edits)
    assert json.loads(text) == edits
    assert parse_row_edits(text, COLUMNS) == (edits, [])


@pytest.mark.parametrize(
    ("text", "kept", "entry", "problem"),
    [
        ('{"bmi": 1, "zzz": 2}', {"bmi": 1.0}, "zzz:2", "not a feature of these data"),
        ('{"bmi": "x"}', {}, "bmi:x", "not a number"),
        ('{"bmi": true}', {}, "bmi:True", "not a number"),
        ('{"bmi": Infinity}', {}, "bmi:inf", "not a finite number within ±1e+15"),
        ('{"bmi": NaN}', {}, "bmi:nan", "not a finite number within ±1e+15"),
        ('{"bmi": 1e300}', {}, "bmi:1e+300", "not a finite number within ±1e+15"),
    ],
)
def test_a_bad_entry_is_dropped_with_the_registrys_sentence(text, kept, entry, problem):
    edits, problems = parse_row_edits(text, COLUMNS)
    assert edits == kept
    assert problems == [
        f"The link's edit='{entry}' was ignored ({problem}); the row's own value is used instead."
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [("[1, 2]", "not a JSON object"), ("{", "not a JSON object"), ("[" * 5000, "too long")],
)
def test_text_that_is_no_object_is_dropped_whole(text, problem):
    edits, problems = parse_row_edits(text, COLUMNS)
    assert edits == {}
    assert len(problems) == 1 and f"({problem})" in problems[0]
    assert problems[0].endswith("each feature's own value is used instead.")
    assert len(text) <= MAX_EDIT_CHARS or problem == "too long"


def test_an_edited_row_changes_only_the_edited_values():
    X = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, np.nan]}, index=["r0", "r1"])
    row = edited_row(X, 1, {"a": 5})
    assert row.index.tolist() == ["r1"]
    assert row["a"].item() == 5.0 and np.isnan(row["b"].item())
    assert X.iloc[1, 0] == 2.0  # the data set is untouched
    with pytest.raises(ValueError, match="Row 2 does not exist"):
        edited_row(X, 2, {})
    with pytest.raises(ValueError, match="no feature 'c'"):
        edited_row(X, 0, {"c": 1.0})


def test_a_missing_value_is_shown_with_the_value_imputed_for_it():
    training = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [0.0, 1.0, 2.0, 3.0]})
    row = pd.DataFrame({"a": [np.nan], "b": [2.0]})
    table = feature_position_table(training, row, row, imputed=np.array([2.5, 2.0]))
    assert table["where"].tolist() == ["missing: imputed as 2.5", ""]
    assert table["percentile"].tolist() == [50.0, 75.0]
    assert not table["edited"].any()


def test_a_prediction_move_reads_with_its_numbers():
    a = RowStory(prediction=10.0)
    b = RowStory(prediction=12.5)
    assert prediction_change(a, b) == "The prediction moved from 10 to 12.5 (+2.5)."
    assert prediction_change(a, a) == "The prediction stays 10."
    p = pd.Series([0.7, 0.3], index=["no", "yes"])
    q = pd.Series([0.4, 0.6], index=["no", "yes"])
    c = RowStory(prediction="no", probabilities=p)
    d = RowStory(prediction="yes", probabilities=q)
    assert prediction_change(c, d) == (
        "The prediction changed from no to yes: the probability of yes moved from 0.300 to 0.600."
    )
    assert what_changed(c, c) == [
        "The prediction stays no; its probability moved from 0.700 to 0.700 (+0.000)."
    ]
