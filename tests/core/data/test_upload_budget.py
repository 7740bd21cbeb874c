"""An upload's memory budget (#20): every size limit is checked before the work it limits,
and reading, cleaning and encoding the largest allowed uploads peaks within
``UPLOAD_MEMORY_RATIO`` times the parsed frame's own size."""

from __future__ import annotations

import re
import tracemalloc

import numpy as np
import pandas as pd
import pytest

from benchmarks.bench_upload_memory import hostile_file, measure, numbers_file, text_file
from core.data.prepare import make_dataset
from core.data.tables import MAX_CELLS, MAX_FEATURES, DataError
from core.data.uploads import MAX_ROWS, UPLOAD_MEMORY_RATIO, read_csv_upload


def _sentences(message: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", message.strip()) if s]


def test_the_budget_is_at_most_three_times_the_frame():
    assert UPLOAD_MEMORY_RATIO <= 3


def test_the_largest_numeric_upload_stays_within_its_budget(tmp_path):
    path = numbers_file(tmp_path)
    result = measure(path)
    features = MAX_CELLS // MAX_ROWS
    assert result["message"] is None
    assert result["shape"] == [MAX_ROWS, features]
    # The parsed frame: integer digit columns and a float target, 8 bytes a cell.
    frame = pd.read_csv(path)
    assert result["frame_bytes"] == frame.memory_usage(deep=True, index=False).sum()
    assert result["frame_bytes"] == MAX_ROWS * (features + 1) * 8
    assert result["peak"] <= UPLOAD_MEMORY_RATIO * result["frame_bytes"], result


def test_the_largest_text_upload_stays_within_its_budget(tmp_path):
    path = text_file(tmp_path)
    result = measure(path)
    rows = MAX_CELLS // 499
    assert result["message"] is None
    # Each two-level column becomes one dummy, so the features fill the cell limit.
    assert result["shape"] == [rows, 499] and rows * 499 <= MAX_CELLS
    assert result["peak"] <= UPLOAD_MEMORY_RATIO * result["frame_bytes"], result


def test_the_hostile_upload_is_refused_in_one_sentence_before_it_is_parsed(tmp_path):
    path = hostile_file(tmp_path)
    result = measure(path)
    rows, columns = 24_897, 499
    assert rows * columns > MAX_CELLS
    message = result["message"]
    assert message is not None and len(_sentences(message)) == 1, message
    assert f"{rows:,} rows by {columns} columns" in message
    assert f"({rows * columns:,} values)" in message and f"{MAX_CELLS:,}" in message
    # Refused before pandas builds a frame: the peak stays within the budget measured
    # against the file itself (the frame would be several times larger).
    assert result["peak"] <= UPLOAD_MEMORY_RATIO * result["file_bytes"], result
    assert result["peak"] < 100e6, result


def test_too_many_columns_are_refused_before_parsing():
    data = (",".join(f"c{j}" for j in range(600)) + "\n" + ",".join("1" * 600) + "\n") * 1
    with pytest.raises(DataError) as caught:
        read_csv_upload(data.encode(), "wide.csv")
    assert str(caught.value) == "wide.csv has 600 columns; the limit is 500."


def test_encoding_is_refused_before_any_dummy_is_built():
    rows, columns, levels = 5_000, 30, 20
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            f"t{j}": rng.choice([f"L{k:02d}" for k in range(levels)], size=rows)
            for j in range(columns)
        }
    ).astype("str")
    frame["y"] = rng.normal(size=rows)
    features = columns * (levels - 1)
    assert features > MAX_FEATURES
    would_be = rows * features * 8  # the float dummies the old code built before refusing
    tracemalloc.start()
    try:
        with pytest.raises(DataError) as caught:
            make_dataset(frame, "y", "regression", name="t")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert f"there are {features} features; the limit is {MAX_FEATURES}" in str(caught.value)
    assert peak < would_be / 4, (peak, would_be)


def test_whole_numbers_beyond_int64_become_floats_with_a_note():
    values = [2**70 + k * 10**6 for k in range(30)]  # distinct as floats, too
    text = "x,y\n" + "".join(f"{k % 7},{v}\n" for k, v in enumerate(values))
    table = read_csv_upload(text.encode(), "big.csv")
    assert table.frame["y"].dtype == np.float64
    np.testing.assert_array_equal(table.frame["y"].to_numpy(), np.array(values, dtype=float))
    assert any("too large for 64-bit integers" in n and n.endswith(": y.") for n in table.notes)
    dataset = make_dataset(table.frame, "x", "regression", name="big.csv")
    np.testing.assert_array_equal(dataset.X["y"].to_numpy(), np.array(values, dtype=float))
