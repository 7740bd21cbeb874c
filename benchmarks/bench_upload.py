"""A 200,000 × 20 upload: the app's first run against a bare script doing the same work.

Ours: ``read_csv_upload`` (sniffing, checks), ``make_dataset`` (cleaning), ``fit_model``
(split, pipeline, ridge, scores). Bare: ``pandas.read_csv`` of the same bytes, the same
split and a ridge pipeline. Each run is a fresh process (a first run: nothing cached), the
two timed round-robin; memory is the peak of what each run allocated (``tracemalloc``,
which numpy and pandas report to), so the figures compare the work, not the interpreter.
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

TITLE = "A 200,000 × 20 upload, first run"
ROWS, FEATURES = 200_000, 20
MAX_TIME_RATIO = 3.0
MAX_MEMORY_RATIO = 1.5

_SCRIPT = r"""
import json, sys, time, tracemalloc
import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from core.data.prepare import make_dataset
from core.fitting import fit_model
from core.registry import LINEAR_REGRESSION
from core.data.uploads import read_csv_upload

path, mode = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
tracemalloc.start()
start = time.perf_counter()
if mode == "ours":
    table = read_csv_upload(data, "big.csv")
    dataset = make_dataset(table.frame, table.default_target, "regression", name="big.csv")
    fit = fit_model(LINEAR_REGRESSION, "ridge", {"alpha": 1.0}, dataset)
    coef = fit.model.coef_
else:
    import io
    frame = pd.read_csv(io.BytesIO(data))
    X, y = frame.iloc[:, :-1], frame.iloc[:, -1]
    train, test = train_test_split(np.arange(len(y)), test_size=0.25, random_state=0)
    model = make_pipeline(StandardScaler(), Ridge(alpha=1.0)).fit(X.iloc[train], y.iloc[train])
    model.score(X.iloc[test], y.iloc[test])
    coef = model[-1].coef_
seconds = time.perf_counter() - start
peak = tracemalloc.get_traced_memory()[1] / 1024
print(json.dumps({"seconds": seconds, "kib": peak, "coef": [float(c) for c in coef]}))
"""


def _file(directory: Path) -> Path:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(ROWS, FEATURES)).round(2)
    y = (X @ rng.normal(size=FEATURES) + rng.normal(size=ROWS)).round(2)
    lines = [",".join([*(f"x{j}" for j in range(FEATURES)), "y"])]
    lines += [",".join(map(str, row)) for row in np.column_stack([X, y]).tolist()]
    path = directory / "big.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _run(path: Path, mode: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(path), mode],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(repeat: int = 3) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        path = _file(Path(tmp))
        size = path.stat().st_size
        runs: dict[str, list[dict]] = {"ours": [], "bare": []}
        for _ in range(repeat):
            for mode in runs:
                runs[mode].append(_run(path, mode))
    same = all(r["coef"] == runs["ours"][0]["coef"] for r in runs["ours"])
    ours = statistics.median(r["seconds"] for r in runs["ours"])
    bare = statistics.median(r["seconds"] for r in runs["bare"])
    ours_mem = statistics.median(r["kib"] for r in runs["ours"])
    bare_mem = statistics.median(r["kib"] for r in runs["bare"])
    label = f"{size / 1e6:.0f} MB file"
    return [
        Row(
            benchmark=f"Upload, clean, fit ridge ({label}; same coefficients every run: "
            f"{'yes' if same else 'no'})",
            seconds=ours,
            reference="bare read_csv + the same split and ridge pipeline",
            reference_seconds=bare,
            ratio=ours / bare,
            target=f"≤ {MAX_TIME_RATIO:g}×",
            met=ours / bare <= MAX_TIME_RATIO and same,
        ),
        Row(
            benchmark=f"Memory growth of that run: {ours_mem / 1024:,.0f} MB against "
            f"{bare_mem / 1024:,.0f} MB (seconds column unused)",
            seconds=0.0,
            reference="the bare script's growth",
            reference_seconds=None,
            ratio=ours_mem / bare_mem,
            target=f"≤ {MAX_MEMORY_RATIO:g}×",
            met=ours_mem / bare_mem <= MAX_MEMORY_RATIO,
        ),
    ]
