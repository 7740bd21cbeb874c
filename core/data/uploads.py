"""Reading a user's CSV file safely: bounded size, sniffed encoding and delimiter.

Only text is parsed (never pickles or code); every failure becomes a :class:`DataError`
whose message tells the user what to fix.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator

import pandas as pd

from core.data.tables import MAX_CELLS, DataError, Table

#: Largest upload read, in bytes; ``.streamlit/config.toml`` sets the same bound in MB.
#: Streamlit's ``maxUploadSize = 25`` lets the browser send 25,000,000 bytes (decimal
#: megabytes): the app's own bound is the same, so no file passes one and fails the other.
MAX_UPLOAD_BYTES = 25_000_000
MAX_ROWS = 200_000
MAX_COLUMNS = 500
#: The memory budget of one upload: reading, cleaning and encoding it peaks at no more than
#: this multiple of the parsed frame's own size (``benchmarks/bench_upload_memory.py``
#: measures it, ``tests/core/data/test_upload_budget.py`` holds it). Every size limit is
#: checked before the work it limits, so a refused file costs less than its own bytes twice.
UPLOAD_MEMORY_RATIO = 3.0
_ENCODINGS = ("utf-8-sig", "utf-16", "cp1252", "latin-1")
_DELIMITERS = ",;\t|"
# A header cell may be as long as the file (pandas reads it, short_name shortens it); the
# csv module's default field limit (131,072 characters) would raise on it instead.
csv.field_size_limit(max(csv.field_size_limit(), MAX_UPLOAD_BYTES + 1))


#: Column names longer than this are shortened: a 1 MB header cell must not become a 1 MB
#: feature name in every table, chart, export and script.
MAX_NAME_CHARS = 100


def short_name(name: str) -> str:
    """A column name bounded to :data:`MAX_NAME_CHARS`: its start, ``…`` and 8 hex digits
    of its SHA-1, so two long names that start alike stay apart (the generated script
    shortens them the same way)."""
    if len(name) <= MAX_NAME_CHARS:
        return name
    digest = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{name[: MAX_NAME_CHARS - 9]}…{digest}"


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _head(text: str, lines: int = 50) -> str:
    """The first ``lines`` lines of ``text`` (its line ends already ``\\n``), without
    splitting the whole file into a list of lines."""
    end = -1
    for _ in range(lines):
        end = text.find("\n", end + 1)
        if end < 0:
            return text
    return text[:end]


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text``, each with its ``\\n``, one at a time: the csv module reads
    them without a second copy of the file (``io.StringIO`` holds four bytes a character)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _sniff_delimiter(text: str) -> str:
    sample = _head(text)
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first = _head(text, 1) if text else ""
        counts = {d: first.count(d) for d in _DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


_DECIMAL_COMMA = re.compile(r"-?\d+,\d+")
#: Excel's first line naming the delimiter: ``sep=;``.
_EXCEL_SEP = re.compile(r"sep=[,;\t|]", re.IGNORECASE)
_DECIMAL_POINT = re.compile(r"-?\d*\.\d+")


def _sniff_decimal(text: str, delimiter: str) -> str:
    """ "," when the cells look like European decimal numbers (3,14), else "."."""
    if delimiter == ",":
        return "."
    cells = [c.strip() for line in _head(text).splitlines()[1:] for c in line.split(delimiter)]
    commas = sum(bool(_DECIMAL_COMMA.fullmatch(c)) for c in cells)
    points = sum(bool(_DECIMAL_POINT.fullmatch(c)) for c in cells)
    return "," if commas > points else "."


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """The file's records as pandas reads them (quotes, spaces after a delimiter), each with
    the line it starts on; blank lines are skipped, as pandas skips them."""
    reader = csv.reader(_lines(text), delimiter=delimiter, skipinitialspace=True)
    start = 1
    for row in reader:
        if len(row) > 1 or (row and row[0].strip()):
            yield start, row
        start = reader.line_num + 1


def _repeated_names_sentence(filename: str, header: list[str]) -> str | None:
    """The sentence refusing repeated (or several empty) names in the header, if any."""
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    unnamed = header.count("")
    if not repeated and unnamed < 2:
        return None
    parts = []
    if repeated:
        parts.append(f"repeated column names: {', '.join(repeated)}")
    if unnamed > 1:
        parts.append(f"{unnamed} columns with no name")
    return f"{filename} has {' and '.join(parts)}; give each column its own name in the first line."


def _check_header(text: str, delimiter: str, filename: str, skiprows: int) -> list[str]:
    """The header as written, refused when pandas would silently misread it.

    pandas renames a repeated name to ``a.1`` (also when one copy is quoted or spaced), and
    when the first row has more fields than the header it turns the first columns into row
    labels, so every name then labels its neighbour's values. Both become a
    :class:`DataError` naming what to fix.
    """
    records = _records(text, delimiter)
    try:
        header_line, header = next(records, (1, []))
        header = [h.strip() for h in header]
        sentence = _repeated_names_sentence(filename, header)
        if sentence:
            raise DataError(sentence)
        line, first = next(records, (0, []))
    except csv.Error as exc:
        raise DataError(
            f"{filename} could not be read as a table ({exc}). Check that quotes are closed."
        ) from None
    if len(first) > len(header):
        raise DataError(
            f"Line {line + skiprows} of {filename} has {len(first)} fields but its header "
            f"(line {header_line + skiprows}) has {len(header)}, so every name would label "
            "its neighbour's values: name every column in the first line, or remove the "
            "extra delimiter at the end of each row."
        )
    return header


def _utf8(data: bytes, text: str, encoding: str, skiprows: int) -> bytes:
    """The text as UTF-8 bytes for pandas: the upload itself when it already is exactly
    that (no byte-order mark, no carriage returns, no skipped line), else a new copy."""
    plain = encoding == "utf-8-sig" and not skiprows and not data.startswith(b"\xef\xbb\xbf")
    return data if plain and b"\r" not in data else text.encode("utf-8")


def _check_size(text: str, delimiter: str, filename: str) -> None:
    """Refuse a table with too many columns or cells before pandas converts a cell.

    The header's fields and the line count bound the table; only when that bound is over
    the limit are the records counted exactly (a quoted cell may span lines).
    """
    try:
        _, header = next(_records(text, delimiter), (1, []))
    except csv.Error:
        return  # pandas reports the broken quoting in its own words
    if len(header) > MAX_COLUMNS:
        raise DataError(f"{filename} has {len(header)} columns; the limit is {MAX_COLUMNS}.")
    features = max(len(header) - 1, 1)
    rows = min(text.count("\n") + 1, MAX_ROWS)
    if rows * features <= MAX_CELLS:
        return
    try:
        rows = min(sum(1 for _ in _records(text, delimiter)) - 1, MAX_ROWS)
    except csv.Error:
        return
    if rows * features > MAX_CELLS:
        raise DataError(
            f"{filename} has {rows:,} rows by {features} columns besides the target "
            f"({rows * features:,} values), more than the {MAX_CELLS:,} this app holds; "
            "upload a sample of the rows or fewer columns."
        )


def _whole_numbers_beyond_int64(frame: pd.DataFrame) -> list[str]:
    """Columns pandas kept as Python integers too large for int64 (``2**70``), now floats.

    Such a column is neither numbers nor text to pandas and Arrow, so tables and charts
    would raise on it; as floats it keeps about 16 significant digits.
    """
    converted = []
    for col in frame.columns:
        column = frame[col]
        if column.dtype != object:
            continue
        present = column.dropna()
        if present.empty or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in present
        ):
            continue
        frame[col] = column.astype(float)
        converted.append(str(col))
    return converted


def read_csv_upload(data: bytes, filename: str = "upload.csv") -> Table:
    """Parse an uploaded CSV file into a :class:`~core.data.tables.Table`.

    Parameters
    ----------
    data : bytes
        The file's content.
    filename : str
        Shown in messages only.

    Returns
    -------
    Table
        The parsed columns; ``default_target`` is the last column; ``notes`` say which
        encoding and delimiter were found.

    Raises
    ------
    DataError
        If the file is too large, empty, binary or not a table.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise DataError(
            f"{filename} is {len(data) / 1e6:.1f} MB; the limit is "
            f"{MAX_UPLOAD_BYTES / 1e6:.0f} MB. Upload a sample of the rows."
        )
    if not data.strip():
        raise DataError(f"{filename} is empty.")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(f"{filename} looks like a binary file, not a CSV text file.")
    text, encoding = _decode(data)
    # Old Macs end lines with a lone carriage return; the csv module's header check would
    # refuse them, so every line end becomes "\n" (pandas reads any of them the same).
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    skiprows = 0
    first = text.split("\n", 1)[0].strip()
    if _EXCEL_SEP.fullmatch(first):
        # Excel writes "sep=;" as a first line to name the delimiter: obey it, skip it.
        delimiter, skiprows = first[4], 1
        text = text.split("\n", 1)[1] if "\n" in text else ""
        if not text.strip():
            raise DataError(f"{filename} has only Excel's sep= line, no table.")
    else:
        delimiter = _sniff_delimiter(text)
    decimal = _sniff_decimal(text, delimiter)
    _check_size(text, delimiter, filename)
    try:
        frame = pd.read_csv(
            # Bytes, not io.StringIO: that would hold four bytes per character.
            io.BytesIO(_utf8(data, text, encoding, skiprows)),
            encoding="utf-8",
            sep=delimiter,
            decimal=decimal,
            nrows=MAX_ROWS + 1,
            skipinitialspace=True,
            on_bad_lines="error",
        )
    except pd.errors.EmptyDataError:
        raise DataError(f"{filename} has no columns to read.") from None
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else ""
        raise DataError(
            f"{filename} could not be read as a table ({detail}). Check that every row has "
            "the same number of fields and that quotes are closed."
        ) from None
    header = _check_header(text, delimiter, filename, skiprows)
    frame.columns = [short_name(str(c).strip()) for c in frame.columns]
    clashes = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
    if clashes:
        # Names that differ only beyond the shortening or in spaces pandas kept.
        raise DataError(
            f"{filename} has repeated column names: {', '.join(clashes)}; give each column "
            "its own name in the first line."
        )
    long_names = sum(len(str(c).strip()) > MAX_NAME_CHARS for c in header)
    if frame.shape[1] < 2:
        raise DataError(
            f"{filename} has {frame.shape[1]} column; a target and at least one feature are "
            "needed. If the values are in one column, check the delimiter."
        )
    if frame.shape[1] > MAX_COLUMNS:
        raise DataError(f"{filename} has {frame.shape[1]} columns; the limit is {MAX_COLUMNS}.")
    if frame.empty:
        raise DataError(f"{filename} has a header but no rows.")
    # A plain comma-separated UTF-8 file needs no word on how it was read: say so only
    # when the encoding or the delimiter was guessed to be something else.
    notes = []
    if encoding not in ("utf-8", "utf-8-sig", "ascii") or delimiter != ",":
        notes.append(f"Read {filename} as {encoding} text with {delimiter!r} as the delimiter.")
    huge = _whole_numbers_beyond_int64(frame)
    if huge:
        notes.append(
            f"Read whole numbers too large for 64-bit integers as decimals, which keep about "
            f"16 significant digits: {', '.join(huge)}."
        )
    if long_names:
        notes.append(
            f"Shortened {long_names} column name(s) longer than {MAX_NAME_CHARS} characters "
            "(the start, then a short fingerprint that keeps them apart)."
        )
    if skiprows:
        notes.append(f"Skipped Excel's first line sep={delimiter}, which names the delimiter.")
    if decimal == ",":
        notes.append("Read numbers with a decimal comma (3,14 as 3.14).")
    if len(frame) > MAX_ROWS:
        frame = frame.iloc[:MAX_ROWS]
        notes.append(f"Kept the first {MAX_ROWS:,} rows.")
    return Table(
        frame=frame,
        default_target=str(frame.columns[-1]),
        description=f"Uploaded file {filename}: {len(frame):,} rows, {frame.shape[1]} columns.",
        notes=tuple(notes),
        encoding=encoding,
        delimiter=delimiter,
        decimal=decimal,
        skiprows=skiprows,
    )
