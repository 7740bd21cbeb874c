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

from core.data.catalogue import UPLOAD_ID, datasets_for, get_dataset_spec
from core.data.prepare import load_dataset, load_table, make_dataset
from core.export import markdown_text, model_card_markdown, parameters_csv, safe_csv
from core.family import FamilySpec
from core.fitting import fit_model
from core.linear.parameters import INTERCEPT
from core.registry import ALL_FAMILIES, get_family
from core.setting_file import MAX_SETTING_BYTES, SETTING_FORMAT, parse_setting_json, setting_json
from core.specs import ParamSpec, resolve

LINEAR = get_family("linear_regression")
LOGISTIC = get_family("logistic_regression")
ODD_FEATURES = ["a | b", "line\nbreak", '=HYPERLINK("http://x")', "*bold* <i>", "-5"]
ODD_TARGET = "y ``` | z"


# --- fixtures: real fits ----------------------------------------------------------------------
def _fit(family: FamilySpec, dataset, setting: dict[str, Any]):
    estimator = setting.get("estimator", family.estimator_spec().default)
    fit = fit_model(
        family,
        estimator,
        setting,
        dataset,
        scale=setting.get("scale", True),
        test_size=setting.get("test_size", 0.25),
        seed=setting.get("seed", 0),
    )
    return fit, family.extract(fit)


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
#: A spreadsheet runs a text cell starting with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _read_csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype={"output": str, "feature": str, "term": str})


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _defused(text: str) -> str:
    """What a text cell must read as in a downloaded CSV: a leading ``'`` on formula-like
    text, numbers such as ``-5`` left alone."""
    return "'" + text if text.startswith(FORMULA_START) and not _is_number(text) else text


def _assert_no_live_formula(table: pd.DataFrame) -> None:
    """No text cell (nor header) of any column would run as a spreadsheet formula."""
    for column in table.columns:
        assert _defused(str(column)) == str(column), column
        for cell in table[column]:
            if isinstance(cell, str):
                assert _defused(cell) == cell, (column, cell)


def _terms(params) -> tuple[list[str], list[str]]:
    """Expected coefficient and intercept terms of a linear model, before the guard."""
    if len(params.outputs) == 1:
        return list(params.feature_names), [INTERCEPT]
    coefs = [f"{o}: {f}" for o in params.outputs for f in params.feature_names]
    return coefs, [f"{o}: {INTERCEPT}" for o in params.outputs]


@pytest.mark.parametrize("fixture", ["ridge_diabetes", "logistic_iris_all_rows", "signed_classes"])
def test_csv_parses_back_to_the_exact_parameters(fixture, request):
    _, _, fit, learned = request.getfixturevalue(fixture)
    params = learned.detail
    table = _read_csv(parameters_csv(learned, "some_family"))
    n_out, n_feat = params.coef.shape
    assert len(table) == n_out * (n_feat + 1)
    columns = list(table.columns)
    assert columns[:3] == ["family", "group", "term"]
    assert columns[-4:] == ["value", "value_per_sd", "value_fitted", "learned"]
    assert sorted(columns[3:-4]) == ["feature", "output"]  # the groups' axes
    assert set(table["family"]) == {"some_family"}
    assert list(table["group"].unique()) == ["coef_", "intercept_"]  # the model's order
    coefs = table[table["group"] == "coef_"]
    intercepts = table[table["group"] == "intercept_"]
    # Floats are written in full precision: equality, not closeness.
    np.testing.assert_array_equal(coefs["value"].to_numpy(), params.coef.ravel())
    np.testing.assert_array_equal(coefs["value_per_sd"].to_numpy(), params.coef_per_sd.ravel())
    np.testing.assert_array_equal(intercepts["value"].to_numpy(), params.intercept)
    assert intercepts["value_per_sd"].isna().all()
    # value_fitted is exactly what the fitted estimator holds.
    model = fit.model
    np.testing.assert_array_equal(
        coefs["value_fitted"].to_numpy(), np.asarray(model.coef_, dtype=float).ravel()
    )
    np.testing.assert_array_equal(
        intercepts["value_fitted"].to_numpy(),
        np.broadcast_to(np.atleast_1d(np.asarray(model.intercept_, dtype=float)), (n_out,)),
    )
    coef_terms, intercept_terms = _terms(params)
    assert list(coefs["term"]) == [_defused(t) for t in coef_terms]
    assert list(intercepts["term"]) == [_defused(t) for t in intercept_terms]
    assert list(coefs["feature"]) == list(params.feature_names) * n_out
    if n_out > 1:
        assert list(coefs["output"]) == [o for o in params.outputs for _ in range(n_feat)]
    assert table["learned"].all()
    _assert_no_live_formula(table)


def test_csv_keeps_odd_names_and_defuses_formulas(odd_upload):
    _, _, fit, learned = odd_upload
    params = learned.detail
    table = _read_csv(parameters_csv(learned, "linear_regression"))
    coefs = table[table["group"] == "coef_"]
    expected = [("'" + n if n.startswith("=") else n) for n in params.feature_names]
    for column in ("feature", "term"):  # every text column that holds a feature name
        names = list(coefs[column])
        assert names == expected  # pipes, newlines and quotes survive; "-5" is a number
        assert "-5" in names and '\'=HYPERLINK("http://x")' in names
    _assert_no_live_formula(table)
    np.testing.assert_array_equal(coefs["value_fitted"].to_numpy(), fit.model.coef_.ravel())
    # The intercept was fixed by fit_intercept=False, and the file says so.
    intercept = table[table["group"] == "intercept_"]
    assert len(intercept) == 1 and not intercept["learned"].any()
    assert intercept["value_fitted"].iloc[0] == fit.model.intercept_ == 0.0


def test_csv_leaves_negative_class_labels_alone(signed_classes):
    _, _, _, learned = signed_classes
    params = learned.detail
    assert params.outputs == ("-1", "0", "1")
    table = _read_csv(parameters_csv(learned, "logistic_regression"))
    coefs = table[table["group"] == "coef_"]
    # A class label that is a number stays as it is...
    assert list(coefs["output"]) == ["-1", "-1", "0", "0", "1", "1"]
    # ...while text that starts like a formula is defused.
    assert list(coefs["term"]) == ["'-1: u", "'-1: v", "0: u", "0: v", "1: u", "1: v"]
    assert list(table.loc[table["group"] == "intercept_", "term"]) == [
        "'-1: (intercept)",
        "0: (intercept)",
        "1: (intercept)",
    ]


def test_history_csv_defuses_formulas_and_keeps_numbers():
    """The run-history download goes through ``safe_csv``: an upload's file name, a
    target or a learned headline that starts like a formula is defused in every column;
    numbers (stored or as text) are left alone."""
    hostile = {
        "=HYPERLINK": '=HYPERLINK("http://evil.example","click")',
        "+": "+cmd|' /C calc'!A0",
        "-": "-2+3+cmd",
        "@": "@SUM(1+1)*cmd",
        "tab": "\t=1+1",
    }
    table = pd.DataFrame(
        {
            "run": [1, 2, 3, 4, 5],
            "data": list(hostile.values()),
            "target": ["price", "-1.5", "+2", "-1e3", "3"],  # numbers as text
            "hyperparameters": ["alpha=1", "alpha=-1", "=1", "@a", "-x"],
            "learned": ["11 learned; largest |bmi| = 29 per SD", "-1.5", "@x", "+y", "-"],
            "score": [-1.5, 0.25, -0.0, 1e-300, -7.0],
            "=formula header": ["a", "b", "c", "d", "e"],
        }
    )
    text = safe_csv(table)
    back = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert list(back.columns) == [*table.columns[:-1], "'=formula header"]
    assert list(back["data"]) == ["'" + v for v in hostile.values()]
    assert list(back["target"]) == ["price", "-1.5", "+2", "-1e3", "3"]
    assert list(back["hyperparameters"]) == ["alpha=1", "alpha=-1", "'=1", "'@a", "'-x"]
    assert list(back["learned"]) == [table["learned"][0], "-1.5", "'@x", "'+y", "'-"]
    _assert_no_live_formula(back)
    # Numbers stay numbers, in full precision.
    numbers = pd.read_csv(io.StringIO(text))
    np.testing.assert_array_equal(numbers["score"].to_numpy(), table["score"].to_numpy())
    np.testing.assert_array_equal(numbers["run"].to_numpy(), table["run"].to_numpy())
    assert "'-1.5" not in text and "'-0.0" not in text


# --- setting JSON: round trips ------------------------------------------------------------------
def _other_value(spec: ParamSpec, values: dict[str, Any] | None = None) -> Any:
    """A valid value different from the spec's default (given the values chosen so far)."""
    if spec.kind == "bool":
        return not spec.default
    if spec.kind == "layers":
        return (7, 3) if spec.default != (7, 3) else (5,)
    if spec.kind == "choice":
        allowed = spec.allowed(values or {}) if spec.allowed else spec.choices
        return [c for c in allowed if c != spec.default][-1]
    if spec.kind == "int":
        if spec.default is None:  # a nullable number ("none" by default): any bound value
            low = int(spec.low) if spec.low is not None else 0
            return low + 1 if spec.high is None or low + 1 <= spec.high else low
        return spec.default + 1 if spec.high is None or spec.default + 1 <= spec.high else 1
    if spec.default == 0:
        return 0.5 * (spec.high if spec.high is not None and math.isfinite(spec.high) else 1.0)
    doubled = spec.default * 2
    return doubled if spec.high is None or doubled <= spec.high else spec.default / 2


def _changed_hyperparameters(family: FamilySpec, estimator_id: str) -> dict[str, Any]:
    """Every hyperparameter changed from its default, except where the change would clash
    with the values already changed (a Minkowski power with another metric): a valid
    setting, as the page would accept it."""
    estimator = family.get_estimator(estimator_id)
    specs = family.hyperparameters_for(estimator_id)
    values: dict[str, Any] = {}
    for spec in specs:
        trial = {**values, spec.name: _other_value(spec, values)}
        try:
            estimator.estimator_params(resolve(specs, trial).values)
        except ValueError:
            trial[spec.name] = spec.default
        values = trial
    return values


def _task_of(family: FamilySpec, estimator_id: str) -> str:
    """The task an estimator serves (the family's only task when it names none)."""
    return family.get_estimator(estimator_id).task or family.tasks[0]


def _changed_setting(family: FamilySpec, estimator_id: str, dataset_id: str) -> dict[str, Any]:
    """A full setting with every value changed from its default, for one estimator."""
    setting: dict[str, Any] = {"dataset": dataset_id}
    task = _task_of(family, estimator_id)
    if dataset_id != UPLOAD_ID:
        spec = next(d for d in datasets_for(family.tasks) if d.id == dataset_id)
        assert spec.task == task, "a registered data set brings its own task"
        setting |= {o.name: _other_value(o) for o in spec.options}
        options = {o.name: setting[o.name] for o in spec.options}
        setting["target"] = load_table(dataset_id, seed=9, **options).default_target
    else:
        setting["target"] = 'weird "target" | with\nnewline \\ and é'
    setting |= {"scale": False, "test_size": 0.4, "seed": 9}
    if dataset_id == UPLOAD_ID and len(family.tasks) > 1:
        setting["task"] = task  # an upload's task is chosen on a page that serves both
    setting["estimator"] = estimator_id
    setting |= _changed_hyperparameters(family, estimator_id)
    return setting


def _dataset_for(family: FamilySpec, task: str) -> str:
    """The family's default data set when it serves ``task``, else the first that does."""
    if get_dataset_spec(family.default_dataset).task == task:
        return family.default_dataset
    return datasets_for(task)[0].id


ROUND_TRIPS = [
    (family, estimator.id, dataset)
    for family in ALL_FAMILIES
    for estimator in family.estimators
    for dataset in (_dataset_for(family, _task_of(family, estimator.id)), UPLOAD_ID)
] + [
    (family, family.estimators_for(spec.task)[0].id, spec.id)
    for family in ALL_FAMILIES
    for spec in datasets_for(family.tasks)
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
    layers = {s.name for s in family.hyperparameters_for(estimator_id) if s.kind == "layers"}
    assert {type(v) for k, v in restored.items() if k not in layers} <= {str, int, float, bool}
    assert all(type(restored[k]) is tuple for k in layers)  # layer widths, such as (7, 3)
    # As bytes (a download read back), with a byte-order mark, too.
    assert parse_setting_json(b"\xef\xbb\xbf" + text.encode(), family) == (setting, [])


def test_layer_widths_travel_as_text():
    network = next(
        (f for f in ALL_FAMILIES if any(s.kind == "layers" for s in f.every_hyperparameter())),
        None,
    )
    if network is None:
        pytest.skip("no family with layer widths is registered")
    spec = next(s for s in network.every_hyperparameter() if s.kind == "layers")
    text = setting_json(network.id, {spec.name: (16, 8, 4)})
    assert json.loads(text)["setting"] == {spec.name: "16,8,4"}  # as a link spells it
    restored, notes = parse_setting_json(text, network)
    assert restored == {spec.name: (16, 8, 4)} and notes == []
    # Only a layers setting may be a sequence: any other stays refused.
    with pytest.raises(ValueError, match="only numbers"):
        setting_json(network.id, {"some_number": (1, 2)})


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
        ('{"a": ' + "9" * 5000 + "}", "too long to be a setting"),
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
    setting, dataset, fit, learned = ridge_diabetes
    params = learned.detail
    card = model_card_markdown(LINEAR, setting, learned, fit.metrics, dataset.notes, fit.warnings)
    assert card.startswith("# Model card: Linear regression, Ridge (L2)")
    assert "| `alpha` | 3 | 1 | changed |" in card
    assert "| `fit_intercept` | True | True | default |" in card
    assert "Ridge(alpha=3.0, fit_intercept=True)" in card
    assert "not causes" in card
    assert "in-sample" not in card  # there are test rows
    assert "Diabetes progression" in card and "Target: progression" in card
    rows = _table_lines(card, "| parameter |")
    assert len(rows) == 2 + len(params.feature_names) + 1
    assert f"| {params.intercept[0]:.6g} |" in rows[-1]
    assert "11 learned parameters." in card
    scores = _table_lines(card, "| metric |")
    assert scores[0] == "| metric | train | test |"
    assert f"{fit.metrics.at['R²', 'test']:.6g}" in card
    assert "```json" in card and '"alpha": 3.0' in card


def test_card_says_when_scores_are_in_sample(logistic_iris_all_rows):
    setting, dataset, fit, learned = logistic_iris_all_rows
    card = model_card_markdown(LOGISTIC, setting, learned, fit.metrics, dataset.notes, [])
    assert card.startswith("# Model card: Logistic regression\n")
    assert "| metric | all rows (in-sample) |" in card
    assert "scores are in-sample and cannot show over-fitting" in card
    assert "| `C` | 0.5 | 1 | changed |" in card
    assert 'solver="lbfgs"' in card and "class_weight=None" in card
    assert "log-odds" in card
    assert len(_table_lines(card, "| parameter |")) == 2 + 3 * (4 + 1)


def test_card_escapes_user_strings(odd_upload):
    setting, _, fit, learned = odd_upload
    warnings = ("UserWarning: weird | text\n# not a heading",)
    notes = ("Read odd.csv | with *stars*",)
    card = model_card_markdown(LINEAR, setting, learned, fit.metrics, notes, warnings)
    rows = _table_lines(card, "| parameter |")
    assert len(rows) == 2 + len(ODD_FEATURES) + 1  # no name broke a row
    assert {_cells(row) for row in rows} == {4}
    assert r"a \| b" in card and r"\*bold\* \<i\>" in card
    assert "line break" in card and "line\nbreak" not in card.split("## Reproduce")[0]
    assert r"weird \| text \# not a heading" in card
    assert "\n# not a heading" not in card
    # The intercept was fixed at 0 by fit_intercept=False: its row and the caveats say so.
    assert "(fixed, not learned)" in rows[-1] and "| 0 |" in rows[-1]
    assert "intercept (intercept_) was fixed by a setting, not learned" in card
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
    from core.links import link_problems
    from core.registry import LOGISTIC_REGRESSION

    problems = link_problems(
        LINEAR,
        {"dataset": "synthetic_regression", "n_samples": "3", "alpha": "big", "scale": "no"},
    )
    # Keyed by the query key, in the page's order; a bound checkbox takes only true/false.
    assert list(problems) == ["n_samples", "scale", "alpha"]
    assert "n_samples='3'" in problems["n_samples"]
    assert "below the minimum" in problems["n_samples"]
    assert "200 is used instead" in problems["n_samples"]
    assert "scale='no'" in problems["scale"] and "true is used instead" in problems["scale"]
    assert "alpha='big'" in problems["alpha"] and "1 is used instead" in problems["alpha"]
    solver = link_problems(LOGISTIC_REGRESSION, {"l1_ratio": "1", "solver": "lbfgs"})
    assert list(solver) == ["solver"] and "solver='lbfgs'" in solver["solver"]
    assert link_problems(LINEAR, {"dataset": "longley", "alpha": "2"}) == {}


def test_a_setting_file_without_a_data_set_checks_its_target_on_the_pages_own():
    """The page keeps its data set when the file names none: longley's column is a fine
    target there, though the family's default data set (diabetes) has no such column."""
    document = json.dumps(
        {
            "format": SETTING_FORMAT,
            "version": 1,
            "family": "linear_regression",
            "setting": {"target": "GNP"},
        }
    )
    setting, notes = parse_setting_json(document, LINEAR, current_dataset="longley")
    assert setting.get("target") == "GNP" and not any("Dropped target" in n for n in notes)
    setting, notes = parse_setting_json(document, LINEAR)
    assert "target" not in setting and any("Dropped target" in n for n in notes)
