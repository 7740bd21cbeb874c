"""The largest uploads the app accepts, and the hostile one it refuses: the peak memory of
reading, cleaning and encoding each against the parsed frame's own size.

Each case runs in a fresh process. The peak counts what Python, NumPy and pandas allocate
(``tracemalloc``) plus what Arrow, which holds pandas' text columns, allocates (its memory
pool's peak) and, on Linux, the growth of the process's resident high-water mark (reset
through ``/proc/self/clear_refs``), which also sees buffers pandas allocates outside both
(its text columns' Arrow buffers); the peak reported is the larger of the two.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks import Row
from core.data.tables import MAX_CELLS
from core.data.uploads import MAX_ROWS, MAX_UPLOAD_BYTES, UPLOAD_MEMORY_RATIO

TITLE = "Peak memory of the largest allowed uploads"

_SCRIPT = r"""
import json, sys, time, tracemalloc
import pyarrow as pa
from core.data.prepare import make_dataset
from core.data.tables import DataError
from core.data.uploads import read_csv_upload

path = sys.argv[1]
data = open(path, "rb").read()
arrow_before = pa.default_memory_pool().max_memory()
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
    return 0
try:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # the resident high-water mark starts again from here
    rss_before = status("VmRSS:")
except OSError:
    rss_before = None
tracemalloc.start()
start = time.perf_counter()
frame_bytes, message = None, None
try:
    table = read_csv_upload(data, "upload.csv")
    frame_bytes = int(table.frame.memory_usage(deep=True, index=False).sum())
    dataset = make_dataset(table.frame, table.default_target, "regression", name="upload.csv")
    shape = list(dataset.X.shape)
except DataError as exc:
    message, shape = str(exc), None
seconds = time.perf_counter() - start
traced = tracemalloc.get_traced_memory()[1]
arrow = max(pa.default_memory_pool().max_memory() - arrow_before, 0)
rss = 0 if rss_before is None else status("VmHWM:") - rss_before
print(json.dumps({"seconds": seconds, "peak": max(traced + arrow, rss), "traced": traced,
                  "rss": rss,
                  "arrow": arrow, "frame_bytes": frame_bytes, "file_bytes": len(data),
                  "message": message, "shape": shape}))
"""


def measure(path: Path) -> dict:
    """Read, clean and encode the file at ``path`` in a fresh process; its peak in bytes,
    the parsed frame's size (``None`` if refused) and the refusal, if any."""
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(path)],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _write(path: Path, header: list[str], cells: np.ndarray, y: np.ndarray) -> Path:
    lines = [",".join(header)]
    lines += [",".join(row) + f",{v}" for row, v in zip(cells.tolist(), y.tolist(), strict=True)]
    path.write_text("\n".join(lines) + "\n")
    assert path.stat().st_size <= MAX_UPLOAD_BYTES, path.stat().st_size
    return path


def numbers_file(directory: Path) -> Path:
    """The most rows (``MAX_ROWS``) by the most feature cells (``MAX_CELLS``) of digits, the
    target a decimal: the largest numeric table the limits allow, within the upload size."""
    features = MAX_CELLS // MAX_ROWS
    rng = np.random.default_rng(0)
    cells = rng.integers(0, 10, size=(MAX_ROWS, features)).astype(str)
    y = rng.normal(size=MAX_ROWS).round(2)
    header = [f"x{j}" for j in range(features)] + ["y"]
    return _write(directory / "numbers.csv", header, cells, y)


def text_file(directory: Path, rows: int | None = None, columns: int = 499) -> Path:
    """``columns`` two-level text columns (``a``/``b``) and a numeric target; by default the
    most rows the cell limit allows, which one-hot encoding turns into as many features."""
    rows = rows if rows is not None else MAX_CELLS // columns
    rng = np.random.default_rng(1)
    cells = np.where(rng.random((rows, columns)) < 0.5, "a", "b")
    y = rng.integers(0, 1000, size=rows)
    header = [f"c{j}" for j in range(columns)] + ["y"]
    return _write(directory / f"text_{rows}.csv", header, cells, y)


def hostile_file(directory: Path) -> Path:
    """Issue #20's file: 499 two-level text columns by 24,897 rows, just under 25 MB."""
    return text_file(directory, rows=24_897)


def run(repeat: int = 3) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cases = [
            ("numbers", numbers_file(Path(tmp))),
            ("text", text_file(Path(tmp))),
            ("hostile", hostile_file(Path(tmp))),
        ]
        for label, path in cases:
            runs = [measure(path) for _ in range(max(1, min(repeat, 3)))]
            peak = statistics.median(r["peak"] for r in runs)
            first = runs[0]
            base = first["frame_bytes"] or first["file_bytes"]
            what = "parsed frame" if first["frame_bytes"] else "file (refused before parsing)"
            shape = (
                f"{first['shape'][0]:,} × {first['shape'][1]} features"
                if first["shape"]
                else "refused"
            )
            ratio = peak / base
            rows.append(
                Row(
                    benchmark=f"{label}: {first['file_bytes'] / 1e6:.1f} MB file, {shape}; peak "
                    f"{peak / 1e6:,.0f} MB against the {what}'s {base / 1e6:,.0f} MB "
                    "(seconds: read, clean, encode under tracemalloc)",
                    seconds=statistics.median(r["seconds"] for r in runs),
                    reference=f"the {what}'s own size",
                    reference_seconds=None,
                    ratio=ratio,
                    target=f"≤ {UPLOAD_MEMORY_RATIO:g}×",
                    met=ratio <= UPLOAD_MEMORY_RATIO,
                )
            )
    return rows
