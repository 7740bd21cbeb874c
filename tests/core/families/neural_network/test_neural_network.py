"""The neural-network family: specs, extraction, counting, epoch snapshots, seeds, sweeps,
interpretation and figures, checked against scikit-learn's own fits."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from core.data.prepare import load_dataset
from core.families.neural_network import epoch_figures, figures, refit_figures
from core.families.neural_network import epochs as network_epochs
from core.families.neural_network import layers as network
from core.families.neural_network import refits as network_refits
from core.families.neural_network import surface as network_surface
from core.families.neural_network.family import FAMILY, network_layout, resolve_mlp, restored_epoch
from core.fitting import fit_model, recorded_warnings
from core.setting import Setting

START = {p.name: p.initial for p in FAMILY.hyperparameters}


def setting_of(fit, dataset, split):
    """The Setting of a test's fit (its resolved values, the data set, the split)."""
    return Setting.on(dataset, fit.family_id, fit.estimator_id, fit.hyperparameters, **split)


@pytest.fixture(scope="module")
def iris():
    return load_dataset("iris", "classification")


@pytest.fixture(scope="module")
def cancer():
    return load_dataset("breast_cancer", "classification")


@pytest.fixture(scope="module")
def diabetes():
    return load_dataset("diabetes", "regression")


@pytest.fixture(scope="module")
def moons():
    return load_dataset("moons", "classification")


#: fit_model's default fit settings, which the fixtures use, for the sweeps that refit them.
SETTINGS = {"scale": True, "test_size": 0.25, "seed": 0}


@pytest.fixture(scope="module")
def iris_fit(iris):
    return fit_model(FAMILY, "mlp_classifier", START, iris)


def _fit(dataset, **changes):
    estimator = "mlp_classifier" if dataset.task == "classification" else "mlp_regressor"
    return fit_model(FAMILY, estimator, {**START, **changes}, dataset)


def _scaled_iris(iris):
    return StandardScaler().fit_transform(iris.X), iris.y.to_numpy()


def _plain_fit(estimator_class, X, y, **params):
    with recorded_warnings():
        return estimator_class(**params).fit(X, y)


def _assert_same_weights(coefs, intercepts, model, atol=1e-12):
    assert len(coefs) == len(model.coefs_)
    for a, b in zip([*coefs, *intercepts], [*model.coefs_, *model.intercepts_], strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=atol)


# --- the spec -------------------------------------------------------------------------------
def test_family_spec_fields_and_estimators():
    assert (FAMILY.id, FAMILY.title, FAMILY.icon) == (
        "neural_network",
        "Neural network",
        ":material/hub:",
    )
    assert FAMILY.tasks == ("classification", "regression")
    assert FAMILY.default_dataset == "iris" and FAMILY.resampled_terms is None
    assert [(e.id, e.estimator, e.task) for e in FAMILY.estimators] == [
        ("mlp_classifier", MLPClassifier, "classification"),
        ("mlp_regressor", MLPRegressor, "regression"),
    ]
    assert FAMILY.estimators_for("regression")[0].id == "mlp_regressor"
    assert {p.role for p in FAMILY.hyperparameters} <= {"model", "optimizer"}
    roles = {p.name: p.role for p in FAMILY.hyperparameters}
    assert roles["hidden_layer_sizes"] == roles["activation"] == roles["alpha"] == "model"
    assert roles["solver"] == roles["learning_rate_init"] == roles["batch_size"] == "optimizer"


@pytest.mark.parametrize("estimator", FAMILY.estimators, ids=lambda e: e.id)
def test_defaults_are_scikit_learns_and_page_starts_resolve_to_valid_kwargs(estimator):
    sk_defaults = estimator.estimator().get_params()
    for spec in FAMILY.hyperparameters_for(estimator.id):
        assert sk_defaults[spec.name] == spec.default, spec.name
        assert spec.validate(spec.format(spec.initial)) == spec.initial, spec.name
    made = estimator.make(START).get_params()
    assert made["hidden_layer_sizes"] == (8, 4) and made["random_state"] == 0
    assert made["batch_size"] == "auto" and made["max_iter"] == 500


def test_resolve_maps_page_values_to_scikit_learn_values():
    out = resolve_mlp({"hidden_layer_sizes": [8.0, 4], "batch_size": None, "alpha": 0.1})
    assert out == {"hidden_layer_sizes": (8, 4), "batch_size": "auto", "alpha": 0.1}
    spec = {p.name: p for p in FAMILY.hyperparameters}
    assert spec["batch_size"].validate("32") == 32
    with pytest.raises(ValueError, match="1 to 512"):
        spec["hidden_layer_sizes"].validate("8,513")
    with pytest.raises(ValueError, match="above the maximum"):
        spec["max_iter"].validate("100000")


# --- counting -------------------------------------------------------------------------------
def test_count_formula_for_iris_with_layers_8_4(iris_fit):
    table, formula = network.parameter_count_table(network.layer_units(iris_fit.model))
    assert formula == "4·8+8 + 8·4+4 + 4·3+3 = 91"
    assert table["parameters"].tolist() == [40, 36, 15]
    assert table["layer"].tolist() == [
        "input → hidden 1",
        "hidden 1 → hidden 2",
        "hidden 2 → output",
    ]


@pytest.mark.parametrize(
    ("name", "layers", "output"),
    [
        ("iris", (8, 4), 3),
        ("iris", (5,), 3),
        ("cancer", (7, 3, 2), 1),
        ("cancer", (16,), 1),
        ("diabetes", (6, 6), 1),
    ],
)
def test_count_equals_the_fitted_arrays_size(request, name, layers, output):
    dataset = request.getfixturevalue(name)
    fit = _fit(dataset, hidden_layer_sizes=layers, max_iter=20)
    n_classes = dataset.y.nunique() if dataset.task == "classification" else 0
    planned = network.planned_layer_units(dataset.X.shape[1], layers, dataset.task, n_classes)
    assert planned == network.layer_units(fit.model) and planned[-1] == output
    table, formula = network.parameter_count_table(planned)
    size = sum(w.size for w in fit.model.coefs_) + sum(b.size for b in fit.model.intercepts_)
    assert table["parameters"].sum() == size == FAMILY.extract(fit).n_parameters
    assert formula.endswith(f"= {size:,}")


# --- extraction and script ------------------------------------------------------------------
def test_extract_groups_hold_the_fitted_arrays_with_unit_labels(iris_fit, iris):
    learned = FAMILY.extract(iris_fit)
    model = iris_fit.model
    assert [g.name for g in learned.groups] == [
        "coefs_[0]", "intercepts_[0]", "coefs_[1]", "intercepts_[1]", "coefs_[2]",
        "intercepts_[2]",
    ]  # fmt: skip
    assert learned.group("coefs_[0]").label == "weights, input → hidden 1"
    for i in range(3):
        np.testing.assert_array_equal(learned.group(f"coefs_[{i}]").values, model.coefs_[i])
        np.testing.assert_array_equal(
            learned.group(f"intercepts_[{i}]").values, model.intercepts_[i]
        )
    first = learned.group("coefs_[0]")
    assert first.axes[0] == tuple(iris.X.columns)
    assert first.axes[1] == tuple(f"h1_{j}" for j in range(1, 9))
    assert learned.group("coefs_[2]").axes == (
        tuple(f"h2_{j}" for j in range(1, 5)),
        ("setosa", "versicolor", "virginica"),
    )
    assert any("cannot be converted back to raw units" in n for n in learned.notes)


def test_binary_output_unit_is_labelled_with_the_positive_class(cancer):
    fit = _fit(cancer, max_iter=20)
    output = FAMILY.extract(fit).group("coefs_[2]")
    assert output.shape == (4, 1)
    assert output.axes[1] == (str(fit.model.classes_[1]),) == ("malignant",)
    # The one logistic unit gives that class's probability.
    X, _ = network.model_inputs(fit, cancer)
    hidden = network.hidden_activations(fit.model, X)[-1]
    logit = hidden @ fit.model.coefs_[-1] + fit.model.intercepts_[-1]
    np.testing.assert_allclose(
        1 / (1 + np.exp(-logit[:, 0])), fit.model.predict_proba(X)[:, 1], atol=1e-12
    )


def test_regression_output_is_labelled_with_the_target(diabetes):
    fit = _fit(diabetes, max_iter=10)
    group = FAMILY.extract(fit).group("coefs_[2]")
    assert group.axes[1] == (diabetes.target,)


@pytest.mark.parametrize("name", ["iris", "diabetes"])
def test_script_lines_reproduce_value_fitted(request, name):
    dataset = request.getfixturevalue(name)
    fit = _fit(dataset, max_iter=15)
    scope = {
        "pipeline": fit.pipeline,
        "model": fit.pipeline.named_steps["model"],
        "SCALE": True,
        "feature_names": list(fit.feature_names),
    }
    exec(FAMILY.script_parameters, scope)
    table = FAMILY.extract(fit).table()
    for group, rows in table.groupby("group", sort=False):
        flat = np.ravel(np.asarray(scope["learned"][group], dtype=float))
        np.testing.assert_array_equal(flat, rows["value_fitted"].to_numpy())


# --- epoch snapshots ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("estimator_class", "params"),
    [
        (MLPClassifier, {"solver": "adam"}),
        (MLPClassifier, {"solver": "sgd", "momentum": 0.9, "learning_rate_init": 0.05}),
        (MLPRegressor, {"solver": "adam", "learning_rate_init": 0.05}),
        (MLPRegressor, {"solver": "sgd", "momentum": 0.9, "nesterovs_momentum": False}),
    ],
    ids=["classifier-adam", "classifier-sgd-momentum", "regressor-adam", "regressor-sgd"],
)
def test_snapshot_at_epoch_k_is_fit_with_max_iter_k(iris, diabetes, estimator_class, params):
    if estimator_class is MLPClassifier:
        X, y = _scaled_iris(iris)
    else:
        X = StandardScaler().fit_transform(diabetes.X)
        y = diabetes.y.to_numpy() / 100  # a target of order 1 keeps sgd stable
    settings = {"hidden_layer_sizes": (6, 3), "random_state": 3, "batch_size": 32, **params}
    trace, model = network_epochs.trace_estimator(estimator_class(max_iter=25, **settings), X, y)
    assert trace.n_epochs == 25 and trace.stride == 1
    np.testing.assert_array_equal(trace.epochs, np.arange(26))
    for k in (1, 2, 9, 25):
        plain = _plain_fit(estimator_class, X, y, max_iter=k, **settings)
        _assert_same_weights(*trace.weights_at(k), plain)
    final = _plain_fit(estimator_class, X, y, max_iter=25, **settings)
    _assert_same_weights(*trace.weights_at(25), final)
    _assert_same_weights(model.coefs_, model.intercepts_, final, atol=0)
    np.testing.assert_array_equal(trace.loss_curve, final.loss_curve_)
    # Epoch 0 is the Glorot-uniform start, within ±sqrt(6 / (fan_in + fan_out)).
    for W in trace.weights_at(0)[0]:
        assert np.abs(W).max() <= math.sqrt(6 / sum(W.shape))


def test_partial_fit_is_not_the_same_training_run(iris):
    """Why a recording subclass: three partial_fit epochs differ from fit(max_iter=3)."""
    X, y = _scaled_iris(iris)
    settings = {"hidden_layer_sizes": (6,), "random_state": 0, "batch_size": 32}
    stepped = MLPClassifier(**settings)
    for _ in range(3):
        stepped.partial_fit(X, y, classes=np.unique(y))
    plain = _plain_fit(MLPClassifier, X, y, max_iter=3, **settings)
    assert not np.allclose(stepped.coefs_[0], plain.coefs_[0])


def test_trace_stops_where_fit_stops_and_matches_the_page_fit(iris, iris_fit):
    trace = network_epochs.epoch_trace(iris_fit, iris)
    assert trace.matches_fit is True
    assert trace.n_epochs == iris_fit.model.n_iter_ < 500  # stopped by tol, not max_iter
    _assert_same_weights(*trace.weights_at(trace.n_epochs), iris_fit.model, atol=0)
    assert trace.restored_epoch is None and trace.validation_scores is None


def test_early_stopping_restores_the_best_epoch_and_fit_k_returns_best_so_far(iris):
    X, y = _scaled_iris(iris)
    settings = {
        "hidden_layer_sizes": (5,),
        "random_state": 1,
        "early_stopping": True,
        "learning_rate_init": 0.02,
        "n_iter_no_change": 15,
    }
    trace, model = network_epochs.trace_estimator(MLPClassifier(max_iter=300, **settings), X, y)
    assert trace.restored_epoch == restored_epoch(model.validation_scores_)
    assert 0 < trace.restored_epoch < trace.n_epochs
    _assert_same_weights(*trace.weights_at(trace.restored_epoch), model, atol=0)
    last = trace.weights_at(trace.n_epochs)[0]
    assert not np.allclose(last[0], model.coefs_[0])  # the final model is not the last epoch
    for k in (3, trace.restored_epoch + 4):
        plain = _plain_fit(MLPClassifier, X, y, max_iter=k, **settings)
        _assert_same_weights(*trace.weights_at(int(trace.best_so_far[k])), plain)
    table = trace.table()
    assert table.loc[table["restored"], "epoch"].tolist() == [trace.restored_epoch]
    np.testing.assert_array_equal(table["validation_score"], model.validation_scores_)


def test_memory_bound_thins_snapshots_but_keeps_exact_ones(iris):
    X, y = _scaled_iris(iris)
    settings = {"hidden_layer_sizes": (4,), "random_state": 0, "tol": 0.0}
    trace, _ = network_epochs.trace_estimator(MLPClassifier(max_iter=40, **settings), X, y,
                                       max_snapshots=8)  # fmt: skip
    assert trace.stride == 8 and len(trace.epochs) <= 9
    assert trace.epochs[0] == 0 and trace.epochs[-1] == 40
    assert set(trace.epochs) == {0, 8, 16, 24, 32, 40}
    plain = _plain_fit(MLPClassifier, X, y, max_iter=24, **settings)
    _assert_same_weights(*trace.weights_at(24), plain)
    assert trace.nearest_epoch(21) == 24
    with pytest.raises(KeyError, match="nearest is 16"):
        trace.weights_at(15)


def test_lbfgs_has_no_epoch_trace(iris):
    reason = network_epochs.epoch_trace_unavailable({"solver": "lbfgs"})
    assert "lbfgs has no epochs" in reason
    assert network_epochs.epoch_trace_unavailable({"solver": "sgd"}) is None
    X, y = _scaled_iris(iris)
    with pytest.raises(ValueError, match="no per-epoch trace"):
        network_epochs.trace_estimator(MLPClassifier(solver="lbfgs"), X, y)


def test_snapshot_pipeline_predicts_like_fit_with_max_iter_k_and_leaves_the_fit_alone(moons):
    fit = _fit(moons, hidden_layer_sizes=(6,), max_iter=40)
    before = [w.copy() for w in fit.model.coefs_]
    trace = network_epochs.epoch_trace(fit, moons)
    surface = network_surface.prediction_surface(fit, moons, trace, epoch=12, n_grid=30)
    early = _fit(moons, hidden_layer_sizes=(6,), max_iter=12)
    grid = pd.DataFrame(
        {
            moons.X.columns[0]: np.tile(surface.x, len(surface.y)),
            moons.X.columns[1]: np.repeat(surface.y, len(surface.x)),
        }
    )
    expected = early.pipeline.predict_proba(grid).reshape(30, 30, 2)
    np.testing.assert_allclose(surface.values, expected, atol=1e-12)
    fig = epoch_figures.surface_figure(surface)
    np.testing.assert_allclose(np.asarray(fig.data[0].z), expected[:, :, 1], atol=1e-12)
    assert fig.layout.title.text == "epoch 12"
    for a, b in zip(before, fit.model.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="exactly two features"):
        network_surface.prediction_surface(fit, load_dataset("iris", "classification"))


def test_snapshot_scores_match_the_epoch_models(moons):
    fit = _fit(moons, hidden_layer_sizes=(6,), max_iter=30)
    trace = network_epochs.epoch_trace(fit, moons)
    scores = network_epochs.snapshot_scores(fit, moons, trace, max_points=4)
    assert scores["epoch"].tolist() == [0, 10, 20, 30]
    early = _fit(moons, hidden_layer_sizes=(6,), max_iter=20)
    row = scores.set_index("epoch").loc[20]
    assert row["test_score"] == pytest.approx(early.metrics.loc["accuracy", "test"])
    assert row["test_loss"] == pytest.approx(early.metrics.loc["log loss", "test"], abs=1e-12)


# --- hidden units ---------------------------------------------------------------------------
def test_permuting_hidden_units_changes_weights_not_predictions(iris_fit, iris):
    model = iris_fit.model
    order = np.array([3, 0, 7, 1, 6, 2, 5, 4])
    twin = network_refits.permute_hidden_units(model, 1, order)
    X, _ = network.model_inputs(iris_fit, iris)
    np.testing.assert_allclose(twin.predict_proba(X), model.predict_proba(X), atol=1e-12)
    assert not np.allclose(twin.coefs_[0], model.coefs_[0])
    found, corr = network_refits.match_hidden_units(model, twin, 1)
    np.testing.assert_array_equal(found, np.argsort(order))
    np.testing.assert_allclose(corr, 1.0)


def test_dead_and_saturated_units_are_found_and_named(iris_fit, iris):
    model = iris_fit.model
    intercepts = [b.copy() for b in model.intercepts_]
    intercepts[0][2] = -1e3  # h1_3 can never switch on for standardised inputs
    dead = network.model_with_weights(model, model.coefs_, intercepts)
    X, _ = network.model_inputs(iris_fit, iris)
    health = network.unit_health_table(dead, X)
    first, second = health[health["layer"] == 1], health[health["layer"] == 2]
    assert first.loc[first["dead"], "unit"].tolist() == ["h1_3"]
    z1 = X @ model.coefs_[0] + intercepts[0]
    np.testing.assert_allclose(first["active_share"], (z1 > 0).mean(axis=0))
    z2 = np.maximum(z1, 0) @ model.coefs_[1] + model.intercepts_[1]
    np.testing.assert_array_equal(second["dead"], (z2 <= 0).all(axis=0))
    pipeline = Pipeline([*iris_fit.pipeline.steps[:-1], ("model", dead)])
    fit = dataclasses.replace(iris_fit, pipeline=pipeline)
    text = [s.text for s in FAMILY.interpret(fit, iris, FAMILY.extract(fit))]
    assert any(t.startswith("1 of 8 ReLU units in hidden layer 1 (h1_3)") for t in text)

    tanh = _fit(iris, activation="tanh", max_iter=30)
    coefs = [w.copy() for w in tanh.model.coefs_]
    coefs[0][:, 0] *= 1e3  # h1_1's sum is huge in size on almost every row
    saturated = network.model_with_weights(tanh.model, coefs, tanh.model.intercepts_)
    health = network.unit_health_table(saturated, X)
    assert "h1_1" in health.loc[health["saturated"], "unit"].tolist()
    fit = dataclasses.replace(
        tanh, pipeline=Pipeline([*tanh.pipeline.steps[:-1], ("model", saturated)])
    )
    text = " ".join(s.text for s in FAMILY.interpret(fit, iris, FAMILY.extract(fit)))
    assert "tanh units in hidden layer 1 (h1_1" in text and "saturated" in text


# --- interpretation -------------------------------------------------------------------------
def test_interpretation_uses_the_users_numbers(iris_fit, iris):
    sentences = FAMILY.interpret(iris_fit, iris, FAMILY.extract(iris_fit))
    text = " ".join(s.text for s in sentences)
    assert "91 parameters (4·8+8 + 8·4+4 + 4·3+3 = 91" in text
    assert "112 training rows" in text
    assert f"Training stopped after {iris_fit.model.n_iter_} of at most 500 epochs" in text
    W = iris_fit.model.coefs_[0]
    i, j = np.unravel_index(np.argmax(np.abs(W)), W.shape)
    assert f"= {W[i, j]:.3g}, is not a coefficient of {iris.X.columns[i]}" in text
    assert "refers to no feature at all" in text


def test_convergence_warning_becomes_one_sentence_not_a_dump(iris):
    fit = _fit(iris, max_iter=15)
    assert any("ConvergenceWarning" in w for w in fit.warnings)
    sentences = FAMILY.interpret(fit, iris, FAMILY.extract(fit))
    stop = [s for s in sentences if "max_iter = 15" in s.text]
    assert len(stop) == 1 and stop[0].level == "warning"
    assert "loss fell from" in stop[0].text
    assert not any("ConvergenceWarning" in s.text for s in sentences)


def test_early_stopping_sentence_names_the_restored_epoch(iris):
    fit = _fit(iris, early_stopping=True)
    best = restored_epoch(fit.model.validation_scores_)
    text = " ".join(s.text for s in FAMILY.interpret(fit, iris, FAMILY.extract(fit)))
    assert f"at epoch {best}" in text and "held out 12 of the 112 training rows" in text
    if best < fit.model.n_iter_:
        assert f"holds epoch {best}'s weights, not epoch {fit.model.n_iter_}'s" in text


def test_identity_activation_and_unseeded_fit_sentences(diabetes):
    fit = _fit(diabetes, activation="identity", random_state=None, max_iter=30)
    text = " ".join(s.text for s in FAMILY.interpret(fit, diabetes, FAMILY.extract(fit)))
    assert "express no more than the 11 coefficients" in text
    assert "random_state is none" in text
    assert "does not standardise the target" in text


def test_batch_size_above_the_rows_becomes_a_sentence(iris):
    fit = _fit(iris, batch_size=256, max_iter=50)
    sentences = network.warning_sentences(fit.warnings, fit.hyperparameters, 112)
    assert [s.text for s in sentences if "batch_size" in s.text] == [
        "batch_size = 256 is larger than the 112 rows trained on, so scikit-learn used "
        "batches of 112 (the whole training set in every step)."
    ]


# --- seeds and sweeps -----------------------------------------------------------------------
def test_seed_variability_against_independent_refits(iris_fit, iris):
    result = network_refits.seed_variability(iris_fit, iris, seeds=(0, 1, 2))
    table = result.table.set_index("random_state")
    assert table["n_parameters"].tolist() == [91, 91, 91]
    assert table.loc[0, "agreement"] == 1 and table.loc[0, "max_prediction_difference"] == 0
    assert not np.allclose(result.first_layer[0], result.first_layer[1])
    other = _fit(iris, random_state=1)
    np.testing.assert_array_equal(result.first_layer[1], other.model.coefs_[0])
    X_test = iris.X.iloc[iris_fit.split.test]
    agree = np.mean(other.pipeline.predict(X_test) == iris_fit.pipeline.predict(X_test))
    assert table.loc[1, "agreement"] == pytest.approx(agree)
    diff = np.abs(other.pipeline.predict_proba(X_test) - iris_fit.pipeline.predict_proba(X_test))
    assert table.loc[1, "max_prediction_difference"] == pytest.approx(diff.max())
    norm = math.sqrt(sum((w**2).sum() for w in other.model.coefs_))
    assert table.loc[1, "weight_norm"] == pytest.approx(norm)
    assert table.loc[1, "test_score"] == pytest.approx(other.metrics.loc["accuracy", "test"])
    order = result.matching.query("random_state == 1")["matched_unit"]
    columns = [int(u.split("_")[1]) - 1 for u in order]
    np.testing.assert_array_equal(result.matched_first_layer[1], other.model.coefs_[0][:, columns])
    fig = refit_figures.seed_weights_figure(result, iris_fit.feature_names, matched=True)
    np.testing.assert_array_equal(np.asarray(fig.data[1].z), result.matched_first_layer[1])
    assert list(fig.data[1].x) == order.tolist()


def test_weight_norm_shrinks_as_alpha_grows(iris_fit, iris):
    table = network_refits.alpha_norm_table(
        iris_fit, iris, setting_of(iris_fit, iris, SETTINGS), alphas=[1e-4, 1.0, 10.0]
    )
    total = table.groupby("alpha")["norm"].apply(lambda n: math.sqrt((n**2).sum()))
    assert total.is_monotonic_decreasing and total.iloc[-1] < 0.5 * total.iloc[0]
    refit = _fit(iris, alpha=1.0)
    got = table[table["alpha"] == 1.0].set_index("group")["norm"]
    for i, W in enumerate(refit.model.coefs_):
        assert got[f"coefs_[{i}]"] == pytest.approx(np.linalg.norm(W))
    fig = refit_figures.alpha_norm_figure(table, current=1e-4)
    assert [t.name for t in fig.data][-1] == "current"


def test_width_values_and_width_curve(iris_fit, iris):
    assert network_refits.width_values((8, 4), [2, 16]) == [(2, 4), (16, 4)]
    assert (8, 4) in network_refits.width_values((8, 4))
    with pytest.raises(ValueError, match="1 to 512"):
        network_refits.width_values((8, 4), [0])
    setting = setting_of(iris_fit, iris, SETTINGS)
    table = network_refits.width_curve_table(iris_fit, iris, setting, widths=[2, 8], cv=3)
    assert table["hidden_layer_sizes"].tolist() == ["2,4", "8,4"]
    assert table["n_parameters"].tolist() == [4 * 2 + 2 + 2 * 4 + 4 + 4 * 3 + 3, 91]
    assert table.attrs["refused"] == {}
    X, y = iris_fit.split.train_rows(iris)
    for row in table.itertuples():
        size = (row.value, 4)
        # by hand, with scikit-learn alone: the same scaler and network, three folds
        params = {**resolve_mlp(iris_fit.hyperparameters), "hidden_layer_sizes": size}
        pipeline = Pipeline([("scale", StandardScaler()), ("model", MLPClassifier(**params))])
        with recorded_warnings():
            scores = cross_val_score(pipeline, X, y, cv=3)
        assert row.cv_mean == pytest.approx(scores.mean(), rel=1e-12)
        assert row.cv_std == pytest.approx(scores.std(), rel=1e-12)
        refit = _fit(iris, hidden_layer_sizes=size)  # the engine's refit on the page's split
        assert row.test == refit.metrics.at["accuracy", "test"]
        assert row.n_parameters == sum(w.size for w in network.parameter_arrays(refit.model))


def test_training_budget_refuses_minutes_of_work(iris, cancer):
    values = {"solver": "adam", "max_iter": 2000, "batch_size": "auto"}
    huge = network.planned_layer_units(30, (512,) * 5, "classification", 2)
    with pytest.raises(ValueError, match="could take about"):
        network.check_training_budget(426, huge, values)
    small = network.planned_layer_units(4, (8, 4), "classification", 3)
    network.check_training_budget(112, small, {**values, "max_iter": 500})
    assert network.estimated_training_seconds(112, small, {**values, "max_iter": 500}) < 1
    assert network.training_budget_error(iris, START) is None
    wide = {**START, "hidden_layer_sizes": (512,) * 5, "max_iter": 2000}
    message = network.training_budget_error(cancer, wide)
    assert "hidden layers 512,512,512,512,512 on 426 rows" in message
    lbfgs = {**START, "solver": "lbfgs", "hidden_layer_sizes": (256, 256), "max_iter": 2000}
    assert "could take about" in network.training_budget_error(cancer, lbfgs)


# --- figures --------------------------------------------------------------------------------
def test_network_diagram_carries_the_exact_weights_and_biases(iris_fit):
    layout = network_layout(iris_fit)
    model = iris_fit.model
    fig, hidden = figures.network_diagram_figure(model.coefs_, model.intercepts_, layout.labels)
    assert hidden == 0
    for i, W in enumerate(model.coefs_):
        edges = next(t for t in fig.data if t.name == f"coefs_[{i}]")
        rows = np.array(edges.customdata, dtype=object)
        assert len(rows) == W.size
        np.testing.assert_array_equal(
            rows[:, 2].astype(float), W[rows[:, 3].astype(int), rows[:, 4].astype(int)]
        )
        assert rows[0, 0] in layout.labels[i] and rows[0, 1] in layout.labels[i + 1]
    output = next(t for t in fig.data if t.name == "output")
    assert [r[0] for r in output.customdata] == ["setosa", "versicolor", "virginica"]
    np.testing.assert_array_equal([r[1] for r in output.customdata], model.intercepts_[-1])


def test_network_diagram_draws_only_the_strongest_edges_of_a_wide_layer(iris):
    fit = _fit(iris, hidden_layer_sizes=(60, 40), max_iter=5)
    layout = network_layout(fit)
    fig, hidden = figures.network_diagram_figure(
        fit.model.coefs_, fit.model.intercepts_, layout.labels, max_edges=150
    )
    sizes = [W.size for W in fit.model.coefs_]  # 240, 2400, 120
    assert hidden == (240 - 150) + (2400 - 150) + 0
    middle = np.array(next(t for t in fig.data if t.name == "coefs_[1]").customdata, dtype=object)
    drawn = np.abs(middle[:, 2].astype(float))
    threshold = np.sort(np.abs(fit.model.coefs_[1]).ravel())[-150]
    assert len(drawn) == 150 and drawn.min() >= threshold and sum(sizes) == 2760


def test_heatmap_distribution_and_training_curve_figures(iris_fit, iris):
    layout = network_layout(iris_fit)
    model = iris_fit.model
    fig = figures.weight_heatmap_figure(model.coefs_, layout.labels)
    assert [t.name for t in fig.data] == ["coefs_[0]", "coefs_[1]", "coefs_[2]"]
    assert [t.visible for t in fig.data] == [True, False, False]
    np.testing.assert_array_equal(np.asarray(fig.data[1].z), model.coefs_[1])
    assert len(fig.layout.updatemenus[0].buttons) == 3
    one = figures.weight_heatmap_figure(model.coefs_, layout.labels, layer=2)
    assert list(one.data[0].x) == ["setosa", "versicolor", "virginica"]
    hist = figures.weight_distribution_figure(model.coefs_, model.intercepts_)
    np.testing.assert_array_equal(np.asarray(hist.data[0].x), model.coefs_[0].ravel())
    trace = network_epochs.epoch_trace(iris_fit, iris)
    curve = epoch_figures.training_curve_figure(trace, epoch=40)
    np.testing.assert_array_equal(np.asarray(curve.data[0].y), model.loss_curve_)
    marker = next(t for t in curve.data if t.name == "epoch")
    assert list(marker.x) == [40, 40]


def test_training_curve_marks_the_restored_epoch(iris):
    fit = _fit(iris, early_stopping=True)
    trace = network_epochs.epoch_trace(fit, iris)
    assert trace.matches_fit is True
    fig = epoch_figures.training_curve_figure(trace, score_name="accuracy")
    star = next(t for t in fig.data if t.name == "restored epoch")
    assert list(star.x) == [restored_epoch(fit.model.validation_scores_)]
    assert "validation accuracy" in [t.name for t in fig.data]


# --- additions for the page: exact epoch scores, layer summary, progress, export axes -------
def test_epoch_metrics_equal_fit_with_max_iter_k(iris, iris_fit):
    trace = network_epochs.epoch_trace(iris_fit, iris)
    for k in (7, 60):
        early = _fit(iris, max_iter=k)
        got = network_epochs.epoch_metrics(iris_fit, iris, trace, k)
        pd.testing.assert_frame_equal(got, early.metrics)


@pytest.mark.parametrize("name", ["iris", "cancer", "diabetes"])
def test_fast_snapshot_scores_equal_scikit_learns_metrics(request, name):
    from sklearn.metrics import log_loss, r2_score

    dataset = request.getfixturevalue(name)
    fit = _fit(dataset, max_iter=12)
    trace = network_epochs.epoch_trace(fit, dataset)
    scores = network_epochs.snapshot_scores(fit, dataset, trace, max_points=4).set_index("epoch")
    X, y = network.model_inputs(fit, dataset, "test")
    for epoch, row in scores.iterrows():
        model = network.model_with_weights(fit.model, *trace.weights_at(epoch))
        if dataset.task == "classification":
            score = np.mean(model.predict(X) == y.to_numpy())
            loss = log_loss(y, model.predict_proba(X), labels=model.classes_)
        else:
            score = r2_score(y, model.predict(X))
            loss = 0.5 * np.mean((y.to_numpy() - model.predict(X)) ** 2)
        assert row["test_score"] == pytest.approx(score, abs=1e-12)
        assert row["test_loss"] == pytest.approx(loss, rel=1e-12)


def test_layer_table_sums_to_the_count_and_counts_dead_units(iris_fit, iris):
    model = iris_fit.model
    intercepts = [b.copy() for b in model.intercepts_]
    intercepts[0][[1, 4]] = -1e3  # h1_2 and h1_5 never switch on
    dead = network.model_with_weights(model, model.coefs_, intercepts)
    X, _ = network.model_inputs(iris_fit, iris)
    table = network.layer_table(dead, network.unit_health_table(dead, X))
    assert table["parameters"].sum() == 91
    assert table["coefs"].tolist() == ["coefs_[0]: 4 × 8", "coefs_[1]: 8 × 4", "coefs_[2]: 4 × 3"]
    assert table.loc[0, "dead"] == 2 and np.isnan(table.loc[2, "dead"])
    assert table.loc[1, "weight_norm"] == pytest.approx(np.linalg.norm(model.coefs_[1]))
    assert table.loc[2, "largest_weight"] == pytest.approx(np.abs(model.coefs_[2]).max())


def test_refit_loops_report_progress(iris_fit, iris):
    calls = []
    network_refits.seed_variability(
        iris_fit, iris, seeds=(0, 1), progress=lambda d, t: calls.append((d, t))
    )
    assert calls == [(1, 2), (2, 2)]
    calls.clear()
    network_refits.alpha_norm_table(
        iris_fit,
        iris,
        setting_of(iris_fit, iris, SETTINGS),
        alphas=[1e-3, 1.0],
        progress=lambda *a: calls.append(a),
    )
    assert calls == [(1, 2), (2, 2)]
    calls.clear()
    table = network_refits.width_curve_table(
        iris_fit,
        iris,
        setting_of(iris_fit, iris, SETTINGS),
        widths=[2, 8],
        progress=lambda *a: calls.append(a),
    )
    assert calls == [(1, 2), (2, 2)] and len(table) == 2


def test_budget_counts_the_optimisers_per_weight_work(iris):
    """Five layers of 512 units on iris's 112 rows: about 50 ms an epoch, so 500 epochs are
    refused (the weight-and-row term alone would have let it through at 18 s)."""
    wide = {**START, "hidden_layer_sizes": (512,) * 5}
    assert "could take about" in network.training_budget_error(iris, wide)
    assert network.training_budget_error(iris, {**START, "hidden_layer_sizes": (64, 64)}) is None


def test_export_table_names_the_from_and_to_units(iris_fit):
    from core.export import parameters_table

    table = parameters_table(FAMILY.extract(iris_fit), FAMILY.id)
    assert {"from", "to"} <= set(table.columns) and "axis_1" not in table.columns
    first = table[table["group"] == "coefs_[0]"]
    assert set(first["from"]) == set(iris_fit.feature_names)
    row = first[(first["from"] == "petal length (cm)") & (first["to"] == "h1_3")]
    assert row["value_fitted"].item() == iris_fit.model.coefs_[0][2, 2]
    bias = table[table["group"] == "intercepts_[2]"]
    assert bias["to"].tolist() == ["setosa (bias)", "versicolor (bias)", "virginica (bias)"]
    assert (bias["from"] == "").all()
    assert len(table) == 91
