"""Reading strangers' CSV files: sniffing, bounds and clear refusals."""

import numpy as np
import pytest

from core.data.prepare import make_dataset
from core.data.tables import DataError
from core.data.uploads import MAX_UPLOAD_BYTES, read_csv_upload


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(sep):
    text = (
        sep.join(["x", "z", "y"])
        + "\n"
        + "\n".join(sep.join([str(i), str(i % 3), str(2 * i + 1)]) for i in range(10))
    )
    table = read_csv_upload(text.encode(), "d.csv")
    assert list(table.frame.columns) == ["x", "z", "y"]
    assert table.default_target == "y"
    if sep == ",":  # the plain case: nothing was guessed, so no box
        assert table.notes == ()
    else:
        assert repr(sep) in table.notes[0]


def test_encodings_are_detected():
    text = "städt,größe\n1,2\n3,4\n5,7\n"
    for encoding, name in [("utf-8", "utf-8-sig"), ("cp1252", "cp1252"), ("utf-16", "utf-16")]:
        table = read_csv_upload(text.encode(encoding), "d.csv")
        assert list(table.frame.columns) == ["städt", "größe"], encoding
        if name == "utf-8-sig":  # plain UTF-8 and commas: nothing guessed, nothing said
            assert table.notes == ()
        else:
            assert name in table.notes[0]


def test_a_plain_comma_separated_utf8_file_reads_without_a_note():
    table = read_csv_upload(b"a,b,y\n1,2,3\n4,5,6\n7,8,10\n", "plain.csv")
    assert table.notes == ()
    # anything guessed is still said: a semicolon file names its delimiter
    semicolon = read_csv_upload(b"a;b;y\n1;2;3\n4;5;6\n7;8;10\n", "semi.csv")
    assert any("';' as the delimiter" in n for n in semicolon.notes)


def test_european_decimal_commas_do_not_break_semicolon_files():
    table = read_csv_upload(b"a;b\n1;2\n3;4\n5;6\n", "d.csv")
    assert table.frame.shape == (3, 2)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n  ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        (b"only\n1\n2\n", "1 column"),
        (b"a,b\n", "no rows"),
        (b'a,b\n1,2\n3,4,5,6\n"x,7\n', "could not be read"),
        (b"a,a\n1,2\n", "repeated column names"),
    ],
)
def test_malformed_files_are_refused_with_a_sentence(data, message):
    with pytest.raises(DataError, match=message):
        read_csv_upload(data, "bad.csv")


def test_size_bound_is_enforced_before_parsing():
    with pytest.raises(DataError, match="limit is 25 MB"):
        read_csv_upload(b"a,b\n" + b"1,2\n" * (MAX_UPLOAD_BYTES // 4 + 1), "big.csv")


def test_upload_with_text_and_missing_values_trains_ready():
    csv = b"size,colour,price\n1,red,10\n2,blue,\n3,red,30\n4,,41\n5,blue,50\n6,red,61\n"
    table = read_csv_upload(csv, "shop.csv")
    data = make_dataset(table.frame, "price", "regression", name="shop", notes=table.notes)
    assert list(data.X.columns) == ["size", "colour=red"]
    assert len(data.y) == 5
    assert any("imputed" in n for n in data.notes)


def test_semicolon_files_with_decimal_commas_read_as_numbers():
    csv = "Größe;Preis\n" + "\n".join(f"{i},5;{i * 2},25" for i in range(1, 12))
    table = read_csv_upload(csv.encode("cp1252"), "de.csv")
    assert table.decimal == ","
    assert table.frame["Größe"].tolist()[:2] == [1.5, 2.5]
    assert table.frame["Preis"].dtype == float
    assert any("decimal comma" in n for n in table.notes)
    plain = read_csv_upload(b"a;b\n1.5;2\n3.5;4\n", "p.csv")
    assert plain.decimal == "." and plain.frame["a"].tolist() == [1.5, 3.5]


def test_carriage_return_line_ends_are_read():
    table = read_csv_upload(b"a,b,y\r1,2,3\r4,5,6\r7,8,9\r", "mac.csv")
    assert list(table.frame.columns) == ["a", "b", "y"] and len(table.frame) == 3
    assert table.frame["y"].tolist() == [3, 6, 9]


def test_an_excel_sep_line_names_the_delimiter_and_is_skipped():
    table = read_csv_upload(b"sep=;\na;b;y\n1,5;2;3\n4;5;6\n", "excel.csv")
    assert list(table.frame.columns) == ["a", "b", "y"] and table.delimiter == ";"
    assert table.skiprows == 1 and any("sep=;" in note for note in table.notes)
    assert table.frame["a"].tolist() == [1.5, 4.0]


def test_huge_whole_numbers_stay_distinct_classes():
    """1e308 and -1e308 are whole numbers, but int64 cannot hold them: cast, they would
    all wrap to one value and the target would have one class."""
    from core.data.prepare import make_dataset

    rows = "\n".join(f"{1e308 if i % 2 else -1e308},{i}" for i in range(20))
    table = read_csv_upload(f"label,x\n{rows}\n".encode(), "huge.csv")
    data = make_dataset(table.frame, "label", "classification", name="huge.csv")
    assert data.y.nunique() == 2


def test_values_too_large_to_compute_with_are_named_not_a_raw_error():
    """scikit-learn reports ±1e308 after scaling as 'Input X contains NaN'; the page names
    the column instead."""
    from core.data.prepare import make_dataset
    from core.fitting import FitError, fit_model
    from core.registry import LINEAR_REGRESSION

    rows = "\n".join(f"{1e308 if i % 2 else -1e308},{i % 3},{i}" for i in range(30))
    table = read_csv_upload(f"big,x2,y\n{rows}\n".encode(), "huge.csv")
    data = make_dataset(table.frame, "y", "regression", name="huge.csv")
    with pytest.raises(FitError) as caught:
        fit_model(LINEAR_REGRESSION, "ridge", {}, data)
    message = str(caught.value)
    assert message.startswith("Some values of the feature big are beyond ±1e+150")
    assert "NaN" not in message and "HistGradientBoosting" not in message


def test_very_long_names_are_shortened_apart_with_a_note():
    first, second = "a" * 5000 + "1", "a" * 5000 + "2"
    rows = "\n".join(f"{i},{i % 3},{i}" for i in range(20))
    table = read_csv_upload(f"{first},{second},y\n{rows}\n".encode(), "long.csv")
    names = list(table.frame.columns)
    assert all(len(n) <= 100 for n in names) and len(set(names)) == 3
    assert names[0].startswith("a" * 91) and names[2] == "y"
    assert any("Shortened 2 column name(s)" in note for note in table.notes)


def test_an_infinite_target_counts_as_missing_with_a_note():
    from core.data.prepare import make_dataset

    rows = "\n".join(f"{i},{'inf' if i == 3 else ('-inf' if i == 5 else i)}" for i in range(20))
    table = read_csv_upload(f"x,y\n{rows}\n".encode(), "inf.csv")
    data = make_dataset(table.frame, "y", "regression", name="inf.csv")
    assert len(data.y) == 18 and np.isfinite(data.y).all()
    assert any("2 row(s) whose target 'y' is infinite" in note for note in data.notes)
