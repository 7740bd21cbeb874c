"""The gradient-descent page's defaults converge, and running out of epochs is a lesson in
plain words whose every number is checked here against scikit-learn's own SGD fits.

The expected values come from plain ``StandardScaler`` + ``SGDRegressor`` fits on the page's
training rows (``train_test_split`` of the row positions, test share 0.25, seed 0), with
scikit-learn's ConvergenceWarning recorded or raised as an error.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDRegressor
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from core.data.prepare import load_dataset
from core.families.gradient_descent.family import FAMILY
from tests.app.page_helpers import frame_with, run_if_asked

PAGE = "app_pages/gradient_descent.py"
START = {s.name: s.initial for s in FAMILY.hyperparameters_for("sgd_regressor")}


@pytest.fixture(scope="module")
def rows():
    """The page's training rows of diabetes, standardised as its pipeline does, the raw
    rows and the scaler."""
    data = load_dataset("diabetes", "regression")
    train, _ = train_test_split(np.arange(len(data.y)), test_size=0.25, random_state=0)
    raw = data.X.to_numpy()[train]
    scaler = StandardScaler().fit(raw)
    return scaler.transform(raw), data.y.to_numpy()[train], scaler, raw


def _sgd(X, y, **changes) -> tuple[SGDRegressor, list[str]]:
    """scikit-learn's SGDRegressor with the page's start values and ``changes``, and the
    ConvergenceWarnings its fit raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = SGDRegressor(**{**START, **changes}).fit(X, y)
    return model, [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]


def _texts(at) -> list[str]:
    """Every sentence on the page, unescaped."""
    found = [
        e.value
        for kind in ("markdown", "caption", "warning", "info", "error")
        for e in at.get(kind)
    ]
    return [re.sub(r"\\(.)", r"\1", t) for t in found]


def _number(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    assert match, (pattern, text)
    return int(match[1].replace(",", ""))


def test_the_default_page_converges_and_shows_scikit_learns_own_fit(open_page, rows):
    X, y, scaler, _ = rows
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # the default must converge
        direct = SGDRegressor(**START).fit(X, y)
    assert direct.n_iter_ < START["max_iter"]
    at = open_page(PAGE)
    texts = _texts(at)
    assert not [t for t in texts if "ConvergenceWarning" in t or "used all" in t]
    assert not [i for i in at.info if "refitting" in i.value]
    table = frame_with(at, "per unit")
    np.testing.assert_allclose(table["per unit"], direct.coef_ / scaler.scale_, rtol=1e-9)
    stopped = f"SGD stopped after {direct.n_iter_} of at most {START['max_iter']} epochs"
    assert any(t.startswith(f"- {stopped}") or t.startswith(stopped) for t in texts)


def test_the_stability_tabs_refits_converge_too(open_page, rows):
    at = run_if_asked(open_page(PAGE, view="Stability"))
    assert at.get("plotly_chart"), "the resampling spread was not drawn"
    assert not [w for w in at.warning if "warned in" in w.value]
    # Independently: bootstrap resamples of the training rows, each rescaled and refitted
    # with the default setting, with a ConvergenceWarning raised as an error.
    _, y, _, raw = rows
    rng = np.random.default_rng(7)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        for _ in range(25):
            pick = rng.integers(0, len(y), size=len(y))
            SGDRegressor(**START).fit(StandardScaler().fit_transform(raw[pick]), y[pick])


def test_running_out_of_epochs_reads_as_a_sentence_with_a_checked_fix(open_page, rows):
    X, y, _, _ = rows
    # scikit-learn's own default schedule on the page's other start values runs out.
    setting = {"learning_rate": "invscaling"}
    page_model, shown = _sgd(X, y, **setting)
    assert shown and page_model.n_iter_ == START["max_iter"]
    at = open_page(PAGE, learning_rate="invscaling")
    texts = _texts(at)
    assert not [t for t in texts if "ConvergenceWarning" in t]
    ran_out = next(w for w in _texts_of(at.warning) if "epochs (max_iter" in w)
    max_iter = START["max_iter"]
    assert f"SGD used all {max_iter:,} epochs (max_iter = {max_iter:,})" in ran_out
    assert f"tol = {START['tol']:g}" in ran_out
    # The last step of invscaling: eta0 / t^power_t after max_iter passes over the rows.
    t = max_iter * len(y)
    assert f"= {START['eta0'] / t ** START['power_t']:.3g}" in ran_out
    check = next(i for i in _texts_of(at.info) if i.startswith("Checked by refitting"))
    needed = _number(r"stops by its own rule after ([\d,]+) epochs", check)
    suggested = _number(r"So max_iter = ([\d,]+) \(anything above", check)
    assert suggested > needed > max_iter
    model, shown = _sgd(X, y, **setting, max_iter=suggested)
    assert not shown and model.n_iter_ == needed  # the suggestion finishes, as said
    _, shown = _sgd(X, y, **setting, max_iter=needed)
    assert shown  # scikit-learn still warns at exactly the epochs needed: "above" is right


def test_when_more_epochs_cannot_help_the_check_says_so_and_names_what_does(open_page, rows):
    X, y, _, _ = rows
    setting = {"learning_rate": "invscaling", "eta0": 0.0001, "power_t": 0.5, "max_iter": 3000}
    at = open_page(PAGE, **{k: str(v) for k, v in setting.items()})
    assert not [t for t in _texts(at) if "ConvergenceWarning" in t]
    check = next(i for i in _texts_of(at.info) if i.startswith("Checked by refitting"))
    longer = _number(r"even max_iter = ([\d,]+)", check)
    _, shown = _sgd(X, y, **{**setting, "max_iter": longer})
    assert shown  # the longer refit really runs out
    if longer == 10_000:  # the most the page allows (fewer only on a slow machine)
        assert "raising max_iter does not help here" in check
    # Every "X = v stops after N epochs" the sentence claims, refitted.
    claims = re.findall(
        r"(learning_rate|tol|eta0) = '?([\w.]+)'? stops after ([\d,]+) epochs", check
    )
    assert any(name == "learning_rate" and value == "adaptive" for name, value, _ in claims)
    for name, value, epochs in claims:
        change = {name: value if name == "learning_rate" else float(value)}
        model, shown = _sgd(X, y, **{**setting, **change})
        assert not shown and model.n_iter_ == int(epochs.replace(",", "")), (name, value)


def _texts_of(elements) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", e.value) for e in elements]
