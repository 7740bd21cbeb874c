"""The neural-network page through AppTest: the count and its formula, links, the network
diagram's weights, the epoch scrubber's scores, seeds, capacity sweeps and refusals, each
checked against the network scikit-learn fits for the same setting."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pandas as pd
import pytest

from core.data.prepare import load_dataset
from core.families.neural_network.family import FAMILY
from core.fitting import fit_model
from tests.app.page_helpers import run_if_asked
from ui.families.neural_network_refits import clear_network_caches

PAGE = "app_pages/neural_network.py"
START = {p.name: p.initial for p in FAMILY.hyperparameters}


@pytest.fixture(autouse=True)
def _empty_network_caches():
    clear_network_caches()
    yield
    clear_network_caches()


@pytest.fixture(scope="module")
def iris():
    return load_dataset("iris", "classification")


@pytest.fixture(scope="module")
def iris_fit(iris):
    return fit_model(FAMILY, "mlp_classifier", START, iris)


def _fit(dataset, **changes):
    return fit_model(FAMILY, "mlp_classifier", {**START, **changes}, dataset)


def _plain(text: str) -> str:
    """Markdown text without its escapes (``hidden\\_layer\\_sizes`` -> ``hidden_layer_sizes``)."""
    return re.sub(r"\\(.)", r"\1", text)


def _texts(elements) -> list[str]:
    return [_plain(e.value) for e in elements]


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _frame(at, column: str) -> pd.DataFrame:
    return next(f.value for f in at.dataframe if column in f.value.columns)


def _learned_values(at) -> pd.DataFrame:
    """The learned panel's table of every weight and bias."""
    return _frame(at, "from")


def _decode(value):
    """A plotly JSON array: a list, or base64 ``{"dtype", "bdata"}``."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = value.get("shape")
        if isinstance(shape, str):
            shape = [int(n) for n in shape.split(",")]
        return array.reshape(shape) if shape else array
    return value


def _chart(at, trace_name: str) -> dict:
    """The plotly spec holding a trace of this name."""
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if any(t.get("name") == trace_name for t in spec["data"]):
            return spec
    raise AssertionError(f"no chart with a trace {trace_name!r}")


def _trace(spec: dict, name: str) -> dict:
    return next(t for t in spec["data"] if t.get("name") == name)


# --- the first screen -------------------------------------------------------------------------
def test_default_page_counts_91_with_the_formula_and_what_decides_it(open_page, iris_fit):
    at = open_page(PAGE)
    assert _metric(at, "Learned parameters") == "91"
    assert (_metric(at, "Weights"), _metric(at, "Biases")) == ("76", "15")
    markdown = _texts(at.markdown)
    assert any(m.endswith("`4·8+8 + 8·4+4 + 4·3+3 = 91`") for m in markdown)
    decides = next(m for m in markdown if m.startswith("- **Sets the count:**"))
    count, values = decides.split("\n")
    assert "hidden_layer_sizes = 8,4" in count and "4 inputs, one per feature" in count
    assert "3 output units, one per class" in count and "alpha" not in count
    assert values.startswith("- **Sets only the values:** activation, alpha, solver")
    assert "random_state: they change what the 91 numbers are, never how many" in values
    layers = _frame(at, "shape")
    assert layers["parameters"].tolist() == [40, 36, 15]
    assert layers["shape"].tolist() == ["4 × 8", "8 × 4", "4 × 3"]
    model = iris_fit.model
    np.testing.assert_allclose(layers["‖W‖"], [np.linalg.norm(W) for W in model.coefs_])
    # The page's network is scikit-learn's for the same setting, value for value.
    values = _learned_values(at)
    assert len(values) == 91
    first = values[values["group"] == "coefs_[0]"]["value"].to_numpy()
    np.testing.assert_array_equal(first, model.coefs_[0].ravel())
    # No plotly on the first screen: the charts live in the tabs.
    assert not at.get("plotly_chart")


def test_link_architecture_count_is_the_fitted_arrays_size(open_page):
    at = open_page(PAGE, hidden_layer_sizes="16", dataset="breast_cancer")
    cancer = load_dataset("breast_cancer", "classification")
    model = _fit(cancer, hidden_layer_sizes=(16,)).model
    size = sum(w.size for w in model.coefs_) + sum(b.size for b in model.intercepts_)
    assert size == 30 * 16 + 16 + 16 * 1 + 1
    assert _metric(at, "Learned parameters") == f"{size:,}"
    assert any(f"`30·16+16 + 16·1+1 = {size}`" in m for m in _texts(at.markdown))
    decides = next(m for m in _texts(at.markdown) if m.startswith("- **Sets the count:**"))
    assert "30 inputs" in decides and "1 output unit for the 2 classes" in decides


def test_another_seed_changes_the_weights_not_the_count(open_page, iris):
    default = _learned_values(open_page(PAGE))
    at = open_page(PAGE, random_state="1")
    other = _learned_values(at)
    assert _metric(at, "Learned parameters") == "91" and len(other) == len(default) == 91
    assert not np.allclose(other["value"], default["value"])
    expected = _fit(iris, random_state=1).model
    got = other[other["group"] == "coefs_[1]"]["value"].to_numpy()
    np.testing.assert_array_equal(got, expected.coefs_[1].ravel())


def test_non_converging_setting_gives_a_sentence_beside_the_parameters(open_page):
    at = open_page(PAGE, max_iter="15")
    warnings = _texts(at.warning)
    stop = [w for w in warnings if w.startswith("Training stopped at max_iter = 15 epochs")]
    # Once beside the parameters and once in the interpretation, in the user's numbers.
    assert len(stop) == 2 and "The training loss fell from" in stop[0]
    assert all("Traceback" not in w for w in warnings)
    assert _metric(at, "Learned parameters") == "91"


def test_oversized_link_is_refused_with_a_message(open_page):
    at = open_page(PAGE, hidden_layer_sizes="512,512,512,512,512", max_iter="100000")
    errors = _texts(at.error)
    assert any(
        "hidden layers 512,512,512,512,512 on 112 rows could take about" in e for e in errors
    )
    assert any("max_iter='100000' was ignored" in w for w in _texts(at.warning))
    assert not [m for m in at.metric if m.label == "Learned parameters"]


# --- Network --------------------------------------------------------------------------------
def test_network_view_diagram_edges_carry_the_fitted_weights(open_page, iris_fit):
    at = open_page(PAGE, view="Network")
    model = iris_fit.model
    spec = _chart(at, "coefs_[0]")
    for i, W in enumerate(model.coefs_):
        rows = np.array(_decode(_trace(spec, f"coefs_[{i}]")["customdata"]), dtype=object)
        assert len(rows) == W.size
        weights = rows[:, 2].astype(float)
        np.testing.assert_array_equal(weights, W[rows[:, 3].astype(int), rows[:, 4].astype(int)])
    output = _trace(spec, "output")
    assert [r[0] for r in output["customdata"]] == ["setosa", "versicolor", "virginica"]
    assert any("All 76 weights drawn" in c for c in _texts(at.caption))
    heatmap = json.loads(at.get("plotly_chart")[1].proto.spec)["data"][0]
    assert (heatmap["type"], heatmap["name"]) == ("heatmap", "coefs_[0]")
    np.testing.assert_array_equal(np.asarray(_decode(heatmap["z"]), dtype=float), model.coefs_[0])


def test_network_view_says_how_many_weaker_edges_it_hides(open_page):
    at = open_page(PAGE, view="Network", hidden_layer_sizes="60,40", max_iter="20")
    # 4×60 and 60×40 weights are over the 150 drawn per matrix; 40×3 are all drawn.
    hidden = (240 - 150) + (2400 - 150)
    assert any(f"{hidden:,} weaker edges hidden" in c for c in _texts(at.caption))
    at.radio(key="nn_edges").set_value(2400).run()
    assert any("All 2,760 weights drawn" in c for c in _texts(at.caption))


# --- Epochs ---------------------------------------------------------------------------------
def test_epochs_view_at_epoch_k_shows_the_scores_of_fit_with_max_iter_k(open_page, iris):
    at = run_if_asked(open_page(PAGE, view="Epochs"))
    assert at.select_slider(key="epoch").value == _fit(iris).model.n_iter_  # starts at the end
    at.select_slider(key="epoch").set_value(40).run()
    assert not at.exception
    scores = _frame(at, "final model, test")
    expected = _fit(iris, max_iter=40).metrics
    pd.testing.assert_series_equal(scores["train"], expected["train"], check_names=False)
    pd.testing.assert_series_equal(scores["test"], expected["test"], check_names=False)
    assert any(
        "exactly the network that MLPClassifier(max_iter=40)" in c for c in _texts(at.caption)
    )
    curve = _chart(at, "epoch")
    assert list(_decode(_trace(curve, "epoch")["x"])) == [40, 40]
    # The diagram shows the weights after epoch 40: those of fit(max_iter=40).
    early = _fit(iris, max_iter=40).model
    rows = np.array(_trace(_chart(at, "coefs_[1]"), "coefs_[1]")["customdata"], dtype=object)
    np.testing.assert_array_equal(
        rows[:, 2].astype(float), early.coefs_[1][rows[:, 3].astype(int), rows[:, 4].astype(int)]
    )


def test_epochs_view_draws_the_two_feature_surface_at_that_epoch(open_page):
    moons = load_dataset("moons", "classification")
    at = run_if_asked(
        open_page(PAGE, view="Epochs", dataset="moons", hidden_layer_sizes="6", max_iter="30")
    )
    at.select_slider(key="epoch").set_value(12).run()
    spec = _chart(at, "probability")
    assert spec["layout"]["title"]["text"] == "epoch 12"
    z = np.asarray(_decode(_trace(spec, "probability")["z"]), dtype=float)
    early = _fit(moons, hidden_layer_sizes=(6,), max_iter=12)
    x = np.asarray(_decode(_trace(spec, "probability")["x"]), dtype=float)
    y = np.asarray(_decode(_trace(spec, "probability")["y"]), dtype=float)
    grid = pd.DataFrame(
        {moons.X.columns[0]: np.tile(x, len(y)), moons.X.columns[1]: np.repeat(y, len(x))}
    )
    expected = early.pipeline.predict_proba(grid)[:, 1].reshape(len(y), len(x))
    np.testing.assert_allclose(z.reshape(len(y), len(x)), expected, atol=1e-12)


def test_epochs_view_says_when_early_stopping_restored_an_earlier_epoch(open_page, iris):
    at = run_if_asked(open_page(PAGE, view="Epochs", early_stopping="true"))
    model = _fit(iris, early_stopping=True).model
    scores = np.asarray(model.validation_scores_)
    best = int(np.argmax(scores)) + 1  # the first best: scikit-learn's restored epoch
    assert best < model.n_iter_
    assert at.select_slider(key="epoch").value == best
    caption = next(c for c in _texts(at.caption) if "Early stopping ran" in c)
    assert f"ran {model.n_iter_} epochs and then restored epoch {best}" in caption
    assert _trace(_chart(at, "restored epoch"), "restored epoch")


def test_lbfgs_has_no_epochs_and_says_so(open_page):
    at = open_page(PAGE, view="Epochs", solver="lbfgs")
    assert any("lbfgs has no epochs" in i for i in _texts(at.info))
    assert not at.get("plotly_chart")


# --- Seeds ----------------------------------------------------------------------------------
def test_seeds_link_opens_the_tab_and_refits_on_a_click(open_page, iris):
    at = open_page(PAGE, view="Seeds")
    seeds_tab = next(t for t in at.tabs if t.label == "Seeds")
    button = next(b for b in seeds_tab.button if b.label.startswith("Refit with random_state"))
    assert not at.get("plotly_chart")  # nothing refitted before the click
    button.click().run()
    assert not at.exception
    table = _frame(at, "units_moved")
    assert table["random_state"].tolist() == [0, 1, 2, 3, 4]
    assert set(table["n_parameters"]) == {91}
    assert (table["agreement"] >= 0.8).all()
    said = " ".join(_texts(at.markdown))
    assert "Every seed learns 91 parameters" in said
    least = table["agreement"].iloc[1:].min()
    share = "every one of the test rows" if least == 1 else f"{least:.0%} or more of the test rows"
    assert f"agree with random_state = 0's on {share}" in said
    other = _fit(iris, random_state=2).model
    spec = _chart(at, "random_state=2")
    z = np.asarray(_decode(_trace(spec, "random_state=2")["z"]), dtype=float)
    np.testing.assert_array_equal(z, other.coefs_[0])
    assert not np.allclose(z, np.asarray(_decode(_trace(spec, "random_state=0")["z"])))
    # Make another seed current: the page refits with it, same count.
    at.selectbox(key="nn_seed_pick").set_value(2).run()
    at.button(key="nn_seed_use").click().run()
    assert at.number_input(key="random_state").value == 2
    assert _metric(at, "Learned parameters") == "91"


# --- Capacity -------------------------------------------------------------------------------
def test_capacity_view_sweeps_width_and_alpha_and_makes_a_value_current(open_page, iris):
    at = run_if_asked(open_page(PAGE, view="Capacity"))
    norms = next(
        spec
        for spec in (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
        if any(str(t.get("name", "")).startswith("coefs_") for t in spec["data"])
    )
    groups = [t for t in norms["data"] if t["name"].startswith("coefs_")]
    assert len(groups) == 3
    first = _decode(groups[0]["y"])
    assert first[0] > first[-1]  # the penalty shrinks the first layer's weights
    refit = _fit(iris, alpha=1.0).model
    alphas = list(_decode(groups[0]["x"]))
    assert first[alphas.index(1.0)] == pytest.approx(np.linalg.norm(refit.coefs_[0]))
    # the width curve's estimate (every fit at max_iter epochs) asks first: run_if_asked
    # clicked it
    assert not at.exception
    curve = _chart(at, "cross-validated")
    assert list(_decode(_trace(curve, "cross-validated")["x"])) == [1, 2, 4, 8, 16, 32, 64]
    at.select_slider(key="nn_width_pick").set_value(16).run()
    at.button(key="nn_width_use").click().run()
    assert at.text_input(key="hidden_layer_sizes").value == "16,4"
    assert _metric(at, "Learned parameters") == f"{4 * 16 + 16 + 16 * 4 + 4 + 4 * 3 + 3}"
    at.select_slider(key="nn_alpha_pick").set_value(1.0).run()
    at.button(key="nn_alpha_use").click().run()
    assert at.number_input(key="alpha").value == 1.0


# --- Reproduce ------------------------------------------------------------------------------
def test_parameters_csv_names_each_weights_layer_and_units(open_page, downloads, iris_fit):
    open_page(PAGE, view="Reproduce")
    csv = pd.read_csv(io.BytesIO(downloads["neural_network_iris_parameters.csv"]))
    assert len(csv) == 91 and {"group", "from", "to"} <= set(csv.columns)
    weights = csv[csv["group"] == "coefs_[1]"]
    W = iris_fit.model.coefs_[1]
    row = weights[(weights["from"] == "h1_3") & (weights["to"] == "h2_2")]
    assert row["value_fitted"].item() == W[2, 1]
    biases = csv[csv["group"] == "intercepts_[0]"]
    assert biases["to"].tolist() == [f"h1_{j} (bias)" for j in range(1, 9)]
    np.testing.assert_array_equal(biases["value_fitted"], iris_fit.model.intercepts_[0])


def test_lbfgs_hides_the_knobs_it_does_not_read(open_page):
    """lbfgs steps on the whole training set: no step size, batch or early stopping."""
    at = open_page(PAGE)
    assert "learning_rate_init" in {w.key for w in at.number_input}
    at.selectbox(key="solver").set_value("lbfgs").run()
    assert not at.exception
    assert "learning_rate_init" not in {w.key for w in at.number_input}
    assert "batch_size" not in {w.key for w in at.selectbox}
    assert "early_stopping" not in {w.key for w in at.checkbox}
    note = next(c.value for c in at.caption if "Not shown" in c.value)
    for name in ("learning\\_rate\\_init", "batch\\_size", "early\\_stopping"):
        assert name in note


def test_the_default_networks_dead_units_are_counted_and_explained(open_page, iris, iris_fit):
    """Dead ReLU units recomputed from coefs_ and intercepts_ on the page's training rows:
    a hidden unit is dead when its pre-activation is <= 0 on every row."""
    at = open_page(PAGE)
    prep = iris_fit.pipeline[:-1]
    a = np.asarray(prep.transform(iris.X.iloc[iris_fit.split.train]), dtype=float)
    model, dead, hidden = iris_fit.model, 0, 0
    for W, b in zip(model.coefs_[:-1], model.intercepts_[:-1], strict=True):
        z = a @ W + b
        dead += int((z <= 0).all(axis=0).sum())
        hidden += W.shape[1]
        a = np.maximum(z, 0)
    captions = _texts(at.caption)
    if dead:
        line = next(c for c in captions if "hidden ReLU units are dead" in c)
        assert line.startswith(f"{dead} of {hidden} hidden ReLU units are dead")
        assert "no update reaches it again" in line
    else:
        assert f"Every one of the {hidden} hidden ReLU units is active" in " ".join(captions)
