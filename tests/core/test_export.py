"""Exports: parameters CSV, setting JSON (written and read back safely), model card."""

from __future__ import annotations

import io
import json
import math
import pickle
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

from core.datasets import UPLOAD_ID, datasets_for, load_dataset, load_table, make_dataset
from core.export import (
    MAX_SETTING_BYTES,
    markdown_text,
    model_card_markdown,
    parameters_csv,
    parse_setting_json,
    setting_json,
)
from core.fitting import fit_model
from core.parameters import extract_linear_parameters
from core.registry import ALL_FAMILIES, FamilySpec, get_family
from core.specs import ParamSpec

LINEAR = get_family("linear_regression")
LOGISTIC = get_family("logistic_regression")
ODD_FEATURES = ["a | b", "line\nbreak", '=HYPERLINK("http://x")', "*bold* <i>", "-5"]
ODD_TARGET = "y ``` | z"


# --- fixtures: real fits ----------------------------------------------------------------------
def _fit(family: FamilySpec, dataset, setting: dict[str, Any]):
    estimator = setting.get("estimator", family.estimator_spec.default)
    fit = fit_model(
        family,
        estimator,
        setting,
        dataset,
        scale=setting.get("scale", True),
        test_size=setting.get("test_size", 0.25),
        seed=setting.get("seed", 0),
    )
    return fit, extract_linear_parameters(fit)


@pytest.fixture(scope="module")
def ridge_diabetes():
    setting = {"dataset": "diabetes", "target": "progression", "estimator": "ridge", "alpha": 3.0}
    dataset = load_dataset("diabetes", "regression")
    return (setting, dataset, *_fit(LINEAR, dataset, setting))


@pytest.fixture(scope="module")
def logistic_iris_all_rows():
    setting = {"dataset": "iris", "target": "class", "test_size": 0.0, "C": 0.5}
    dataset = load_dataset("iris", "classification")
    return (setting, dataset, *_fit(LOGISTIC, dataset, setting))


@pytest.fixture(scope="module")
def odd_upload():
    """A regression on a table whose column names are hostile to CSV and Markdown."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, len(ODD_FEATURES)))
    frame = pd.DataFrame(X, columns=ODD_FEATURES)
    frame[ODD_TARGET] = X @ np.arange(1.0, len(ODD_FEATURES) + 1) + rng.normal(size=40)
    setting = {"dataset": UPLOAD_ID, "target": ODD_TARGET, "estimator": "ols"}
    setting |= {"fit_intercept": False, "scale": False}
    dataset = make_dataset(frame, ODD_TARGET, "regression", name="odd.csv")
    return (setting, dataset, *_fit(LINEAR, dataset, setting))


@pytest.fixture(scope="module")
def signed_classes():
    """Three classes labelled -1, 0 and 1: numbers a spreadsheet guard must leave alone."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(90, 2))
    frame = pd.DataFrame(X, columns=["u", "v"])
    frame["label"] = np.digitize(X[:, 0] + 0.3 * X[:, 1], [-0.5, 0.5]) - 1
    dataset = make_dataset(frame, "label", "classification", name="signed")
    setting = {"dataset": UPLOAD_ID, "target": "label"}
    return (setting, dataset, *_fit(LOGISTIC, dataset, setting))


# --- parameters CSV ---------------------------------------------------------------------------
def _read_csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype={"output": str, "feature": str})


@pytest.mark.parametrize("fixture", ["ridge_diabetes", "logistic_iris_all_rows", "signed_classes"])
def test_csv_parses_back_to_the_exact_parameters(fixture, request):
    _, _, _, params = request.getfixturevalue(fixture)
    table = _read_csv(parameters_csv(params, "some_family"))
    n_out, n_feat = params.coef.shape
    assert len(table) == n_out * (n_feat + 1)
    assert list(table.columns) == [
        "family",
        "output",
        "kind",
        "feature",
        "value",
        "value_per_sd",
        "value_fitted",
        "learned",
    ]
    assert set(table["family"]) == {"some_family"}
    coefs, intercepts = table[table["kind"] == "coef"], table[table["kind"] == "intercept"]
    # Floats are written in full precision: equality, not closeness.
    np.testing.assert_array_equal(coefs["value"].to_numpy(), params.coef.ravel())
    np.testing.assert_array_equal(coefs["value_per_sd"].to_numpy(), params.coef_per_sd.ravel())
    np.testing.assert_array_equal(coefs["value_fitted"].to_numpy(), params.coef_fitted.ravel())
    np.testing.assert_array_equal(intercepts["value"].to_numpy(), params.intercept)
    assert intercepts["value_per_sd"].isna().all()
    assert list(coefs["feature"]) == list(params.feature_names) * n_out
    assert list(intercepts["output"]) == list(params.outputs)
    assert table["learned"].all()


def test_csv_keeps_odd_names_and_defuses_formulas(odd_upload):
    _, _, _, params = odd_upload
    table = _read_csv(parameters_csv(params, "linear_regression"))
    features = list(table.loc[table["kind"] == "coef", "feature"])
    expected = [("'" + n if n.startswith("=") else n) for n in params.feature_names]
    assert features == expected  # pipes, newlines and quotes survive; "-5" is a number
    assert "-5" in features and '\'=HYPERLINK("http://x")' in features
    # The intercept was fixed by fit_intercept=False, and the file says so.
    assert not table.loc[table["kind"] == "intercept", "learned"].any()


def test_csv_leaves_negative_class_labels_alone(signed_classes):
    _, _, _, params = signed_classes
    assert params.outputs == ("-1", "0", "1")
    table = _read_csv(parameters_csv(params, "logistic_regression"))
    assert list(table.loc[table["kind"] == "intercept", "output"]) == ["-1", "0", "1"]


# --- setting JSON: round trips ------------------------------------------------------------------
def _other_value(spec: ParamSpec) -> Any:
    """A valid value different from the spec's default."""
    if spec.kind == "bool":
        return not spec.default
    if spec.kind == "choice":
        return [c for c in spec.choices if c != spec.default][-1]
    if spec.kind == "int":
        return spec.default + 1 if spec.high is None or spec.default + 1 <= spec.high else 1
    if spec.default == 0:
        return 0.5 * (spec.high if spec.high is not None and math.isfinite(spec.high) else 1.0)
    doubled = spec.default * 2
    return doubled if spec.high is None or doubled <= spec.high else spec.default / 2


def _changed_setting(family: FamilySpec, estimator_id: str, dataset_id: str) -> dict[str, Any]:
    """A full setting with every value changed from its default, for one estimator."""
    setting: dict[str, Any] = {"dataset": dataset_id}
    if dataset_id != UPLOAD_ID:
        spec = next(d for d in datasets_for(family.task) if d.id == dataset_id)
        setting |= {o.name: _other_value(o) for o in spec.options}
        options = {o.name: setting[o.name] for o in spec.options}
        setting["target"] = load_table(dataset_id, seed=9, **options).default_target
    else:
        setting["target"] = 'weird "target" | with\nnewline \\ and é'
    setting |= {"scale": False, "test_size": 0.4, "seed": 9, "estimator": estimator_id}
    for spec in family.hyperparameters_for(estimator_id):
        setting[spec.name] = _other_value(spec)
    return setting


ROUND_TRIPS = [
    (family, estimator.id, dataset)
    for family in ALL_FAMILIES
    for estimator in family.estimators
    for dataset in (family.default_dataset, UPLOAD_ID)
] + [
    (family, family.estimators[0].id, spec.id)
    for family in ALL_FAMILIES
    for spec in datasets_for(family.task)
    if spec.options
]


@pytest.mark.parametrize(
    ("family", "estimator_id", "dataset_id"),
    ROUND_TRIPS,
    ids=[f"{f.id}-{e}-{d}" for f, e, d in ROUND_TRIPS],
)
def test_setting_round_trips_exactly(family, estimator_id, dataset_id):
    setting = _changed_setting(family, estimator_id, dataset_id)
    text = setting_json(family.id, setting)
    json.loads(text, parse_constant=pytest.fail)  # strict JSON: no NaN or Infinity
    restored, notes = parse_setting_json(text, family)
    assert notes == []
    assert restored == setting
    assert list(restored) == list(setting)  # the page's order
    assert {type(v) for v in restored.values()} <= {str, int, float, bool}
    # As bytes (a download read back), with a byte-order mark, too.
    assert parse_setting_json(b"\xef\xbb\xbf" + text.encode(), family) == (setting, [])


def test_infinite_c_travels_as_text():
    setting = {"estimator": "logistic", "C": math.inf, "class_weight": "balanced"}
    text = setting_json(LOGISTIC.id, setting)
    assert '"C": "inf"' in text
    restored, notes = parse_setting_json(text, LOGISTIC)
    assert restored == setting and notes == []


def test_a_bare_object_of_url_values_is_read_too():
    restored, notes = parse_setting_json(
        '{"estimator": "ridge", "alpha": "3", "scale": "false", "seed": "4"}', LINEAR
    )
    assert restored == {"scale": False, "seed": 4, "estimator": "ridge", "alpha": 3.0}
    assert notes == []


# --- setting JSON: bad input ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"estimator": "ridge",', "not valid JSON"),
        ("", "empty"),
        ("[1, 2]", "JSON list"),
        ('"ridge"', "JSON str"),
        ("[" * 100_000 + "]" * 100_000, "kB"),
        ("[" * 40_000 + "]" * 40_000, "nested too deeply"),
        ('{"a": ' + "9" * 5000 + "}", "cannot be read"),
        (pickle.dumps({"estimator": "ridge"}), "not UTF-8"),
        ('{"format": "other-app", "setting": {}}', "not a Parameter Lab setting"),
        ('{"family": "linear_regression", "setting": [1]}', "not a JSON object"),
        ('{"family": "svm", "setting": {}}', "unknown model family 'svm'"),
        ('{"family": ["x"], "setting": {}}', "unknown model family"),
        ('{"family": "logistic_regression", "setting": {}}', "Logistic regression page"),
        ('{"version": "two", "setting": {}}', "version"),
    ],
)
def test_unreadable_files_raise_a_sentence(text, message):
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        parse_setting_json(text, LINEAR)
    assert str(info.value)[0].isupper() and str(info.value).rstrip().endswith((".", "?", ")"))


def test_the_size_bound_holds_before_parsing():
    padding = " " * MAX_SETTING_BYTES
    with pytest.raises(ValueError, match="limit"):
        parse_setting_json('{"alpha": 1}' + padding, LINEAR)
    assert parse_setting_json('{"seed": 1}' + " " * 1000, LINEAR) == ({"seed": 1}, [])


def _note_for(notes: list[str], name: str) -> str:
    found = [n for n in notes if n.startswith(f"Dropped {name}:")]
    assert len(found) == 1, notes
    return found[0]


def test_invalid_values_are_dropped_with_a_note_each():
    raw = {
        "dataset": "wine",  # a classification set on the regression page
        "target": "progression",
        "scale": "maybe",
        "test_size": 5,
        "seed": -1,
        "estimator": "lasso",
        "alpha": "abc",
        "l1_ratio": 0.5,  # elastic net only
        "fit_intercept": 1,
        "max_iter": 2.5,
        "colour": "blue",
        "__class__": "os.system",
    }
    restored, notes = parse_setting_json(json.dumps(raw), LINEAR)
    assert restored == {"target": "progression", "estimator": "lasso", "fit_intercept": True}
    assert "not one of" in _note_for(notes, "dataset")
    assert "true or false" in _note_for(notes, "scale")
    assert "above the maximum" in _note_for(notes, "test_size")
    assert "below the minimum" in _note_for(notes, "seed")
    assert "expected a number" in _note_for(notes, "alpha")
    assert "whole number" in _note_for(notes, "max_iter")
    assert any(n.startswith("Ignored l1_ratio: Lasso (L1) does not take") for n in notes)
    unknown = next(n for n in notes if n.startswith("Ignored names"))
    assert "'colour'" in unknown and "'__class__'" in unknown
    assert all(n.endswith(".") for n in notes)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("true", "expected a number"),
        (True, "expected a number"),
        ([1.0], "single value"),
        ({"v": 1}, "single value"),
        (None, "expected a number"),
        (1e999, "above the maximum"),  # JSON's 1e999 is infinity
        (int("9" * 400), "far out of range"),
        (0, "below the minimum"),
    ],
)
def test_wrong_types_and_ranges_for_a_number(value, message):
    text = json.dumps({"estimator": "ridge", "alpha": value})
    restored, notes = parse_setting_json(text, LINEAR)
    assert restored == {"estimator": "ridge"}
    assert message in _note_for(notes, "alpha")


def test_nan_is_dropped():
    restored, notes = parse_setting_json('{"estimator": "ridge", "alpha": NaN}', LINEAR)
    assert restored == {"estimator": "ridge"}
    assert "NaN" in _note_for(notes, "alpha")


def test_a_solver_that_cannot_take_the_penalty_is_dropped():
    restored, notes = parse_setting_json('{"solver": "lbfgs", "l1_ratio": 0.5}', LOGISTIC)
    assert restored == {"l1_ratio": 0.5}
    assert "cannot fit an L1 share" in _note_for(notes, "solver")


def test_targets_are_checked_against_registered_tables():
    restored, notes = parse_setting_json('{"dataset": "diabetes", "target": "nope"}', LINEAR)
    assert restored == {"dataset": "diabetes"}
    assert "has no column 'nope'" in _note_for(notes, "target")
    restored, notes = parse_setting_json('{"dataset": "diabetes", "target": "bmi"}', LINEAR)
    assert restored == {"dataset": "diabetes", "target": "bmi"} and notes == []
    # A generated set's columns depend on its options.
    text = (
        '{"dataset": "synthetic_regression", "n_features": 2, "n_informative": 1, "target": "x%d"}'
    )
    restored, notes = parse_setting_json(text % 2, LINEAR)
    assert restored["target"] == "x2" and notes == []
    restored, notes = parse_setting_json(text % 3, LINEAR)
    assert "target" not in restored and "no column 'x3'" in _note_for(notes, "target")
    # Options that clash are the page's to report; the target is kept unchecked.
    restored, notes = parse_setting_json(
        text.replace('"n_informative": 1', '"n_informative": 3') % 3, LINEAR
    )
    assert restored["target"] == "x3" and "do not fit together" in notes[0]
    # A column that exists but cannot be this page's target.
    text = '{"dataset": "breast_cancer", "target": "mean radius"}'  # hundreds of values
    restored, notes = parse_setting_json(text, LOGISTIC)
    assert restored == {"dataset": "breast_cancer"}
    assert "cannot be predicted on the Logistic regression page" in _note_for(notes, "target")
    # An upload's columns are unknown until the file is there: any name is kept.
    restored, notes = parse_setting_json('{"dataset": "upload", "target": "a\\nb"}', LINEAR)
    assert restored == {"dataset": UPLOAD_ID, "target": "a\nb"} and notes == []
    restored, notes = parse_setting_json('{"target": 3}', LINEAR)
    assert restored == {} and "column name" in _note_for(notes, "target")


def test_newer_versions_and_extra_fields_are_noted():
    text = json.dumps({"version": 7, "family": "linear_regression", "setting": {}, "x": 1})
    restored, notes = parse_setting_json(text, LINEAR)
    assert restored == {}
    assert any("newer" in n for n in notes) and any("'x'" in n for n in notes)


def test_setting_json_refuses_what_it_cannot_write():
    with pytest.raises(ValueError, match="no model family"):
        setting_json("svm", {})
    with pytest.raises(ValueError, match="NaN"):
        setting_json("linear_regression", {"alpha": math.nan})
    with pytest.raises(ValueError, match="only numbers"):
        setting_json("linear_regression", {"alpha": [1]})
    assert '"seed": 3' in setting_json("linear_regression", {"seed": np.int64(3)})


# --- model card -------------------------------------------------------------------------------
def _table_lines(card: str, header_start: str) -> list[str]:
    lines = card.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    out = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        out.append(line)
    return out


def _cells(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line)) - 1


def test_card_lists_hyperparameters_parameters_scores_and_caveats(ridge_diabetes):
    setting, dataset, fit, params = ridge_diabetes
    card = model_card_markdown(LINEAR, setting, params, fit.metrics, dataset.notes, fit.warnings)
    assert card.startswith("# Model card: Linear regression, Ridge (L2)")
    assert "| `alpha` | 3 | 1 | changed |" in card
    assert "| `fit_intercept` | True | True | default |" in card
    assert "Ridge(alpha=3.0, fit_intercept=True)" in card
    assert "not causes" in card
    assert "in-sample" not in card  # there are test rows
    assert "Diabetes progression" in card and "Target: progression" in card
    rows = _table_lines(card, "| output |")
    assert len(rows) == 2 + len(params.feature_names) + 1
    assert f"| {params.intercept[0]:.6g} |" in rows[-1]
    scores = _table_lines(card, "| metric |")
    assert scores[0] == "| metric | train | test |"
    assert f"{fit.metrics.at['R²', 'test']:.6g}" in card
    assert "```json" in card and '"alpha": 3.0' in card


def test_card_says_when_scores_are_in_sample(logistic_iris_all_rows):
    setting, dataset, fit, params = logistic_iris_all_rows
    card = model_card_markdown(LOGISTIC, setting, params, fit.metrics, dataset.notes, [])
    assert card.startswith("# Model card: Logistic regression\n")
    assert "| metric | all rows (in-sample) |" in card
    assert "scores are in-sample and cannot show over-fitting" in card
    assert "| `C` | 0.5 | 1 | changed |" in card
    assert 'solver="lbfgs"' in card and "class_weight=None" in card
    assert "log-odds" in card
    assert len(_table_lines(card, "| output |")) == 2 + 3 * (4 + 1)


def test_card_escapes_user_strings(odd_upload):
    setting, _, fit, params = odd_upload
    warnings = ("UserWarning: weird | text\n# not a heading",)
    notes = ("Read odd.csv | with *stars*",)
    card = model_card_markdown(LINEAR, setting, params, fit.metrics, notes, warnings)
    rows = _table_lines(card, "| output |")
    assert len(rows) == 2 + len(ODD_FEATURES) + 1  # no name broke a row
    assert {_cells(row) for row in rows} == {5}
    assert r"a \| b" in card and r"\*bold\* \<i\>" in card
    assert "line break" in card and "line\nbreak" not in card.split("## Reproduce")[0]
    assert r"weird \| text \# not a heading" in card
    assert "\n# not a heading" not in card
    assert "(fixed, not learned)" in card and "intercept was fixed at 0" in card
    assert "Data set: an uploaded CSV file" in card
    # The setting's fence is longer than the target's run of backticks.
    reproduce = card.split("## Reproduce")[1]
    assert "````json" in reproduce and reproduce.rstrip().endswith("````")


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a|b", r"a\|b"),
        ("x\r\ny", "x y"),
        ("[link](javascript:x)", r"\[link\]\(javascript\:x\)"),
        ("`code`", r"\`code\`"),
        ("&lt;", r"\&lt;"),
        ("back\\slash", "back\\\\slash"),
    ],
)
def test_markdown_text(text, escaped):
    assert markdown_text(text) == escaped


def test_link_problems_name_each_ignored_value():
    from core.export import link_problems
    from core.registry import LOGISTIC_REGRESSION

    problems = link_problems(
        LINEAR,
        {"dataset": "synthetic_regression", "n_samples": "3", "alpha": "big", "scale": "no"},
    )
    assert len(problems) == 2
    assert "n_samples='3'" in problems[0] and "below the minimum" in problems[0]
    assert "alpha='big'" in problems[1] and "default 1 is used" in problems[1]
    solver = link_problems(LOGISTIC_REGRESSION, {"l1_ratio": "1", "solver": "lbfgs"})
    assert len(solver) == 1 and "solver='lbfgs'" in solver[0]
    assert link_problems(LINEAR, {"dataset": "longley", "alpha": "2"}) == []
