"""Headers pandas would silently misread are refused with a sentence that says what to fix."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from core.data.tables import DataError
from core.data.uploads import MAX_NAME_CHARS, read_csv_upload

ROWS3 = "\n".join(f"{i},{i % 3},{2 * i}" for i in range(12))


@pytest.mark.parametrize(
    "header",
    ['a, "a", y', 'a;  "a";y', '"a", "a", "y"'],
    ids=["quoted-after-space", "semicolon", "all-quoted"],
)
def test_a_name_repeated_behind_quotes_or_spaces_is_refused(header):
    sep = ";" if ";" in header else ","
    text = f"{header}\n{ROWS3.replace(',', sep)}\n"
    # What pandas alone makes of it: a renamed copy, so the app's own check must catch it.
    names = list(pd.read_csv(io.StringIO(text), sep=sep, skipinitialspace=True).columns)
    assert names == ["a", "a.1", "y"]
    with pytest.raises(DataError) as caught:
        read_csv_upload(text.encode(), "d.csv")
    assert str(caught.value) == (
        "d.csv has repeated column names: a; give each column its own name in the first line."
    )


def test_several_unnamed_columns_are_refused_in_words():
    with pytest.raises(DataError) as caught:
        read_csv_upload(f",,y\n{ROWS3}\n".encode(), "d.csv")
    assert str(caught.value) == (
        "d.csv has 2 columns with no name; give each column its own name in the first line."
    )


@pytest.mark.parametrize(
    ("text", "line", "fields", "header_line", "header_fields"),
    [
        # One name short: pandas would take the first column as row labels.
        ("a,b,y\n" + "\n".join(f"{i},{i % 3},{2 * i},{i % 5}" for i in range(12)), 2, 4, 1, 3),
        # A delimiter at the end of every row (an empty fourth field).
        ("a,b,y\n" + "\n".join(f"{i},{i % 3},{2 * i}," for i in range(12)), 2, 4, 1, 3),
        # Two names short: pandas would build a two-level row index.
        ("a,y\n" + "\n".join(f"{i},{i % 3},{2 * i},{i % 5}" for i in range(12)), 2, 4, 1, 2),
        # Excel's sep= line and a blank line come first: lines are counted as in the file.
        ("sep=;\n\na;b;y\n" + "\n".join(f"{i};{i % 3};{2 * i};1" for i in range(12)), 4, 4, 3, 3),
    ],
    ids=["one-short", "trailing-delimiter", "two-short", "after-sep-line"],
)
def test_a_header_shorter_than_its_rows_is_refused(text, line, fields, header_line, header_fields):
    # pandas alone reads it without complaint, with the first column(s) as the row labels.
    sep = ";" if text.startswith("sep=;") else ","
    skip = 1 if sep == ";" else 0
    frame = pd.read_csv(io.StringIO(text), sep=sep, skiprows=skip)
    assert frame.shape[1] == header_fields and frame.index.nlevels == fields - header_fields
    with pytest.raises(DataError) as caught:
        read_csv_upload(text.encode(), "d.csv")
    assert str(caught.value).startswith(
        f"Line {line} of d.csv has {fields} fields but its header (line {header_line}) has "
        f"{header_fields}, so every name would label its neighbour's values"
    )


def test_a_header_cell_longer_than_the_csv_modules_limit_is_read_and_shortened():
    name = "n" * 200_000  # above the csv module's default 131,072-character field limit
    rows = "\n".join(f"{i},{i % 3}" for i in range(12))
    table = read_csv_upload(f"{name},y\n{rows}\n".encode(), "wide.csv")
    first, target = table.frame.columns
    assert target == "y" and len(first) == MAX_NAME_CHARS and first.startswith("n" * 91)
    assert list(table.frame["y"]) == [i % 3 for i in range(12)]
