"""Sweeps: grids, coefficient paths, validation curves and their figures.

Paths are checked against direct fits at the same penalty; validation curves against
scikit-learn's own ``validation_curve`` (and its path-based CV estimators) on the same folds.
"""

from __future__ import annotations

import ast
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import (
    ElasticNet,
    Lasso,
    LassoCV,
    LinearRegression,
    LogisticRegression,
    LogisticRegressionCV,
    Ridge,
)
from sklearn.model_selection import validation_curve

import core.sweep_diagnosis
import core.sweep_figures
import core.sweep_grids
import core.sweeps
from core.data.prepare import load_dataset, make_dataset
from core.fitting import build_pipeline, fit_model, scaler_shift, split_data
from core.linear.parameters import extract_linear_parameters
from core.linear.path_curve import path_validation_curve_table
from core.linear.path_figures import coefficient_path_figure
from core.linear.paths import (
    coefficient_path,
    entry_table,
    has_penalty_path,
    logistic_coefficient_path,
    path_table,
    penalty_param,
    penalty_paths,
)
from core.linear.tracers import PATH_METHODS, ridge_svd_path
from core.registry import LINEAR_REGRESSION, LOGISTIC_REGRESSION
from core.setting import Setting
from core.specs import ParamSpec
from core.sweep_diagnosis import best_value, fit_diagnosis
from core.sweep_figures import validation_curve_figure
from core.sweep_grids import default_sweep_param, is_log_sweep, sweep_range, sweep_values
from core.sweeps import validation_curve_table

LINEAR = LINEAR_REGRESSION
LOGISTIC = LOGISTIC_REGRESSION


def spec_of(family, name):
    return next(p for p in family.hyperparameters if p.name == name)


# --- fixtures (seeded, module-scoped: loading is the slow part) ----------------------------
@pytest.fixture(scope="module")
def diabetes():
    return load_dataset("diabetes", "regression")


@pytest.fixture(scope="module")
def synthetic():
    # Little noise and many rows: the least-squares end of a path must sit on the truth.
    return load_dataset(
        "synthetic_regression", "regression", seed=3, n_samples=400, noise=1.0, n_features=5
    )


@pytest.fixture(scope="module")
def breast_cancer():
    return load_dataset("breast_cancer", "classification")


@pytest.fixture(scope="module")
def iris():
    return load_dataset("iris", "classification")


@pytest.fixture(scope="module")
def synthetic_classes():
    return load_dataset("synthetic_classification", "classification", seed=1, n_samples=300)


@pytest.fixture(scope="module")
def diabetes_with_gaps(diabetes):
    frame = diabetes.X.assign(progression=diabetes.y)
    rng = np.random.default_rng(0)
    holes = rng.random(frame.shape) < 0.05
    holes[:, -1] = False  # keep the target
    frame = frame.mask(holes)
    return make_dataset(frame, "progression", "regression", name="diabetes with gaps")


def direct_fit(model, dataset, scale=True, test_size=0.25, seed=0):
    """Fit ``model`` in the page's pipeline and return raw-unit coef and intercept."""
    X, y = split_data(dataset, test_size, seed).train_rows(dataset)
    pipe = build_pipeline(model, scale=scale, impute=dataset.has_missing).fit(X, y)
    w = np.atleast_2d(pipe.named_steps["model"].coef_)
    b = np.atleast_1d(pipe.named_steps["model"].intercept_)
    scaler = pipe.named_steps.get("scale")
    if scaler is None:
        return w, b
    return w / scaler.scale_, b - w @ (scaler_shift(scaler) / scaler.scale_)


# --- purity ---------------------------------------------------------------------------------
def test_sweep_modules_do_not_import_streamlit():
    # Read the imports rather than importing: other tests in the session may load streamlit.
    for module in (core.sweeps, core.sweep_grids, core.sweep_diagnosis, core.sweep_figures):
        tree = ast.parse(Path(module.__file__).read_text())
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [n for n in names if n.split(".")[0] == "streamlit"], module.__name__
        assert all(n.split(".")[0] != "ui" for n in names)


# --- sweep grids ----------------------------------------------------------------------------
def test_penalty_grids_span_six_decades_with_exact_powers_of_ten():
    for spec in (spec_of(LINEAR, "alpha"), spec_of(LOGISTIC, "C")):
        values = sweep_values(spec)
        assert is_log_sweep(spec)
        assert sweep_range(spec) == (1e-3, 1e3)
        assert values[0] == 1e-3 and values[-1] == 1e3
        assert np.all(np.diff(values) > 0)
        assert np.all(np.isfinite(values))  # C's upper bound is inf: never swept
        for power in (1e-2, 0.1, 1.0, 10.0, 100.0):
            assert power in values


def test_linear_int_bool_and_choice_grids():
    l1 = sweep_values(spec_of(LINEAR, "l1_ratio"), n=5)
    np.testing.assert_allclose(l1, [0, 0.25, 0.5, 0.75, 1.0])
    iters = sweep_values(spec_of(LINEAR, "max_iter"))
    assert iters.dtype.kind == "i" and iters[0] == 1 and iters[-1] == 100_000
    assert np.all(np.diff(iters) > 0)  # rounded and de-duplicated, ascending
    assert is_log_sweep(spec_of(LINEAR, "max_iter"))  # 1..1e5 is too wide for a linear grid
    assert sweep_values(spec_of(LINEAR, "fit_intercept")).tolist() == [False, True]
    assert sweep_values(spec_of(LOGISTIC, "class_weight")).tolist() == ["none", "balanced"]
    custom = sweep_values(spec_of(LINEAR, "alpha"), n=3, low=0.01, high=100)
    np.testing.assert_allclose(custom, [0.01, 1.0, 100.0])


def test_sweep_grid_rejects_bad_ranges():
    alpha = spec_of(LINEAR, "alpha")
    with pytest.raises(ValueError, match="below the minimum"):
        sweep_values(alpha, low=1e-9)
    with pytest.raises(ValueError, match="above its high end"):
        sweep_values(alpha, low=10, high=1)
    with pytest.raises(ValueError, match="finite"):
        sweep_values(spec_of(LOGISTIC, "C"), high=np.inf)
    unbounded = ParamSpec("k", "k", "float", 2.0, "help")
    assert sweep_range(unbounded) == (-18.0, 22.0)


def test_default_sweep_param_prefers_the_penalty():
    assert default_sweep_param(LINEAR, "ridge") == "alpha"
    assert default_sweep_param(LINEAR, "elasticnet") == "alpha"
    assert default_sweep_param(LINEAR, "ols") == "fit_intercept"
    assert default_sweep_param(LOGISTIC, "logistic") == "C"
    assert penalty_param(LINEAR, "ols") is None
    assert not has_penalty_path(LINEAR, "ols")
    assert [penalty_param(LINEAR, e) for e in ("ridge", "lasso", "elasticnet")] == ["alpha"] * 3
    assert penalty_param(LOGISTIC, "logistic") == "C"


# --- coefficient paths ----------------------------------------------------------------------
@pytest.mark.parametrize("scale", [True, False])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_svd_path_equals_ridge_fits(diabetes, scale, fit_intercept):
    alphas = [1e-3, 0.1, 3.0, 100.0, 1e4]
    path = coefficient_path(
        LINEAR,
        Setting.on(diabetes, LINEAR.id, "ridge", {"fit_intercept": fit_intercept}, scale=scale),
        diabetes,
        alphas=alphas,
    )
    assert path.method == "ridge_svd" and path.zero_at is None
    for k, alpha in enumerate(alphas):
        coef, intercept = direct_fit(
            Ridge(alpha=alpha, fit_intercept=fit_intercept), diabetes, scale
        )
        np.testing.assert_allclose(path.coef[k], coef[0], rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(path.intercept[k], intercept[0], rtol=1e-8, atol=1e-8)


def test_path_at_current_alpha_is_the_pages_model(diabetes):
    setting = {"alpha": 0.37}
    for estimator, rtol in (("ridge", 1e-8), ("lasso", 1e-3), ("elasticnet", 1e-3)):
        path = coefficient_path(
            LINEAR, Setting.on(diabetes, LINEAR.id, estimator, setting), diabetes
        )
        fit = fit_model(LINEAR, estimator, setting, diabetes)
        params = extract_linear_parameters(fit)
        k = int(np.flatnonzero(path.values == 0.37)[0])  # inserted into the default grid
        assert path.current_value == 0.37
        assert path.n_values == 101
        np.testing.assert_allclose(path.feature_sd, fit.feature_sd)
        scale = np.abs(params.coef[0]).max()
        np.testing.assert_allclose(path.coef[k], params.coef[0], rtol=0, atol=rtol * scale)
        np.testing.assert_allclose(path.coef_per_sd[k], params.coef_per_sd[0], atol=rtol * 1e3)
        np.testing.assert_allclose(path.intercept[k], params.intercept[0], rtol=rtol)


@pytest.mark.parametrize(
    ("estimator", "model"),
    [("lasso", Lasso), ("elasticnet", lambda **kw: ElasticNet(l1_ratio=0.3, **kw))],
)
def test_coordinate_descent_path_equals_direct_fits(diabetes, estimator, model):
    alphas = np.geomspace(0.01, 30, 8)
    setting = {"l1_ratio": 0.3}
    path = coefficient_path(
        LINEAR,
        Setting.on(diabetes, LINEAR.id, estimator, setting),
        diabetes,
        alphas=alphas,
        tol=1e-10,
    )
    assert path.method == "enet_path"
    for k, alpha in enumerate(alphas):
        coef, intercept = direct_fit(model(alpha=alpha, tol=1e-10, max_iter=100_000), diabetes)
        norm = np.abs(coef).max()
        np.testing.assert_allclose(path.coef[k], coef[0], rtol=0, atol=1e-4 * norm)
        np.testing.assert_allclose(path.intercept[k], intercept[0], rtol=1e-4)


def test_penalty_shrinks_coefficients_along_the_axis(diabetes):
    lasso = coefficient_path(
        LINEAR, Setting.on(diabetes, LINEAR.id, "lasso", {}), diabetes, tol=1e-8
    )
    ridge = coefficient_path(LINEAR, Setting.on(diabetes, LINEAR.id, "ridge", {}), diabetes)
    for path, norm in ((lasso, 1), (ridge, 2)):
        assert np.all(np.diff(path.values) > 0)  # alpha ascending
        sizes = np.linalg.norm(path.coef_per_sd, ord=norm, axis=1)
        assert np.all(np.diff(sizes) <= 1e-9 * sizes.max())  # never grows as alpha grows
        assert sizes[-1] < 0.05 * sizes[0]
    assert np.all(lasso.coef[-1] == 0.0)  # the default grid ends at alpha_max
    assert np.any(lasso.coef[0] != 0.0)


def test_lasso_entry_and_zero_points_bracket_each_coefficient(diabetes):
    path = coefficient_path(LINEAR, Setting.on(diabetes, LINEAR.id, "lasso", {}), diabetes)
    assert path.zero_at is not None and path.enters_at is not None
    for j in range(len(path.feature_names)):
        after = path.values >= path.zero_at[j]
        assert np.all(path.coef[after, j] == 0.0)
        if np.isfinite(path.enters_at[j]):
            k = int(np.flatnonzero(path.values == path.enters_at[j])[0])
            assert path.coef[k, j] != 0.0 and path.values[k + 1] == path.zero_at[j]
    order = entry_table(path)
    assert list(order.columns) == ["feature", "enters_at", "zero_at"]
    assert order["enters_at"].is_monotonic_decreasing  # the first row survives longest
    long = path_table(path)
    assert len(long) == path.n_values * len(path.feature_names)
    assert long["zero"].sum() == int((path.coef == 0).sum())


def test_small_penalty_recovers_the_true_coefficients(synthetic):
    truth = synthetic.true_coef.to_numpy()
    for estimator in ("ridge", "lasso"):
        path = coefficient_path(
            LINEAR, Setting.on(synthetic, LINEAR.id, estimator, {}), synthetic, tol=1e-8
        )
        np.testing.assert_allclose(path.coef[0], truth, atol=0.02 * np.abs(truth).max())
        assert np.abs(path.intercept[0] - synthetic.true_intercept) < 0.5
    # At alpha = 0 the SVD path is least squares itself (OLS, the limit of every path).
    X, y = split_data(synthetic, 0.25, 0).train_rows(synthetic)
    coef, intercept = ridge_svd_path(X.to_numpy(), y.to_numpy(), np.array([0.0]))
    ols = LinearRegression().fit(X, y)
    np.testing.assert_allclose(coef[0], ols.coef_, rtol=1e-10)
    np.testing.assert_allclose(intercept[0], ols.intercept_, rtol=1e-10)


def test_paths_impute_like_the_page(diabetes_with_gaps):
    assert diabetes_with_gaps.has_missing
    path = coefficient_path(
        LINEAR,
        Setting.on(diabetes_with_gaps, LINEAR.id, "ridge", {"alpha": 2.0}),
        diabetes_with_gaps,
    )
    fit = fit_model(LINEAR, "ridge", {"alpha": 2.0}, diabetes_with_gaps)
    k = int(np.flatnonzero(path.values == 2.0)[0])
    np.testing.assert_allclose(path.coef[k], extract_linear_parameters(fit).coef[0], rtol=1e-8)
    np.testing.assert_allclose(path.feature_sd, fit.feature_sd)


def test_path_records_convergence_warnings(diabetes):
    path = coefficient_path(
        LINEAR, Setting.on(diabetes, LINEAR.id, "lasso", {"max_iter": 1}), diabetes, n_alphas=20
    )
    assert path.warnings and path.warnings[0].startswith("ConvergenceWarning")
    assert len(path.warnings) == 1  # one line per kind, however many alphas


def test_ols_has_no_path(diabetes):
    with pytest.raises(ValueError, match="no alpha"):
        coefficient_path(LINEAR, Setting.on(diabetes, LINEAR.id, "ols", {}), diabetes)
    with pytest.raises(ValueError, match="no penalty"):
        penalty_paths(LINEAR, Setting.on(diabetes, LINEAR.id, "ols", {}), diabetes)


def test_logistic_path_equals_direct_fits_binary(breast_cancer):
    Cs = [0.01, 0.1, 1.0]
    (path,) = logistic_coefficient_path(
        LOGISTIC,
        Setting.on(breast_cancer, LOGISTIC.id, "logistic", {}),
        breast_cancer,
        Cs=Cs,
        tol=1e-8,
    )
    assert path.param_name == "C" and not path.penalty_grows and path.method == "warm_start"
    assert path.output == "malignant"  # the second class's log-odds, as scikit-learn
    for k, C in enumerate(Cs):
        coef, intercept = direct_fit(
            LogisticRegression(C=C, tol=1e-8, max_iter=10_000), breast_cancer
        )
        np.testing.assert_allclose(path.coef[k], coef[0], rtol=0, atol=1e-4 * np.abs(coef).max())
        np.testing.assert_allclose(path.intercept[k], intercept[0], rtol=1e-4, atol=1e-4)
    sizes = np.linalg.norm(path.coef_per_sd, axis=1)
    assert np.all(np.diff(sizes) > 0)  # a weaker penalty (larger C) lets coefficients grow


def test_logistic_path_per_class_and_l1_sparsity(iris):
    paths = penalty_paths(
        LOGISTIC, Setting.on(iris, LOGISTIC.id, "logistic", {"C": 2.0}), iris, n_values=12
    )
    assert [p.output for p in paths] == ["setosa", "versicolor", "virginica"]
    assert all(p.current_value == 2.0 and 2.0 in p.values for p in paths)
    fit = fit_model(LOGISTIC, "logistic", {"C": 2.0}, iris)
    params = extract_linear_parameters(fit)
    for k, path in enumerate(paths):
        i = int(np.flatnonzero(path.values == 2.0)[0])
        np.testing.assert_allclose(
            path.coef[i], params.coef[k], atol=0.02 * np.abs(params.coef).max()
        )
    # An L1 share resolves the automatic solver to saga for every C and zeroes coefficients.
    blobs = load_dataset("synthetic_classification", "classification")
    l1 = Setting.on(blobs, LOGISTIC.id, "logistic", {"l1_ratio": 1.0})
    (sparse,) = logistic_coefficient_path(LOGISTIC, l1, blobs, Cs=[0.005, 0.05, 1.0])
    assert sparse.zero_at is not None
    assert np.sum(sparse.coef[0] == 0) > np.sum(sparse.coef[-1] == 0)


# --- validation curves ----------------------------------------------------------------------
def sklearn_curve(family, estimator, dataset, param, values, setting=None, scoring="r2", **kw):
    """scikit-learn's validation_curve on the page's pipeline, swept as model__<param>."""
    spec = family.get_estimator(estimator)
    X, y = split_data(dataset, 0.25, 0).train_rows(dataset)
    center = not (param == "fit_intercept" and False in values)
    pipe = build_pipeline(
        spec.make(setting or {}), scale=True, impute=dataset.has_missing, center=center
    )
    train, test = validation_curve(
        pipe, X, y, param_name=f"model__{param}", param_range=values, cv=5, scoring=scoring, **kw
    )
    return train, test


def assert_curve_equal(table, train, test, atol=1e-10):
    np.testing.assert_allclose(table["train_mean"], train.mean(axis=1), rtol=0, atol=atol)
    np.testing.assert_allclose(table["train_std"], train.std(axis=1), rtol=0, atol=atol)
    np.testing.assert_allclose(table["cv_mean"], test.mean(axis=1), rtol=0, atol=atol)
    np.testing.assert_allclose(table["cv_std"], test.std(axis=1), rtol=0, atol=atol)


@pytest.mark.parametrize("estimator", ["ridge", "lasso"])
def test_validation_curve_table_equals_sklearn(diabetes, estimator):
    values = [0.01, 0.3, 3.0, 30.0]
    table = validation_curve_table(LINEAR, estimator, {}, diabetes, "alpha", values)
    assert list(table.columns) == ["value", "train_mean", "train_std", "cv_mean", "cv_std", "note"]
    assert table["value"].tolist() == values and (table["note"] == "").all()
    assert_curve_equal(table, *sklearn_curve(LINEAR, estimator, diabetes, "alpha", values))


def test_validation_curve_table_equals_sklearn_for_logistic_and_categorical(synthetic_classes):
    Cs = [0.01, 1.0, 100.0]
    table = validation_curve_table(LOGISTIC, "logistic", {}, synthetic_classes, "C", Cs)
    train, test = sklearn_curve(
        LOGISTIC, "logistic", synthetic_classes, "C", Cs, {"solver": "lbfgs"}, scoring="accuracy"
    )
    assert_curve_equal(table, train, test)
    weights = validation_curve_table(LOGISTIC, "logistic", {}, synthetic_classes, "class_weight")
    assert weights["value"].tolist() == ["none", "balanced"]  # categorical values as strings
    train, test = sklearn_curve(
        LOGISTIC,
        "logistic",
        synthetic_classes,
        "class_weight",
        [None, "balanced"],
        {"solver": "lbfgs"},
        scoring="accuracy",
    )
    assert_curve_equal(weights, train, test)


def test_validation_curve_bool_sweep_and_parallel_folds(diabetes):
    # Threads rather than processes keep the test fast; the folds still go through joblib.
    with joblib.parallel_config(backend="threading"):
        table = validation_curve_table(LINEAR, "ols", {}, diabetes, "fit_intercept", n_jobs=2)
    assert table["value"].tolist() == ["False", "True"]
    assert_curve_equal(
        table, *sklearn_curve(LINEAR, "ols", diabetes, "fit_intercept", [False, True])
    )
    assert table.loc[1, "cv_mean"] > table.loc[0, "cv_mean"]  # no intercept: a poor fit


def test_validation_curve_resolves_the_solver_per_value(synthetic_classes):
    ratios = [0.0, 0.5]
    table = validation_curve_table(
        LOGISTIC, "logistic", {"C": 0.5}, synthetic_classes, "l1_ratio", ratios
    )
    # auto is lbfgs at l1_ratio 0 and saga at 0.5; sweeping model__l1_ratio alone would hand
    # lbfgs an L1 share, which scikit-learn refuses.
    X, y = split_data(synthetic_classes, 0.25, 0).train_rows(synthetic_classes)
    for row, (ratio, solver) in zip(
        table.itertuples(), [(0.0, "lbfgs"), (0.5, "saga")], strict=True
    ):
        model = LogisticRegression(C=0.5, l1_ratio=ratio, solver=solver)
        train, test = validation_curve(
            build_pipeline(model, True, False),
            X,
            y,
            param_name="model__C",
            param_range=[0.5],
            cv=5,
            scoring="accuracy",
        )
        assert row.cv_mean == pytest.approx(test.mean(), abs=1e-10)
        assert row.train_mean == pytest.approx(train.mean(), abs=1e-10)
    fixed = validation_curve_table(
        LOGISTIC, "logistic", {"solver": "lbfgs"}, synthetic_classes, "l1_ratio", ratios
    )
    assert fixed.loc[0, "note"] == "" and np.isfinite(fixed.loc[0, "cv_mean"])
    assert "lbfgs" in fixed.loc[1, "note"] and np.isnan(fixed.loc[1, "cv_mean"])


def test_validation_curve_rejects_foreign_and_invalid_values(diabetes):
    with pytest.raises(ValueError, match="no hyperparameter 'alpha'"):
        validation_curve_table(LINEAR, "ols", {}, diabetes, "alpha", [1.0])
    with pytest.raises(ValueError, match="below the minimum"):
        validation_curve_table(LINEAR, "ridge", {}, diabetes, "alpha", [-1.0])


@pytest.mark.parametrize(("estimator", "atol"), [("ridge", 1e-10), ("lasso", 1e-6)])
def test_path_validation_curve_agrees_with_validation_curve(diabetes_with_gaps, estimator, atol):
    values = sweep_values(spec_of(LINEAR, "alpha"), n=7)
    fast = path_validation_curve_table(
        LINEAR,
        Setting.on(diabetes_with_gaps, LINEAR.id, estimator, {}),
        diabetes_with_gaps,
        values,
        tol=1e-10,
    )
    X, y = split_data(diabetes_with_gaps, 0.25, 0).train_rows(diabetes_with_gaps)
    model = Ridge() if estimator == "ridge" else Lasso(tol=1e-10, max_iter=100_000)
    train, test = validation_curve(
        build_pipeline(model, True, True),
        X,
        y,
        param_name="model__alpha",
        param_range=values,
        cv=5,
        scoring="r2",
    )
    assert_curve_equal(fast, train, test, atol=atol)


def test_path_validation_curve_agrees_with_lassocv(diabetes):
    values = np.geomspace(0.05, 50, 6)
    fast = path_validation_curve_table(
        LINEAR,
        Setting.on(diabetes, LINEAR.id, "lasso", {}, scale=False),
        diabetes,
        values,
        scoring="neg_mean_squared_error",
        tol=1e-6,
    )
    X, y = split_data(diabetes, 0.25, 0).train_rows(diabetes)
    cv = LassoCV(alphas=values, cv=5, tol=1e-6, max_iter=100_000).fit(X, y)
    mse = cv.mse_path_.mean(axis=1)[np.argsort(cv.alphas_)]
    np.testing.assert_allclose(-fast["cv_mean"], mse, rtol=1e-8)


def test_path_validation_curve_agrees_with_logistic_regression_cv(synthetic_classes):
    Cs = [0.001, 0.01, 0.1, 1.0, 10.0]
    fast = path_validation_curve_table(
        LOGISTIC,
        Setting.on(synthetic_classes, LOGISTIC.id, "logistic", {}, scale=False),
        synthetic_classes,
        Cs,
        tol=1e-6,
    )
    X, y = split_data(synthetic_classes, 0.25, 0).train_rows(synthetic_classes)
    cv = LogisticRegressionCV(
        Cs=Cs,
        l1_ratios=(0.0,),
        cv=5,
        scoring="accuracy",
        tol=1e-6,
        use_legacy_attributes=False,
    ).fit(X, y)
    np.testing.assert_allclose(fast["cv_mean"], cv.scores_[:, 0, :].mean(axis=0), atol=1e-6)
    assert fast["value"].tolist() == Cs


# --- reading a curve ------------------------------------------------------------------------
def curve(train, cv, cv_std=0.01, values=(0.01, 0.1, 1.0, 10.0)):
    n = len(values)
    return pd.DataFrame(
        {
            "value": list(values),
            "train_mean": train,
            "train_std": [0.01] * n,
            "cv_mean": cv,
            "cv_std": [cv_std] * n,
            "note": [""] * n,
        }
    )


def test_best_value_and_diagnosis_sentences():
    table = curve(train=[0.99, 0.95, 0.85, 0.60], cv=[0.70, 0.84, 0.835, 0.58])
    assert best_value(table) == 0.1
    over = fit_diagnosis(table, 0.01, param_name="alpha", score_name="R²")
    assert "the model over-fits" in over and "alpha = 0.01" in over and "0.990" in over
    assert "predicts the held-out folds worse" in over
    under = fit_diagnosis(table, 10.0, param_name="alpha")
    assert "does not over-fit" in under and "holds the model back" in under
    close = fit_diagnosis(table, 1.0, param_name="alpha")
    assert "within one" in close and "cannot tell the two apart" in close
    assert "best value tried" in fit_diagnosis(table, 0.1)
    nearest = fit_diagnosis(table, 0.012, param_name="alpha")
    assert "nearest value tried is alpha = 0.01" in nearest and "model over-fits" in nearest
    assert "holds the model back" in fit_diagnosis(table, 1e-9 + 100.0)  # beyond: nearest end
    cats = curve([0.9, 0.8], [0.85, 0.7], values=("none", "balanced"))
    assert best_value(cats) == "none"
    assert "holds the model back" in fit_diagnosis(cats, "balanced", param_name="class_weight")
    with pytest.raises(ValueError, match="not among"):
        fit_diagnosis(cats, "other")


def test_diagnosis_on_a_real_lasso_curve(diabetes):
    table = path_validation_curve_table(
        LINEAR, Setting.on(diabetes, LINEAR.id, "lasso", {}), diabetes
    )
    best = best_value(table)
    assert 0.01 < best < 10
    assert "holds the model back" in fit_diagnosis(table, 1000.0, param_name="alpha")


# --- figures --------------------------------------------------------------------------------
def test_coefficient_path_figure_data(synthetic):
    path = coefficient_path(
        LINEAR, Setting.on(synthetic, LINEAR.id, "lasso", {"alpha": 0.5}), synthetic, n_alphas=30
    )
    fig = coefficient_path_figure(path, "coef_per_sd", true_coef=synthetic.true_coef)
    p = len(path.feature_names)
    lines, truths, current = fig.data[:p], fig.data[p : 2 * p], fig.data[-1]
    assert [t.name for t in lines] == list(path.feature_names)
    for j, trace in enumerate(lines):
        np.testing.assert_allclose(trace.x, path.values)
        np.testing.assert_allclose(trace.y, path.coef_per_sd[:, j])
        np.testing.assert_allclose(trace.customdata, path.values)  # a click gives its alpha
    clicked = lines[0].customdata[7]
    assert path.index_of(clicked) == 7 and path.index_of(clicked * 1.01) == 7
    assert np.all(np.diff(lines[0].x) > 0)
    expected = synthetic.true_coef.to_numpy() * path.feature_sd
    for j, trace in enumerate(truths):
        assert trace.name == f"{path.feature_names[j]} (true)" and trace.line.dash == "dash"
        np.testing.assert_allclose(trace.y, [expected[j], expected[j]])
        assert trace.line.color == lines[j].line.color
    assert current.name.startswith("current alpha") and list(current.x) == [0.5, 0.5]
    assert fig.layout.xaxis.type == "log" and fig.layout.xaxis.autorange is True
    # Ticks at whole decades of the swept range, written plainly.
    ticks = np.asarray(fig.layout.xaxis.tickvals)
    assert path.values.min() <= ticks.min() and ticks.max() <= path.values.max()
    assert np.allclose(np.log10(ticks), np.round(np.log10(ticks)))
    assert all("e" not in text for text in fig.layout.xaxis.ticktext)
    raw = coefficient_path_figure(path, "coef", current=2.0)
    np.testing.assert_allclose(raw.data[0].y, path.coef[:, 0])
    assert list(raw.data[-1].x) == [2.0, 2.0] and len(raw.data) == p + 2  # + zero markers


def test_a_path_over_many_features_names_only_the_largest_in_its_legend(breast_cancer):
    """Thirty names took more room than a half-page chart's plot: the legend names the
    eight lines that reach the largest sizes and says how many it leaves to hover."""
    (path,) = logistic_coefficient_path(
        LOGISTIC,
        Setting.on(breast_cancer, LOGISTIC.id, "logistic", {"C": 1.0}),
        breast_cancer,
        Cs=[0.01, 0.1, 1.0, 10.0],
    )
    fig = coefficient_path_figure(path, "coef_per_sd")
    p = len(path.feature_names)
    lines = fig.data[:p]
    assert [t.name for t in lines] == list(path.feature_names)  # every line, named on hover
    largest = np.argsort(-np.abs(path.coef_per_sd).max(axis=0))[:8]
    assert {t.name for t in lines if t.showlegend} == {path.feature_names[j] for j in largest}
    more = fig.data[-1]
    assert more.name == f"{p - 8} more: hover a line" and list(more.x) == [None]
    assert fig.layout.height == 480


def test_a_path_over_few_features_names_them_all(diabetes):
    path = coefficient_path(LINEAR, Setting.on(diabetes, LINEAR.id, "ridge", {}), diabetes)
    fig = coefficient_path_figure(path, "coef_per_sd")
    named = [t.name for t in fig.data if t.showlegend is not False]
    assert named[:10] == list(path.feature_names) and not any("more:" in n for n in named)
    assert fig.layout.height == 420


def test_coefficient_path_figure_for_c_runs_left_to_right(iris):
    paths = logistic_coefficient_path(
        LOGISTIC,
        Setting.on(iris, LOGISTIC.id, "logistic", {"C": np.inf}),
        iris,
        Cs=[0.01, 0.1, 1.0],
    )
    fig = coefficient_path_figure(paths[0])
    assert fig.layout.xaxis.autorange is True  # C grows to the right, as on every chart
    assert "weaker penalty" in fig.layout.xaxis.title.text
    assert len(fig.data) == 4  # no line for C = inf, which a log axis cannot show
    assert "inf" in fig.layout.annotations[0].text


def test_validation_curve_figure_numeric(diabetes):
    table = validation_curve_table(LINEAR, "ridge", {}, diabetes, "alpha", [0.1, 1.0, 10.0, 100.0])
    fig = validation_curve_figure(table, spec_of(LINEAR, "alpha"), current=1.0, score_name="R²")
    by_name = {t.name: t for t in fig.data}
    np.testing.assert_allclose(by_name["training"].y, table["train_mean"])
    np.testing.assert_allclose(by_name["cross-validation"].y, table["cv_mean"])
    band = by_name["cross-validation ± 1 sd"]
    upper = (table["cv_mean"] + table["cv_std"]).to_numpy()
    np.testing.assert_allclose(band.y[: len(table)], upper)
    best = next(t for t in fig.data if t.name.startswith("best"))
    assert best.x[0] == best_value(table)
    assert list(fig.layout.xaxis.ticktext) == ["0.1", "1", "10", "100"]
    assert best.y[0] == table["cv_mean"].max()
    current = next(t for t in fig.data if t.name.startswith("current"))
    assert list(current.x) == [1.0, 1.0]
    assert fig.layout.xaxis.type == "log"
    l1 = curve([0.5, 0.6], [0.4, 0.5], values=(0.0, 1.0))
    assert validation_curve_figure(l1, spec_of(LINEAR, "l1_ratio")).layout.xaxis.type == "linear"


def test_validation_curve_figure_categorical():
    table = curve([0.9, 0.8], [0.85, 0.7], values=("none", "balanced"))
    fig = validation_curve_figure(table, spec_of(LOGISTIC, "class_weight"), current="balanced")
    train, cv = fig.data
    assert train.type == "bar" and list(cv.x) == ["none", "balanced"]
    np.testing.assert_allclose(cv.y, [0.85, 0.7])
    np.testing.assert_allclose(cv.error_y.array, [0.01, 0.01])
    assert list(cv.text) == ["best", "current"]
    assert fig.layout.barmode == "group"


def test_path_methods_are_documented():
    assert set(PATH_METHODS) == {"enet_path", "ridge_svd", "warm_start"}


def test_path_figure_marks_where_lasso_zeroes_each_coefficient():
    from core.linear.path_figures import coefficient_path_figure

    data = load_dataset("diabetes", "regression")
    path = penalty_paths(
        LINEAR_REGRESSION, Setting.on(data, LINEAR_REGRESSION.id, "lasso", {}), data
    )[0]
    fig = coefficient_path_figure(path)
    zeros = next(t for t in fig.data if t.name == "becomes exactly 0")
    finite = path.zero_at[np.isfinite(path.zero_at)]
    np.testing.assert_allclose(sorted(zeros.x), sorted(finite))
    for name, alpha in zip(zeros.text, zeros.x, strict=True):
        j = path.feature_names.index(name)
        i = path.index_of(alpha)
        assert path.coef[i, j] == 0.0 and (path.coef[i:, j] == 0.0).all()
    ridge = coefficient_path_figure(
        penalty_paths(LINEAR_REGRESSION, Setting.on(data, LINEAR_REGRESSION.id, "ridge", {}), data)[
            0
        ]
    )
    assert not any(t.name == "becomes exactly 0" for t in ridge.data)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("estimator", ["ridge", "lasso"])
def test_penalty_curve_matches_scikit_learn_with_and_without_intercept(
    diabetes, estimator, fit_intercept
):
    """Regression: without an intercept each fold's pipeline centred the features although
    the page's model does not, so ridge on diabetes scored about -3 instead of about 0.45."""
    from sklearn.model_selection import validation_curve

    from core.fitting import build_pipeline
    from core.sweeps import training_rows

    alphas = [0.01, 0.1, 1.0]
    # Converged tightly on both sides: uncentred features slow coordinate descent down.
    values = {"alpha": 1.0, "fit_intercept": fit_intercept, "max_iter": 100_000}
    table = path_validation_curve_table(
        LINEAR_REGRESSION,
        Setting.on(diabetes, LINEAR_REGRESSION.id, estimator, values),
        diabetes,
        alphas,
        cv=5,
        tol=1e-10,
    )
    X_train, y_train = training_rows(diabetes, 0.25, 0)
    template = LINEAR_REGRESSION.get_estimator(estimator).make({**values, "tol": 1e-10})
    pipeline = build_pipeline(template, scale=True, impute=False)
    _, expected = validation_curve(
        pipeline, X_train, y_train, param_name="model__alpha", param_range=alphas, cv=5
    )
    np.testing.assert_allclose(table["cv_mean"], expected.mean(axis=1), rtol=1e-5, atol=1e-6)
    if not fit_intercept:
        assert table["cv_mean"].max() > -1  # the page's model, not a shifted origin


def test_failed_fits_are_one_line_without_a_traceback():
    """scikit-learn's warnings about failed fits and scores hold whole tracebacks with the
    server's paths: the page shows what failed and each distinct error's last line."""
    import warnings

    from sklearn.model_selection import validation_curve
    from sklearn.neighbors import KNeighborsClassifier

    from core.fitting import captured_warnings, warning_text

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 2)), np.repeat([0, 1], 20)
    with captured_warnings() as records:
        warnings.simplefilter("always")
        validation_curve(
            KNeighborsClassifier(), X, y, param_name="n_neighbors", param_range=[3, 60], cv=4
        )
    raw = [str(r.message) for r in records]
    assert any("Traceback" in m for m in raw), "scikit-learn's own text holds a traceback"
    texts = [warning_text(r) for r in records]
    assert all("Traceback" not in t and ".py" not in t and "\n" not in t for t in texts)
    assert "Scoring failed" in texts[0] and "Expected n_neighbors" in texts[0]


def test_values_no_fold_could_score_are_left_out_of_the_curve(diabetes):
    table = validation_curve_table(LINEAR, "ridge", {}, diabetes, "alpha", [0.1, 1.0, 10.0, 100.0])
    table.loc[1, ["train_mean", "cv_mean"]] = np.nan  # as a failed value comes back
    fig = validation_curve_figure(table, spec_of(LINEAR, "alpha"), score_name="R²")
    by_name = {t.name: t for t in fig.data}
    np.testing.assert_allclose(by_name["cross-validation"].x, [0.1, 10.0, 100.0])
    band = by_name["cross-validation ± 1 sd"]
    assert np.isfinite(np.asarray(band.y, dtype=float)).all()  # no gap to break the fill
