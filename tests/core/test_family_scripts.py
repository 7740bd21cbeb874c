"""Every registered family's generated script refits the same model and prints the same
learned values, on a data set of each task the family serves (one subprocess for all)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from core.codegen import python_script
from core.data.prepare import load_dataset
from core.fitting import fit_model
from core.registry import ALL_FAMILIES
from core.setting import task_for

#: A data set per task, besides each family's own default.
BY_TASK = {"regression": "diabetes", "classification": "iris"}


def _cases():
    for family in ALL_FAMILIES:
        datasets = {family.default_dataset} | {BY_TASK[t] for t in family.tasks}
        for dataset_id in sorted(datasets):
            yield family, dataset_id


CASES = list(_cases())


def _page_setting(family, dataset_id: str) -> tuple[str, dict]:
    """The setting a page opens with on this data set: every hyperparameter's initial."""
    task = task_for(family, {"dataset": dataset_id})
    estimator = family.estimator_spec(task).default
    values = {s.name: s.initial for s in family.hyperparameters_for(estimator)}
    return estimator, values


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """Run every case's script once; their JSON printouts by case index."""
    directory = tmp_path_factory.mktemp("scripts")
    paths = []
    for i, (family, dataset_id) in enumerate(CASES):
        estimator, values = _page_setting(family, dataset_id)
        setting = {
            "dataset": dataset_id,
            "estimator": estimator,
            "scale": family.scale_default,
            **values,
        }
        path = directory / f"case_{i}.py"
        path.write_text(python_script(family, setting), encoding="utf-8")
        paths.append(str(path))
    runner = (
        "import contextlib, io, json, runpy, sys\n"
        "out = {}\n"
        "for p in sys.argv[1:]:\n"
        "    buf = io.StringIO()\n"
        "    with contextlib.redirect_stdout(buf):\n"
        "        runpy.run_path(p, run_name='__main__')\n"
        "    out[p] = json.loads(buf.getvalue())\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", runner, *paths],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout)
    return [results[p] for p in paths]


@pytest.mark.parametrize("index", range(len(CASES)), ids=[f"{f.id}-{d}" for f, d in CASES])
def test_script_prints_the_learned_values_the_app_shows(index, printed):
    family, dataset_id = CASES[index]
    estimator, values = _page_setting(family, dataset_id)
    data = load_dataset(dataset_id, task_for(family, {"dataset": dataset_id}))
    fit = fit_model(family, estimator, values, data, scale=family.scale_default)
    learned = family.extract(fit)
    out = printed[index]
    assert set(out["learned"]) == {g.name for g in learned.groups}
    for group in learned.groups:
        fitted = group.fitted if group.fitted is not None else group.values
        np.testing.assert_allclose(
            np.asarray(out["learned"][group.name], dtype=float).ravel(),
            fitted.ravel(),
            rtol=1e-8,
            atol=1e-10,
            err_msg=f"{family.id} {group.name}",
        )
    for metric, scores in out["metrics"].items():
        expected = fit.metrics.at[metric, "test"]
        assert scores["test"] == pytest.approx(expected, rel=1e-8, abs=1e-10)
