"""Generated scripts refit exactly what the app fits, and user strings stay data.

Every case is fitted twice: through the app's own path (``load_dataset`` or
``read_csv_upload`` + ``make_dataset`` -> ``fit_model`` -> ``extract_linear_parameters``) and
by running the script :func:`core.codegen.python_script` wrote, in a fresh Python process
with FutureWarning and DeprecationWarning as errors. Starting Python and scikit-learn costs
a second or two, so the scripts run in one batch process (``runpy``), plus one script alone.
"""

from __future__ import annotations

import ast
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from core.codegen import constant_name, public_import, python_literal
from core.codegen import python_script as make_script
from core.codegen_data import DATA_CODE
from core.codegen_task import TASK_CODE
from core.data.catalogue import DATASETS, UPLOAD_ID, get_dataset_spec
from core.data.prepare import load_dataset, make_dataset
from core.data.uploads import read_csv_upload
from core.fitting import fit_model
from core.linear.parameters import extract_linear_parameters
from core.registry import ALL_FAMILIES, get_family
from core.setting import DATA_SETTINGS, task_for

WARNINGS_AS_ERRORS = ("-W", "error::FutureWarning", "-W", "error::DeprecationWarning")
INJECTION = 'a"; import os; os.system("x") #'
ODD_NAME = "b\nc\\d'\"e"
ODD_FILE = 'd"; __import__("os").system("x") #\\.csv'
RTOL = 1e-8
RUFF_RULES = ("--select", "E,F,W,I,B,UP,SIM")


def _regression_csv() -> bytes:
    """An awkward regression table: text, numbers-as-text, ids, gaps, constants."""
    rng = np.random.default_rng(1)
    n = 60
    size = rng.uniform(30, 150, n).round(1)
    district = rng.choice(["north", "south", "east"], n).astype(object)
    rooms = rng.integers(1, 6, n).astype(str).astype(object)
    price = 2.0 * size + 15 * (district == "north") + rng.normal(0, 10, n)
    rooms[[3, 17]] = "?"  # a few non-numbers in a numeric text column
    size[[5, 40]] = np.nan
    district[[8, 9]] = None
    price[[11]] = np.nan  # a row without a target is dropped
    frame = pd.DataFrame(
        {
            "size m2": size,
            "district": district,
            "rooms": rooms,
            "listing id": [f"id-{i:03d}" for i in range(n)],
            "constant": 1.0,
            "empty": np.nan,
            "price": price.round(2),
        }
    )
    return frame.to_csv(index=False).encode()


def _classification_csv() -> bytes:
    """Text labels with gaps, a missing-value feature, ';' separator, cp1252 encoding."""
    rng = np.random.default_rng(2)
    n = 90
    x = rng.normal(size=(n, 2))
    grade = np.where(x[:, 0] + x[:, 1] > 0.5, "A", np.where(x[:, 0] > -0.5, "B", "C"))
    frame = pd.DataFrame({"Größe": x[:, 0].round(3), "weight": x[:, 1].round(3)})
    frame["colour"] = rng.choice(["red", "blue"], n)
    frame.loc[[4, 12], "weight"] = np.nan
    frame["grade"] = pd.Series(grade, dtype=object)
    frame.loc[[20], "grade"] = None
    return frame.to_csv(index=False, sep=";").encode("cp1252")


def _injection_csv() -> bytes:
    """Column names that would be code if written into a script unescaped."""
    rng = np.random.default_rng(3)
    n = 50
    frame = pd.DataFrame({ODD_NAME: rng.normal(size=n), "z": rng.normal(size=n)})
    frame[INJECTION] = 3 * frame[ODD_NAME] - frame["z"] + rng.normal(0, 0.1, n)
    frame["label"] = np.where(frame["z"] > 0, 1.0, 2.0)
    frame.loc[[7], "label"] = np.nan
    return frame.to_csv(index=False).encode()


LINEAR, LOGISTIC = "linear_regression", "logistic_regression"

#: id -> (family id, setting, upload (file name, bytes, sep, encoding) or None)
CASES: dict[str, tuple[str, dict[str, Any], tuple[str, bytes, str, str] | None]] = {
    "ols-diabetes": (LINEAR, {"dataset": "diabetes", "estimator": "ols"}, None),
    "ridge-longley-all-rows": (
        LINEAR,
        {"dataset": "longley", "test_size": 0.0, "estimator": "ridge", "alpha": 3.0},
        None,
    ),
    "lasso-correlated-unscaled": (
        LINEAR,
        {
            "dataset": "synthetic_regression",
            "n_samples": 150,
            "n_features": 6,
            "n_informative": 3,
            "noise": 5.0,
            "correlation": 0.5,
            "target": "y",
            "scale": False,
            "test_size": 0.3,
            "seed": 7,
            "estimator": "lasso",
            "alpha": 0.5,
            "max_iter": 5000,
        },
        None,
    ),
    "ridge-other-target-no-intercept": (
        LINEAR,
        {"dataset": "diabetes", "target": "bmi", "scale": False, "estimator": "ridge"}
        | {"alpha": 0.1, "fit_intercept": False, "seed": 5},
        None,
    ),
    "elasticnet-upload": (
        LINEAR,
        {"dataset": UPLOAD_ID, "target": "price", "estimator": "elasticnet", "alpha": 0.1}
        | {"l1_ratio": 0.3, "seed": 4},
        ("houses.csv", _regression_csv(), ",", "utf-8"),
    ),
    "ols-upload-infinities-and-name-clash-scaled-no-intercept": (
        LINEAR,
        {"dataset": UPLOAD_ID, "target": "y", "fit_intercept": False, "seed": 1},
        (
            "clashes.csv",
            (
                "c,c=b,v,y\n"
                + "\n".join(
                    f"{'ab'[i % 2]},{i},{'inf' if i in (3, 7) else i * 0.5},{2 * i + 1}"
                    for i in range(30)
                )
            ).encode(),
            ",",
            "utf-8",
        ),
    ),
    "ridge-upload-decimal-commas": (
        LINEAR,
        {"dataset": UPLOAD_ID, "target": "Preis", "estimator": "ridge", "alpha": 0.5},
        (
            "de.csv",
            (
                "Größe;Zimmer;Preis\n"
                + "\n".join(f"{i},5;{i % 4};{3 * i + (i % 5)},25" for i in range(1, 40))
            ).encode("cp1252"),
            ";",
            "cp1252",
        ),
    ),
    "ridge-upload-infinite-target": (
        LINEAR,
        {"dataset": UPLOAD_ID, "estimator": "ridge"},
        (
            "inf.csv",
            (
                "x1,x2,y\n"
                + "\n".join(f"{i},{i % 3},{'inf' if i == 4 else 2 * i + 1}" for i in range(30))
            ).encode(),
            ",",
            "utf-8",
        ),
    ),
    "ridge-upload-excel-sep-line-mac-line-ends": (
        LINEAR,
        {"dataset": UPLOAD_ID, "estimator": "ridge"},
        (
            "excel.csv",
            (
                "sep=;\rx1;x2;y\r" + "\r".join(f"{i};{i % 3};{2 * i + 1}" for i in range(30))
            ).encode(),
            ";",
            "utf-8",
        ),
    ),
    "logistic-breast-cancer": (LOGISTIC, {"dataset": "breast_cancer"}, None),
    "logistic-iris-elastic-net-saga": (
        LOGISTIC,
        {"dataset": "iris", "estimator": "logistic", "l1_ratio": 0.5},
        None,
    ),
    "logistic-unpenalised-synthetic": (
        LOGISTIC,
        {"dataset": "synthetic_classification", "n_features": 5, "n_informative": 3}
        | {"n_classes": 3, "class_sep": 0.8, "seed": 2, "C": math.inf, "max_iter": 1000},
        None,
    ),
    "logistic-wine-balanced-all-rows-unscaled": (
        LOGISTIC,
        {"dataset": "wine", "class_weight": "balanced", "test_size": 0.0, "scale": False}
        | {"solver": "newton-cholesky", "C": 0.5},
        None,
    ),
    "logistic-moons": (
        LOGISTIC,
        {"dataset": "moons", "n_samples": 120, "noise": 0.3, "solver": "newton-cg", "C": 0.2},
        None,
    ),
    "logistic-circles-no-intercept": (
        LOGISTIC,
        {"dataset": "circles", "fit_intercept": False, "test_size": 0.5, "seed": 11},
        None,
    ),
    "logistic-upload-text-labels": (
        LOGISTIC,
        {"dataset": UPLOAD_ID, "target": "grade", "test_size": 0.2, "l1_ratio": 1.0}
        | {"C": 2.0, "max_iter": 2000},
        ("grades.csv", _classification_csv(), ";", "cp1252"),
    ),
    "injection-regression": (
        LINEAR,
        {"dataset": UPLOAD_ID, "target": INJECTION, "estimator": "ridge"},
        (ODD_FILE, _injection_csv(), ",", "utf-8"),
    ),
    "injection-classification": (
        LOGISTIC,
        {"dataset": UPLOAD_ID, "test_size": 0.3},  # no target: the last column, "label"
        ("odd.csv", _injection_csv(), ",", "utf-8"),
    ),
}

RUNNER = """
import contextlib, io, json, runpy, sys

import numpy as np

def strict(name):
    raise ValueError(f"the script printed {name}, which is not plain JSON")


results = {}
for path in sys.argv[1:]:
    out = io.StringIO()
    # saga and sag shuffle with NumPy's global state (the app leaves random_state unset):
    # seed it as the in-process fit does, so the comparison can be exact.
    np.random.seed(0)
    with contextlib.redirect_stdout(out):
        runpy.run_path(path, run_name="__main__")
    results[path] = json.loads(out.getvalue(), parse_constant=strict)
print(json.dumps(results))
"""


def script_for(case: str) -> str:
    family_id, setting, upload = CASES[case]
    if upload is None:
        return make_script(get_family(family_id), setting)
    name, data, sep, encoding = upload
    return make_script(
        get_family(family_id),
        setting,
        upload_name=name,
        upload_sep=sep,
        upload_encoding=encoding,
        upload_decimal=read_csv_upload(data, name).decimal,  # as the page passes it
        upload_skiprows=read_csv_upload(data, name).skiprows,
    )


def app_fit(case: str):
    """The app's own fit of a case: data, split, pipeline, parameters."""
    family_id, setting, upload = CASES[case]
    family = get_family(family_id)
    seed = setting.get("seed", 0)
    if upload is None:
        spec = get_dataset_spec(setting["dataset"])
        options = {o.name: setting[o.name] for o in spec.options if o.name in setting}
        dataset = load_dataset(
            spec.id, task_for(family, setting), target=setting.get("target"), seed=seed, **options
        )
    else:
        name, data, _, _ = upload
        table = read_csv_upload(data, name)
        dataset = make_dataset(
            table.frame,
            setting.get("target", table.default_target),
            task_for(family, setting),
            name=name,
        )
    # The legacy global state is what saga shuffles with; the script gets the same.
    np.random.seed(0)  # noqa: NPY002
    fit = fit_model(
        family,
        setting.get("estimator", family.estimator_spec().default),
        setting,
        dataset,
        scale=setting.get("scale", True),
        test_size=setting.get("test_size", 0.25),
        seed=seed,
    )
    return fit, extract_linear_parameters(fit)


def write_case(directory: Path, case: str) -> Path:
    """Write a case's script (and its CSV file) into ``directory``."""
    upload = CASES[case][2]
    if upload is not None:
        (directory / upload[0]).write_bytes(upload[1])
    path = directory / f"{case.replace('-', '_')}.py"
    path.write_text(script_for(case), encoding="utf-8")
    return path


def run_python(args: list[str], cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, *WARNINGS_AS_ERRORS, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def script_outputs(tmp_path_factory) -> dict[str, dict]:
    """Every case's script, run once in one batch process; outputs by case id."""
    directory = tmp_path_factory.mktemp("scripts")
    paths = {case: write_case(directory, case).name for case in CASES}
    (directory / "runner.py").write_text(RUNNER, encoding="utf-8")
    results = json.loads(run_python(["runner.py", *paths.values()], directory))
    return {case: results[path] for case, path in paths.items()}


def _metric_value(value: float | None) -> float:
    return np.nan if value is None else value


# --- the scripts reproduce the app --------------------------------------------------------
@pytest.mark.parametrize("case", list(CASES))
def test_script_prints_the_apps_parameters_and_scores(case, script_outputs):
    fit, params = app_fit(case)
    out = script_outputs[case]
    assert out["target"] == fit.target
    assert tuple(out["features"]) == params.feature_names
    assert tuple(out["outputs"]) == params.outputs
    assert out["estimator"] == type(fit.model).__name__
    np.testing.assert_allclose(out["coef"], params.coef, rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(out["intercept"], params.intercept, rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(out["coef_per_sd"], params.coef_per_sd, rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(out["fitted"]["coef_"], params.coef_fitted, rtol=RTOL, atol=1e-12)
    assert list(out["metrics"]) == list(fit.metrics.index)
    for metric, row in fit.metrics.iterrows():
        for part in ("train", "test"):
            np.testing.assert_allclose(
                _metric_value(out["metrics"][metric][part]), row[part], rtol=RTOL
            )


def test_every_linear_family_estimator_and_data_set_is_exercised():
    """These cases check the linear printout (per unit, per SD, as fitted) on every data set
    and estimator of the two linear families; tests/core/test_family_scripts.py checks every
    other family's script."""
    linear = {LINEAR, LOGISTIC}
    families = {CASES[case][0] for case in CASES}
    assert families == linear
    datasets = {CASES[case][1]["dataset"] for case in CASES}
    assert datasets == {d.id for d in DATASETS} | {UPLOAD_ID}
    estimators = {
        (family_id, setting.get("estimator", get_family(family_id).estimator_spec().default))
        for family_id, setting, _ in CASES.values()
    }
    assert estimators == {
        (f.id, e.id) for f in ALL_FAMILIES if f.id in linear for e in f.estimators
    }


def test_all_rows_setting_fits_and_scores_in_sample(script_outputs):
    out = script_outputs["ridge-longley-all-rows"]
    assert all(row["test"] is None for row in out["metrics"].values())
    fit, _ = app_fit("ridge-longley-all-rows")
    assert fit.in_sample and len(fit.split.train) == 16


def test_script_runs_alone_from_its_folder(tmp_path):
    """A script is standalone: no Parameter Lab import, run as ``python script.py``."""
    path = write_case(tmp_path, "injection-regression")
    assert "core" not in {node.names[0].name.split(".")[0] for node in _imports(path)}
    out = json.loads(run_python([path.name], tmp_path))
    _, params = app_fit("injection-regression")
    assert out["target"] == INJECTION
    assert tuple(out["features"]) == params.feature_names
    assert ODD_NAME in out["features"]
    np.testing.assert_allclose(out["coef"], params.coef, rtol=RTOL)
    np.testing.assert_allclose(out["intercept"], params.intercept, rtol=RTOL)


# --- user strings are data, never code ------------------------------------------------------
def _imports(path: Path) -> list[ast.Import | ast.ImportFrom]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]


DANGEROUS_CALLS = {"eval", "exec", "compile", "__import__", "system", "popen", "open", "getattr"}


@pytest.mark.parametrize(
    ("target", "file_name"),
    [(INJECTION, ODD_FILE), (ODD_NAME, "plain.csv"), ("x'''\"\"\"\\", "a\nb.csv")],
)
def test_user_strings_appear_only_inside_string_literals(target, file_name):
    source = make_script(
        get_family("linear_regression"),
        {"dataset": UPLOAD_ID, "target": target},
        upload_name=file_name,
        upload_sep="\t",
        upload_encoding='utf-8"; os.system("y")',
    )
    tree = ast.parse(source)
    constants = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    assert target in constants and file_name in constants
    # With every string literal emptied, no trace of the user strings is left in the code.
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    code_only = ast.unparse(tree)
    for fragment in ("os.system", "import os", "__import__", 'system("', "#\\"):
        assert fragment not in code_only
    calls = {
        node.func.id if isinstance(node.func, ast.Name) else node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute)
    }
    assert not calls & DANGEROUS_CALLS
    modules = {
        alias.name.split(".")[0] if isinstance(n, ast.Import) else (n.module or "").split(".")[0]
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for alias in n.names
    }
    # hashlib only fingerprints long column names (as core.data.uploads.short_name does).
    assert modules <= {"hashlib", "json", "numpy", "pandas", "sklearn", "statsmodels"}
    # Nor in comments: a newline in a user string must not start a line of code.
    for line in source.splitlines():
        assert "os.system" not in line or line.lstrip().startswith(("FILE_NAME", "TARGET", "ENC"))


def test_injection_case_keeps_the_names_as_constants(script_outputs):
    source = script_for("injection-regression")
    constants = {n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant)}
    assert {INJECTION, ODD_FILE} <= constants
    # The odd feature names come from the file at run time and never enter the script.
    assert ODD_NAME not in source and repr(ODD_NAME) not in source
    assert script_outputs["injection-regression"]["target"] == INJECTION


# --- pieces -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value", [0, 7, -3, 1.5, 1e-6, 2.0**0.5, True, False, None, "", "a'b", 'a"b', "\\\n\t\x00é"]
)
def test_python_literal_round_trips(value):
    text = python_literal(value)
    assert ast.literal_eval(text) == value
    assert type(ast.literal_eval(text)) is type(value)


def test_python_literal_writes_infinity_and_refuses_the_rest():
    assert python_literal(math.inf) == 'float("inf")'
    assert eval(python_literal(-math.inf)) == -math.inf  # only a literal of our own making
    assert python_literal("plain") == '"plain"'
    with pytest.raises(ValueError, match="NaN"):
        python_literal(math.nan)
    for bad in ([1], {"a": 1}, object(), b"x"):
        with pytest.raises(TypeError):
            python_literal(bad)


def test_python_literal_ignores_a_str_subclass_repr():
    class Sneaky(str):
        def __repr__(self):
            return "__import__('os')"

    assert ast.literal_eval(python_literal(Sneaky("safe"))) == "safe"


@pytest.mark.parametrize("family", ALL_FAMILIES, ids=lambda f: f.id)
def test_estimators_are_imported_from_their_public_module(family):
    for spec in family.estimators:
        module, name = public_import(spec.estimator)
        assert not any(part.startswith("_") for part in module.split("."))
        assert getattr(__import__(module, fromlist=[name]), name) is spec.estimator


def test_every_registered_data_set_has_code_using_its_options():
    assert set(DATA_CODE) == {d.id for d in DATASETS} | {UPLOAD_ID}
    assert set(TASK_CODE) == {t for f in ALL_FAMILIES for t in f.tasks}
    reserved = {"DATASET", "TARGET", "FILE_NAME", "SEP", "ENCODING"}
    reserved |= {constant_name(s.name) for s in DATA_SETTINGS}
    for spec in DATASETS:
        names = {
            n.id for n in ast.walk(ast.parse(DATA_CODE[spec.id].code)) if isinstance(n, ast.Name)
        }
        for option in spec.options:
            assert constant_name(option.name).isidentifier()
            assert constant_name(option.name) not in reserved
            assert constant_name(option.name) in names, (spec.id, option.name)


def test_generated_data_code_matches_each_loader(tmp_path):
    """Each data template builds the loader's table exactly (a cheap in-process check)."""
    for spec in DATASETS:
        namespace: dict[str, Any] = {"np": np, "pd": pd, "SEED": 3}
        for option in spec.options:
            namespace[constant_name(option.name)] = option.default
        code = DATA_CODE[spec.id]
        exec("\n".join(code.imports) + "\n" + code.code, namespace)  # our own template
        table = spec.loader(seed=3)
        pd.testing.assert_frame_equal(namespace["frame"], table.frame)
        assert code.default_target == table.default_target


@pytest.mark.parametrize(
    ("setting", "upload_name", "message"),
    [
        ({"dataset": "iris"}, None, "not offered"),
        ({"dataset": UPLOAD_ID}, None, "file name"),
        ({"alpha": -1, "estimator": "ridge"}, None, "below the minimum"),
        ({"estimator": "svm"}, None, "not one of"),
        ({"seed": "x"}, None, "expected a number"),
        ({"n_samples": 5, "dataset": "synthetic_regression"}, None, "below the minimum"),
        ({"target": ["y"]}, None, "column name"),
    ],
)
def test_invalid_settings_are_refused(setting, upload_name, message):
    with pytest.raises(ValueError, match=message):
        make_script(get_family("linear_regression"), setting, upload_name=upload_name)


def test_a_solver_that_cannot_take_the_penalty_is_refused():
    with pytest.raises(ValueError, match="cannot fit"):
        make_script(get_family("logistic_regression"), {"solver": "lbfgs", "l1_ratio": 0.5})


def test_script_lists_resolved_hyperparameters_and_marks_changes():
    source = make_script(
        get_family("logistic_regression"),
        {"dataset": "iris", "C": math.inf, "class_weight": "none"},
    )
    assert 'C=float("inf"),  # default: 1.0' in source
    assert "solver='lbfgs'" in source or 'solver="lbfgs"' in source
    assert "class_weight=None," in source
    assert "statsmodels" not in source


@pytest.mark.skipif(
    shutil.which("ruff", path=str(Path(sys.executable).parent)) is None,
    reason="ruff is not installed next to this Python",
)
def test_generated_scripts_pass_ruff(tmp_path):
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    for case in ("elasticnet-upload", "logistic-unpenalised-synthetic", "ridge-longley-all-rows"):
        write_case(tmp_path, case)
    done = subprocess.run(
        [
            ruff,
            "check",
            "--isolated",
            "--no-cache",
            "--line-length=100",
            *RUFF_RULES,
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout
