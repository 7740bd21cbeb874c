"""Uploads at the app's limits (#20), end to end: a target of integers beyond 64 bits, a
name that collides with another's shortened form, and a file too large to parse each get a
sentence on the page and never a traceback."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from core.data.tables import MAX_CELLS
from core.data.uploads import short_name

LINEAR = "app_pages/linear_regression.py"
TREE = "app_pages/decision_tree.py"


def _upload(at, name: str, data: bytes):
    at.file_uploader(key="upload").set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(elements) -> list[str]:
    return [e.value.replace("\\", "") for e in elements]


@pytest.mark.parametrize("page", [LINEAR, TREE])
def test_a_target_beyond_int64_is_read_as_decimals(open_page, page):
    rng = np.random.default_rng(0)
    x = rng.normal(size=40).round(3)
    # 2**70 plus steps floats keep apart: three values, a class label or a number to predict.
    y = [2**70 + int(k % 3) * 10**7 for k in rng.permutation(40)]
    data = ("x,y\n" + "".join(f"{a},{b}\n" for a, b in zip(x, y, strict=True))).encode()
    at = _upload(open_page(page, dataset="upload"), "huge.csv", data)
    assert not at.error, _texts(at.error)
    preview = next(f.value for f in at.dataframe if list(f.value.columns) == ["x", "y"])
    np.testing.assert_array_equal(preview["y"].to_numpy(), np.array(y[:10], dtype=float))
    notes = " ".join(_texts(at.info))
    assert "too large for 64-bit integers" in notes and ": y." in notes


def test_mixed_objects_preview_as_text(open_page):
    # One column holds a 2**70 integer and words: pandas keeps Python objects, Arrow
    # refuses to draw them as they are.
    rows = [f"{k},{2**70 if k == 0 else 'w' + str(k % 3)},{k * 1.5 + k % 4}\n" for k in range(30)]
    data = ("x,w,y\n" + "".join(rows)).encode()
    at = _upload(open_page(LINEAR, dataset="upload"), "mixed.csv", data)
    preview = next(f.value for f in at.dataframe if list(f.value.columns) == ["x", "w", "y"])
    assert list(preview["w"][:3]) == [str(2**70), "w1", "w2"]


def test_a_name_equal_to_another_names_short_form_is_refused(open_page):
    long = "a" * 150
    short = short_name(long)
    assert len(short) == 100 and short != long
    frame = pd.DataFrame(
        {long: np.arange(20.0), short: np.arange(20.0) % 3, "y": np.arange(20.0) ** 2}
    )
    at = _upload(
        open_page(LINEAR, dataset="upload"), "names.csv", frame.to_csv(index=False).encode()
    )
    errors = _texts(at.error)
    assert len(errors) == 1, errors
    assert errors[0] == (
        f"names.csv has repeated column names: {short}; give each column its own name in "
        "the first line."
    )
    assert not at.dataframe


def test_a_file_with_too_many_cells_is_refused_in_one_sentence(open_page):
    rows, columns = 24_897, 499
    rng = np.random.default_rng(0)
    cells = np.where(rng.random((rows, columns)) < 0.5, "a", "b")
    lines = [",".join([*(f"c{j}" for j in range(columns)), "y"])]
    lines += [",".join(r) + f",{k % 997}" for k, r in enumerate(cells.tolist())]
    data = ("\n".join(lines) + "\n").encode()
    assert len(data) <= 25_000_000
    at = _upload(open_page(LINEAR, dataset="upload"), "wide.csv", data)
    errors = _texts(at.error)
    assert len(errors) == 1, errors
    assert len(re.split(r"(?<=[.!?])\s+", errors[0].strip())) == 1, errors[0]
    assert errors[0].startswith(
        f"wide.csv has {rows:,} rows by {columns} columns besides the target "
        f"({rows * columns:,} values), more than the {MAX_CELLS:,} this app holds"
    )
