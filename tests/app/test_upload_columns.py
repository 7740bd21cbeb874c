"""An upload keeps its columns: another target, another file or another header never drops a
feature the user did not untick, and the generated script fits on the same columns."""

from __future__ import annotations

import ast
import io

import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge

LINEAR = "app_pages/linear_regression.py"
SCRIPT = "linear_regression_upload.py"


def _csv(columns: list[str], seed: int, rows: int = 60) -> bytes:
    """A numeric table whose every column carries some signal about every other."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(rows, 1))
    values = base + rng.normal(size=(rows, len(columns)))
    return pd.DataFrame(values.round(4), columns=columns).to_csv(index=False).encode()


def _upload(at, name: str, data: bytes):
    at.file_uploader(key="upload").set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _script_constants(script: str) -> dict:
    """The generated script's top-level constants (``TARGET = ...``), as Python values."""
    values = {}
    for node in ast.parse(script).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            try:
                values[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return values


def _errors(at) -> list[str]:
    """The page's error sentences, without markdown's escapes."""
    return [e.value.replace("\\", "") for e in at.error]


def _learned(at) -> tuple[list[str], int]:
    """The features of the page's coefficient table and its 'Learned parameters' count."""
    table = next(f.value for f in at.dataframe if "per unit" in f.value.columns)
    count = next(m.value for m in at.metric if m.label == "Learned parameters")
    return list(table["feature"]), int(str(count).replace(",", ""))


def _expected(data: bytes, target: str, features: list[str]) -> tuple[list[str], int]:
    """The columns and count a linear model fitted on these features learns, by
    scikit-learn: one coefficient per column it was fitted on, plus the intercept."""
    frame = pd.read_csv(io.BytesIO(data))
    model = Ridge().fit(frame[features], frame[target])
    assert model.n_features_in_ == len(features)
    return [str(n) for n in model.feature_names_in_], model.coef_.size + 1


def test_changing_the_target_keeps_every_other_column(open_page, open_tab, downloads):
    data = _csv(["y", "a", "b", "c"], seed=1)
    at = _upload(open_page(LINEAR, dataset="upload"), "d.csv", data)
    assert at.multiselect(key="features").value == ["y", "a", "b"]
    assert _learned(at) == _expected(data, "c", ["y", "a", "b"])

    at.selectbox(key="target").set_value("y").run()
    assert at.multiselect(key="features").value == ["a", "b", "c"]
    assert _learned(at) == _expected(data, "y", ["a", "b", "c"]) == (["a", "b", "c"], 4)
    open_tab(at, "Reproduce")
    script = downloads[SCRIPT].decode()
    assert _script_constants(script)["TARGET"] == "y"
    # Every column but the target: the script's prepare() keeps them all, unfiltered.
    assert "FEATURES" not in _script_constants(script) and "X = X[" not in script


def test_an_unticked_column_stays_out_whatever_the_target(open_page, open_tab, downloads):
    data = _csv(["y", "a", "b", "c"], seed=2)
    at = _upload(open_page(LINEAR, dataset="upload"), "d.csv", data)
    at.selectbox(key="target").set_value("y").run()
    at.multiselect(key="features").set_value(["a", "c"]).run()
    assert _learned(at) == _expected(data, "y", ["a", "c"]) == (["a", "c"], 3)

    # Back to c: y returns as a feature (it was never unticked), b stays out.
    at.selectbox(key="target").set_value("c").run()
    assert at.multiselect(key="features").value == ["y", "a"]
    assert _learned(at) == _expected(data, "c", ["y", "a"])
    # b as the target, then y again: the choice is still a and c.
    at.selectbox(key="target").set_value("b").run()
    assert _learned(at) == _expected(data, "b", ["y", "a", "c"])
    at.selectbox(key="target").set_value("y").run()
    assert _learned(at) == _expected(data, "y", ["a", "c"])
    open_tab(at, "Reproduce")
    script = downloads[SCRIPT].decode()
    constants = _script_constants(script)
    assert constants["TARGET"] == "y" and constants["FEATURES"] == ["a", "c"]
    assert "X = X[FEATURES]" in script


def test_a_new_file_starts_from_all_its_columns_and_an_old_one_keeps_its_choice(open_page):
    first = _csv(["x1", "x2", "x3", "y"], seed=3)
    at = _upload(open_page(LINEAR, dataset="upload"), "a.csv", first)
    at.multiselect(key="features").set_value(["x1", "x2"]).run()
    assert _learned(at) == _expected(first, "y", ["x1", "x2"])

    wider = _csv(["x1", "x2", "x3", "x4", "x5", "y"], seed=4)
    _upload(at, "b.csv", wider)
    assert at.multiselect(key="features").value == ["x1", "x2", "x3", "x4", "x5"]
    assert _learned(at) == _expected(wider, "y", ["x1", "x2", "x3", "x4", "x5"])

    other = _csv(["u", "v", "w", "y"], seed=5)
    _upload(at, "b.csv", other)
    assert not at.error
    assert _learned(at) == _expected(other, "y", ["u", "v", "w"])

    # The first file's bytes again, under another name: its choice comes back.
    _upload(at, "a_again.csv", first)
    assert at.multiselect(key="features").value == ["x1", "x2"]
    assert _learned(at) == _expected(first, "y", ["x1", "x2"])


def test_headers_pandas_would_misread_are_refused_with_a_sentence(open_page):
    at = open_page(LINEAR, dataset="upload")
    rows = "\n".join(f"{i},{i % 3},{2 * i}" for i in range(30))
    _upload(at, "quoted.csv", f'a, "a", y\n{rows}\n'.encode())
    assert _errors(at) == [
        "quoted.csv has repeated column names: a; give each column its own name in the first line."
    ]
    assert not at.dataframe or all("per unit" not in f.value.columns for f in at.dataframe)

    rows = "\n".join(f"{i},{i % 3},{2 * i},{i % 5}" for i in range(30))
    _upload(at, "short.csv", f"a,b,y\n{rows}\n".encode())
    (error,) = _errors(at)
    assert error.startswith("Line 2 of short.csv has 4 fields but its header (line 1) has 3")
    assert "Parameters the model learned" not in [h.value for h in at.subheader]


def test_a_chooser_value_the_user_did_not_pick_never_replaces_the_choice(open_page):
    """Under load, a rerun that interrupts another once handed the chooser an empty value
    (make load: upload, two quick seed changes, then "Choose at least one feature"), and
    the page remembered it as every column unticked. Only the user's own changes count."""
    data = _csv(["a", "b", "c", "y"], seed=3)
    at = _upload(open_page(LINEAR, dataset="upload"), "d.csv", data)
    at.multiselect(key="features").set_value(["a", "c"]).run()  # the user's choice
    at.session_state["features"] = []  # a value no widget event chose
    at.number_input(key="seed").set_value(5).run()
    assert at.multiselect(key="features").value == ["a", "c"]
    assert not _errors(at)
    at.number_input(key="seed").set_value(6).run()
    assert at.multiselect(key="features").value == ["a", "c"]
