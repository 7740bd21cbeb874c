"""How well /families estimates its fits before fitting: each family's estimate against its
real fit (fitting and scoring every row) on a large synthetic table.

Usage::

    python -m benchmarks.families_estimate [--rows 200000] [--features 10] [--knn]

Not a ``bench_*`` module (``make bench`` would wait minutes for nearest neighbours): the
real k-NN fit on 200,000 rows predicts every row against 150,000 stored ones, so it is
timed only with ``--knn``. Every fit runs with one BLAS thread, as the page's do.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd

from core.comparison import FamilySetting, estimate_fit_seconds, families_for, initial_setting
from core.data.prepare import make_dataset
from core.data.tables import Dataset, Task
from core.fitting import FitError, fit_model, single_blas_thread, split_data
from core.registry import FAMILIES
from core.setting import Setting

#: Settings besides each page's start: a slower solver, an unlimited tree.
EXTRA = {
    "regression": (("linear_regression", "lasso", {"alpha": 0.01}),),
    "classification": (("logistic_regression", "logistic", {"C": 100.0}),),
    "both": (("decision_tree", None, {"max_depth": None}),),
}


def synthetic(task: Task, rows: int, features: int, seed: int = 0) -> Dataset:
    """A table of normal features and a linear target with noise (two classes for
    classification), prepared as an upload is."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, features))
    signal = X @ rng.normal(size=features) + rng.normal(size=rows)
    y = signal if task == "regression" else np.where(signal > 0, "yes", "no")
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(features)]).assign(y=y)
    return make_dataset(frame, "y", task, name="synthetic.csv")


def settings(task: Task) -> list[FamilySetting]:
    out = [initial_setting(f, task) for f in families_for(task, FAMILIES)]
    for family_id, estimator_id, values in (*EXTRA[task], *EXTRA["both"]):
        base = next(s for s in out if s.family.id == family_id)
        estimator = estimator_id or base.estimator_id
        start = initial_setting(base.family, task).values if estimator_id is None else {}
        full = {s.name: s.initial for s in base.family.hyperparameters_for(estimator)}
        out.append(FamilySetting(base.family, estimator, {**full, **start, **values}, "history"))
    return out


def measure(task: Task, rows: int, features: int, knn: bool) -> list[dict]:
    dataset = synthetic(task, rows, features)
    n_train = len(split_data(dataset, 0.25, 0).train)
    out = []
    for setting in settings(task):
        key = Setting.on(dataset, setting.family.id, setting.estimator_id, setting.values)
        start = time.perf_counter()
        estimate = estimate_fit_seconds(setting.family, key, dataset)
        estimating = time.perf_counter() - start
        real, note = float("nan"), ""
        if knn or setting.family.id != "nearest_neighbors":
            start = time.perf_counter()
            try:
                with single_blas_thread():
                    fit_model(setting.family, setting.estimator_id, setting.values, dataset)
                real = time.perf_counter() - start
            except FitError as exc:
                note = str(exc).split(":")[0][:60]
        out.append(
            {
                "task": task,
                "family": setting.family.title,
                "setting": f"{setting.estimator_id} {setting.text()}"[:70],
                "train rows": n_train,
                "estimate s": round(estimate, 3),
                "estimating s": round(estimating, 3),
                "real s": round(real, 3),
                "real / estimate": round(real / estimate, 2) if estimate else float("nan"),
                "note": note,
            }
        )
        print(out[-1], flush=True)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--features", type=int, default=10)
    parser.add_argument("--knn", action="store_true", help="also time k-NN's real fit")
    parser.add_argument("--task", choices=("regression", "classification"), nargs="*")
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    rows = []
    for task in args.task or ("regression", "classification"):
        rows += measure(task, args.rows, args.features, args.knn)
    frame = pd.DataFrame(rows)
    print("| " + " | ".join(frame.columns) + " |")
    print("|" + "---|" * len(frame.columns))
    for record in frame.itertuples(index=False):
        print("| " + " | ".join(map(str, record)) + " |")


if __name__ == "__main__":
    main()
