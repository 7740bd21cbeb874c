"""The gradient-descent page's core: the two-parameter view, SGD's epochs, the family, figures.

Every check compares against an independent computation: finite differences, scikit-learn's
own estimators, the textbook forms of momentum and Nesterov, or the schedule formulas.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.linear_model import (
    LinearRegression,
    LogisticRegression,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.preprocessing import StandardScaler

from core.data.prepare import load_dataset
from core.families.gradient_descent import figures as F
from core.families.gradient_descent.diagnostics import (
    ZIGZAG_SHARE,
    diagnose,
    judge_run,
    momentum_limit,
)
from core.families.gradient_descent.family import FAMILY, class_table, objective, reference_model
from core.families.gradient_descent.loss import hessian, loss_gradient, loss_value, optimum
from core.families.gradient_descent.optimizer import (
    MAX_STEPS,
    DescentPath,
    DescentSettings,
    run_descent,
)
from core.families.gradient_descent.problem import DescentError, feature_ranking, make_problem
from core.families.gradient_descent.report import (
    CLOSED_SHARE,
    descent_report,
    estimated_seconds,
    problem_from_values,
    steps_to_close,
)
from core.families.gradient_descent.sgd_replay import sgd_trajectory, sgd_trajectory_for_fit
from core.families.gradient_descent.specs import HYPERPARAMETERS
from core.families.gradient_descent.surface import GRID_POINTS, loss_surface
from core.families.gradient_descent.view_specs import (
    ETA0_START,
    OPTIMISER_SETTINGS,
    descent_settings,
    knob_table,
    settings_from_values,
    variant_specs,
)
from core.fitting import fit_model
from core.learned import LearnedParameters


@pytest.fixture(scope="module")
def breast_cancer():
    return load_dataset("breast_cancer", "classification")


@pytest.fixture(scope="module")
def iris():
    return load_dataset("iris", "classification")


@pytest.fixture(scope="module")
def problems(diabetes, breast_cancer):
    """Squared error and log loss, each standardised and raw."""
    return {
        "squared, scaled": make_problem(diabetes, "bmi", scale=True),
        "squared, raw": make_problem(diabetes, "bmi", scale=False),
        "log, scaled": make_problem(breast_cancer, "worst concave points", scale=True),
        "log, raw": make_problem(breast_cancer, "mean radius", scale=False),
    }


def all_finite(path: DescentPath) -> bool:
    arrays = (path.params, path.loss, path.grad_norm, path.learning_rate, path.epoch)
    return all(np.isfinite(a).all() for a in arrays)


# --- the problem and its loss ---------------------------------------------------------------
def test_default_feature_is_the_most_correlated_with_a_finite_optimum(diabetes, iris):
    problem = make_problem(diabetes)
    assert problem.feature == "bmi" and problem.loss == "squared_error"
    corr = diabetes.X.corrwith(diabetes.y).abs()
    assert corr.idxmax() == "bmi"
    # Iris: petal length separates setosa perfectly (no finite optimum), so the view opens
    # on the best pair that does not, and says it fits one class against the rest.
    table = feature_ranking(iris)
    assert table.iloc[0]["separable"]
    problem = make_problem(iris)
    assert (problem.feature, problem.positive_class) == ("petal width (cm)", "virginica")
    assert "against the rest" in problem.notes[0]
    with pytest.raises(DescentError, match="separates setosa"):
        make_problem(iris, "petal length (cm)", positive_class="setosa")


@pytest.mark.parametrize("name", ["squared, scaled", "squared, raw", "log, scaled", "log, raw"])
def test_gradient_equals_finite_differences(problems, name):
    problem = problems[name]
    opt = optimum(problem)
    rng = np.random.default_rng(1)
    spread = np.abs(opt.point) + 1.0
    for point in [np.zeros(2), opt.point, *(opt.point + spread * rng.normal(size=(4, 2)))]:
        w, b = point
        grad = loss_gradient(problem, w, b)
        h = 1e-6 * spread
        numeric = [
            (loss_value(problem, w + h[0], b) - loss_value(problem, w - h[0], b)) / (2 * h[0]),
            (loss_value(problem, w, b + h[1]) - loss_value(problem, w, b - h[1])) / (2 * h[1]),
        ]
        # Central differences are exact to O(h²) but lose ~eps·L/h to rounding.
        rounding = 1e3 * np.finfo(float).eps * float(loss_value(problem, w, b)) / h
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=rounding.max())


@pytest.mark.parametrize("name", ["squared, raw", "log, scaled"])
def test_hessian_equals_finite_differences_of_the_gradient(problems, name):
    problem = problems[name]
    w, b = optimum(problem).point + 0.3
    h = 1e-5
    numeric = np.column_stack(
        [
            (loss_gradient(problem, w + h, b) - loss_gradient(problem, w - h, b)) / (2 * h),
            (loss_gradient(problem, w, b + h) - loss_gradient(problem, w, b - h)) / (2 * h),
        ]
    )
    np.testing.assert_allclose(hessian(problem, w, b), numeric, rtol=1e-5)


def test_loss_is_scikit_learns_definition(problems):
    """½ mean squared error (SGDRegressor's squared loss) and the mean log loss."""
    from sklearn.metrics import log_loss, mean_squared_error

    sq, lg = problems["squared, raw"], problems["log, scaled"]
    w, b = 3.0, -20.0
    assert loss_value(sq, w, b) == pytest.approx(0.5 * mean_squared_error(sq.y, w * sq.x + b))
    p = 1 / (1 + np.exp(-(0.7 * lg.x - 0.2)))
    assert loss_value(lg, 0.7, -0.2) == pytest.approx(log_loss(lg.y, p), rel=1e-12)


# --- the optimum and the surface -----------------------------------------------------------
@pytest.mark.parametrize("scale", [True, False])
def test_closed_form_equals_linear_regression_and_is_the_grid_minimum(diabetes, scale):
    problem = make_problem(diabetes, "bmi", scale=scale)
    opt = optimum(problem)
    ols = LinearRegression().fit(problem.x[:, None], problem.y)
    assert opt.slope == pytest.approx(ols.coef_[0], rel=1e-10)
    assert opt.intercept == pytest.approx(ols.intercept_, rel=1e-10)
    # In raw units the standardised fit is the same line.
    raw = LinearRegression().fit(diabetes.X[["bmi"]], diabetes.y)
    np.testing.assert_allclose(
        problem.to_raw(opt.slope, opt.intercept), [raw.coef_[0], raw.intercept_]
    )
    path = run_descent(problem, DescentSettings(eta0=0.5 if scale else 0.0025, epochs=50))
    surface = loss_surface(problem, opt, [path])
    assert surface.loss.shape == (GRID_POINTS, GRID_POINTS)
    W, B = np.meshgrid(surface.slopes, surface.intercepts)
    np.testing.assert_allclose(surface.loss, loss_value(problem, W, B), rtol=1e-10)
    assert surface.loss.min() >= opt.loss
    # The window holds the start and the whole path.
    assert surface.slopes[0] <= path.params[:, 0].min()
    assert path.params[:, 0].max() <= surface.slopes[-1]
    assert surface.intercepts[0] <= path.params[:, 1].min()
    assert path.params[:, 1].max() <= surface.intercepts[-1]
    if scale:  # a round bowl: the grid's lowest point is the optimum's neighbour
        i, j = np.unravel_index(np.argmin(surface.loss), surface.loss.shape)
        assert abs(surface.slopes[j] - opt.slope) <= surface.slopes[1] - surface.slopes[0]
        step_b = surface.intercepts[1] - surface.intercepts[0]
        assert abs(surface.intercepts[i] - opt.intercept) <= step_b
    # An odd grid puts the optimum on the centre point: it must beat every other point,
    # even along a narrow valley's nearly flat floor.
    odd = loss_surface(problem, opt, [path], n=61)
    assert np.unravel_index(np.argmin(odd.loss), odd.loss.shape) == (30, 30)
    assert (odd.slopes[30], odd.intercepts[30]) == pytest.approx((opt.slope, opt.intercept))


def test_log_loss_optimum_has_zero_gradient_and_grid_minimum_is_within_a_step(problems):
    for name in ("log, scaled", "log, raw"):
        problem = problems[name]
        opt = optimum(problem)
        assert np.abs(loss_gradient(problem, opt.slope, opt.intercept)).max() < 1e-9
        odd = loss_surface(problem, opt, n=61)
        assert np.unravel_index(np.argmin(odd.loss), odd.loss.shape) == (30, 30)
        surface = loss_surface(problem, opt)
        i, j = np.unravel_index(np.argmin(surface.loss), surface.loss.shape)
        assert abs(surface.slopes[j] - opt.slope) <= surface.slopes[1] - surface.slopes[0]
        assert (
            abs(surface.intercepts[i] - opt.intercept)
            <= surface.intercepts[1] - surface.intercepts[0]
        )


# --- the optimiser --------------------------------------------------------------------------
def test_small_rate_ends_at_the_closed_form_optimum(problems):
    """Full batch, constant rate below 2/λmax: linear convergence to the exact optimum."""
    cases = {"squared, scaled": (0.5, 1e-8), "log, scaled": (4.0, 1e-7)}
    for name, (eta0, tolerance) in cases.items():
        problem = problems[name]
        opt = optimum(problem)
        path = run_descent(problem, DescentSettings(eta0=eta0, epochs=400))
        assert np.linalg.norm(path.final - opt.point) < tolerance
        verdict = judge_run(problem, path, opt)
        assert verdict.kind == "converged" and verdict.distance < tolerance
        assert path.stop == "epochs" and not path.diverged


@pytest.mark.parametrize("name", ["squared, scaled", "squared, raw"])
def test_rate_above_two_over_lambda_max_diverges_with_a_message_and_finite_arrays(problems, name):
    problem = problems[name]
    opt = optimum(problem)
    limit = diagnose(problem, opt).max_stable_eta
    assert limit == pytest.approx(2 / np.linalg.eigvalsh(hessian(problem)).max())
    below = run_descent(problem, DescentSettings(eta0=0.98 * limit, epochs=300))
    assert not below.diverged and below.loss[-1] < below.loss[0]
    for factor in (1.05, 1e4):
        path = run_descent(problem, DescentSettings(eta0=factor * limit, epochs=2000))
        assert path.diverged and path.stop == "diverged"
        assert all_finite(path)
        assert path.n_steps < 2000 and path.loss[-1] > 1e6 * path.loss[0]
        assert path.message.startswith("Diverged at update")
        verdict = judge_run(problem, path, opt)
        assert verdict.kind == "divergent" and verdict.sentence.level == "warning"
        assert "Lower the learning rate" in verdict.sentence.text
    # The user's rate above the limit is flagged in the diagnostics.
    texts = [s.text for s in diagnose(problem, opt, eta0=1.05 * limit).sentences]
    assert any("above the limit" in t for t in texts)


def test_momentum_is_the_heavy_ball_update(problems):
    problem = problems["squared, raw"]
    eta, mu = 0.002, 0.7
    path = run_descent(problem, DescentSettings(eta0=eta, momentum=mu, epochs=60))
    theta = [np.zeros(2), np.zeros(2)]  # θ_{-1} = θ_0: no velocity at the start
    for _ in range(60):
        now, before = theta[-1], theta[-2]
        step = -eta * loss_gradient(problem, *now) + mu * (now - before)
        theta.append(now + step)
    np.testing.assert_allclose(path.params, np.array(theta[1:]), rtol=1e-9, atol=1e-9)


def test_nesterov_equals_the_classical_look_ahead_form(problems):
    """Sutskever's Nesterov (gradient at θ + μv) seen at φ = θ + μv is the path reported."""
    problem = problems["log, scaled"]
    eta, mu = 1.5, 0.8
    path = run_descent(problem, DescentSettings(eta0=eta, momentum=mu, nesterov=True, epochs=50))
    theta, v = np.zeros(2), np.zeros(2)
    looked = [theta + mu * v]
    for _ in range(50):
        v = mu * v - eta * loss_gradient(problem, *(theta + mu * v))
        theta = theta + v
        looked.append(theta + mu * v)
    np.testing.assert_allclose(path.params, np.array(looked), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_limit_separates_stable_from_divergent(problems, nesterov):
    """On standardised squared error (λ = 1) the stated limit is where the run turns."""
    problem = problems["squared, scaled"]
    mu = 0.6
    limit = momentum_limit(1.0, mu, nesterov)
    assert limit == pytest.approx(2 * 1.6 / (2.2 if nesterov else 1.0))
    settings = {"momentum": mu, "nesterov": nesterov, "epochs": 1500}
    stable = run_descent(problem, DescentSettings(eta0=0.97 * limit, **settings))
    unstable = run_descent(problem, DescentSettings(eta0=1.03 * limit, **settings))
    assert not stable.diverged and stable.loss[-1] < stable.loss[0]
    assert unstable.diverged


def test_schedules_give_the_formula_learning_rate_per_update(problems):
    problem = problems["squared, scaled"]
    n = problem.n
    base = {"eta0": 0.2, "batch_size": 32, "epochs": 12}
    per_epoch = math.ceil(n / 32)
    t = np.arange(1, 12 * per_epoch + 1)
    inv = run_descent(problem, DescentSettings(schedule="invscaling", power_t=0.3, **base))
    np.testing.assert_allclose(inv.learning_rate, 0.2 / t**0.3, rtol=1e-14)
    step = run_descent(problem, DescentSettings(schedule="step_decay", drop=0.25, every=5, **base))
    epoch_of_update = (t - 1) // per_epoch
    np.testing.assert_allclose(step.learning_rate, 0.2 * 0.25 ** (epoch_of_update // 5))
    assert set(np.round(step.learning_rate, 12)) == {0.2, 0.05, 0.0125}
    const = run_descent(problem, DescentSettings(**base))
    assert np.all(const.learning_rate == 0.2) and const.n_steps == 12 * per_epoch


def test_mini_batches_follow_the_seeded_row_order(problems):
    problem = problems["log, scaled"]
    n = problem.n
    path = run_descent(problem, DescentSettings(eta0=0.5, batch_size=8, epochs=2, seed=3))
    assert path.steps_per_epoch == math.ceil(n / 8) and path.n_steps == 2 * math.ceil(n / 8)
    rng = np.random.default_rng(3)
    w = b = 0.0
    expected = [(w, b)]
    for _ in range(2):
        order = rng.permutation(n)
        for start in range(0, n, 8):
            rows = order[start : start + 8]
            r = 1 / (1 + np.exp(-(w * problem.x[rows] + b))) - problem.y[rows]
            w, b = w - 0.5 * np.mean(r * problem.x[rows]), b - 0.5 * np.mean(r)
            expected.append((w, b))
    np.testing.assert_allclose(path.params, expected, rtol=1e-12, atol=1e-14)
    # A batch of every row is the full batch, whatever the order.
    full = run_descent(problem, DescentSettings(eta0=0.5, epochs=20))
    whole = run_descent(problem, DescentSettings(eta0=0.5, epochs=20, batch_size=n))
    np.testing.assert_allclose(whole.params, full.params, rtol=1e-12)
    other = run_descent(problem, DescentSettings(eta0=0.5, batch_size=8, epochs=2, seed=4))
    assert not np.allclose(other.params, path.params)


def test_one_row_batches_are_capped_and_say_so(problems):
    problem = problems["squared, scaled"]
    path = run_descent(problem, DescentSettings(batch_size=1, epochs=1000))
    assert path.n_steps == MAX_STEPS and path.stop == "cap"
    assert f"{MAX_STEPS:,}" in path.message and all_finite(path)


# --- diagnostics and verdicts -----------------------------------------------------------
def test_diagnostics_use_the_users_numbers(problems):
    scaled, raw = problems["squared, scaled"], problems["squared, raw"]
    d_scaled = diagnose(scaled, optimum(scaled))
    assert d_scaled.condition_number == pytest.approx(1.0)
    assert d_scaled.max_stable_eta == pytest.approx(2.0)
    d_raw = diagnose(raw, optimum(raw), momentum=0.9)
    x = raw.x
    H = np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    np.testing.assert_allclose(d_raw.hessian, H)
    eig = np.linalg.eigvalsh(H)
    assert d_raw.condition_number == pytest.approx(eig[1] / eig[0]) and d_raw.condition_number > 1e4
    assert d_raw.momentum_eta == pytest.approx(2 * 1.9 / eig[1])
    warning = [s.text for s in d_raw.sentences if s.level == "warning"]
    assert any("narrow valley" in t and "Standardising bmi" in t for t in warning)
    log = problems["log, scaled"]
    d_log = diagnose(log, optimum(log))
    assert d_log.local and any("local bound" in s.text for s in d_log.sentences)
    assert d_log.safe_eta == pytest.approx(8.0)  # standardised: ¼·I bounds the curvature


def test_verdicts_name_what_happened(problems):
    raw = problems["squared, raw"]
    opt = optimum(raw)
    limit = diagnose(raw, opt).max_stable_eta
    slow = judge_run(raw, run_descent(raw, DescentSettings(eta0=0.95 * limit)), opt)
    assert slow.kind == "too slow" and slow.zigzag > ZIGZAG_SHARE
    assert "zig-zags across the valley" in slow.sentence.text
    scaled = problems["squared, scaled"]
    opt = optimum(scaled)
    noisy = run_descent(scaled, DescentSettings(eta0=0.05, batch_size=1, epochs=10))
    verdict = judge_run(scaled, noisy, opt)
    assert verdict.kind == "oscillating" and "batch of 1 row" in verdict.sentence.text
    assert verdict.loss_gap == pytest.approx(noisy.loss[-1] - opt.loss)
    assert verdict.distance == pytest.approx(np.linalg.norm(noisy.final - opt.point))
    swings = run_descent(scaled, DescentSettings(eta0=0.5, momentum=0.95, epochs=60))
    assert judge_run(scaled, swings, opt).kind == "oscillating"


# --- settings ----------------------------------------------------------------------------
def test_view_settings_have_distinct_url_keys_and_map_to_a_run(diabetes, iris):
    specs = descent_settings(diabetes)
    names = [s.name for s in specs]
    assert all(n.startswith("gd_") for n in names) and len(set(names)) == len(names)
    assert not set(names) & {s.name for s in HYPERPARAMETERS}
    assert specs[0].name == "gd_feature" and specs[0].default == "bmi"
    iris_specs = {s.name: s for s in descent_settings(iris)}
    assert iris_specs["gd_class"].default == "virginica"
    assert iris_specs["gd_eta0"].default == ETA0_START["classification"]
    values = {s.name: s.validate(s.format(s.default)) for s in specs}
    values.update({"gd_batch_size": "8", "gd_momentum": 0.5, "gd_schedule": "step_decay"})
    settings = settings_from_values(values)
    assert (settings.batch_size, settings.momentum, settings.schedule) == (8, 0.5, "step_decay")
    assert settings_from_values({"gd_batch_size": "full"}).batch_size is None
    b_specs = variant_specs(OPTIMISER_SETTINGS)
    assert all(s.name.endswith("_b") for s in b_specs)
    assert settings_from_values({"gd_eta0_b": 0.3}, suffix="_b").eta0 == 0.3
    assert set(knob_table()["two-parameter view"].str.split(":").str[0].str.split(",").sum())


# --- scikit-learn's SGD, epoch by epoch ------------------------------------------------------
@pytest.mark.parametrize(
    ("dataset", "task", "values"),
    [
        ("diabetes", "regression", {"learning_rate": "invscaling"}),
        ("diabetes", "regression", {"learning_rate": "constant", "eta0": 0.003}),
        ("breast_cancer", "classification", {"learning_rate": "constant"}),
        ("iris", "classification", {"learning_rate": "invscaling", "eta0": 0.5}),
    ],
)
def test_partial_fit_epochs_equal_fit_without_shuffling(monkeypatch, dataset, task, values):
    data = load_dataset(dataset, task)
    estimator = SGDRegressor if task == "regression" else SGDClassifier
    calls = []
    original = estimator.partial_fit

    def counted(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(estimator, "partial_fit", counted)
    hyper = {"shuffle": False, "random_state": 0, **values}
    trajectory = sgd_trajectory(data.X, data.y, task, hyper, epochs=15)
    assert len(calls) == 15 and list(trajectory.epochs) == list(range(1, 16))
    model = trajectory.model
    # The last epoch is the model the calls left behind, exactly.
    np.testing.assert_array_equal(trajectory.coef_fitted[-1], np.atleast_2d(model.coef_))
    np.testing.assert_array_equal(trajectory.intercept_fitted[-1], model.intercept_)
    X = StandardScaler().fit_transform(data.X)
    params = {**FAMILY.estimators_for(task)[0].estimator_params(hyper)}
    fitted = estimator(**{**params, "max_iter": 15, "tol": None}).fit(X, data.y)
    np.testing.assert_allclose(model.coef_, fitted.coef_, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(model.intercept_, fitted.intercept_, rtol=1e-10, atol=1e-10)
    # Back in raw units the per-epoch model predicts what the fitted one predicts.
    raw = data.X.to_numpy() @ trajectory.coef[-1].T + trajectory.intercept[-1]
    scores = model.predict(X) if task == "regression" else model.decision_function(X)
    np.testing.assert_allclose(raw, scores.reshape(raw.shape))


@pytest.mark.parametrize(
    ("dataset", "task"), [("diabetes", "regression"), ("breast_cancer", "classification")]
)
def test_replay_of_a_page_fit_ends_at_the_fitted_model(dataset, task):
    data = load_dataset(dataset, task)
    estimator_id = FAMILY.estimators_for(task)[0].id
    values = {s.name: s.initial for s in FAMILY.hyperparameters_for(estimator_id)}
    values["max_iter"] = 40
    fit = fit_model(FAMILY, estimator_id, values, data)
    trajectory = sgd_trajectory_for_fit(fit, data)
    assert len(trajectory.epochs) == fit.model.n_iter_
    np.testing.assert_allclose(
        trajectory.coef_fitted[-1], np.atleast_2d(fit.model.coef_), rtol=1e-9, atol=1e-12
    )
    assert "is the fitted model on this page" in trajectory.sentences[-1].text
    learned = FAMILY.extract(fit)
    coef = learned.group("coef_")
    np.testing.assert_allclose(np.atleast_2d(coef.values), trajectory.coef[-1], rtol=1e-9)


def test_reference_minimises_sgds_own_objective(diabetes, breast_cancer, iris):
    """Ridge(alpha = n·alpha) and LogisticRegression(C = 1/(n·alpha)) are SGD's optimum:
    the gradient of mean loss + alpha ½‖w‖² vanishes there."""
    alpha = 0.01
    for data in (diabetes, breast_cancer, iris):
        X = StandardScaler().fit_transform(data.X)
        y = data.y.to_numpy()
        ref = reference_model(X, y, data.task, alpha)
        classes = np.unique(y)
        positives = (
            [None] if data.task == "regression" else (classes[1:] if len(classes) == 2 else classes)
        )
        for k, positive in enumerate(positives):
            z = X @ ref.coef[k] + ref.intercept[k]
            r = z - y if positive is None else 1 / (1 + np.exp(-z)) - (y == positive)
            grad_w = X.T @ r / len(y) + alpha * ref.coef[k]
            assert np.abs(grad_w).max() < 1e-6 and abs(r.mean()) < 1e-6
    # With alpha 0 the reference is ordinary least squares.
    X = StandardScaler().fit_transform(diabetes.X)
    ols = LinearRegression().fit(X, diabetes.y)
    np.testing.assert_allclose(
        reference_model(X, diabetes.y.to_numpy(), "regression", 0.0).coef[0], ols.coef_
    )


@pytest.mark.parametrize(
    ("dataset", "task", "eta0"),
    [
        ("synthetic_classification", "classification", 0.01),
        ("synthetic_regression", "regression", 0.003),
    ],
)
def test_sgd_heads_for_the_reference(dataset, task, eta0):
    """On uncorrelated features a small constant rate gets close to the matching optimum."""
    data = load_dataset(dataset, task)
    hyper = {"learning_rate": "constant", "eta0": eta0, "shuffle": False, "alpha": 0.001}
    trajectory = sgd_trajectory(data.X, data.y, task, hyper, epochs=300)
    ref = trajectory.reference.coef[0]
    distance = np.linalg.norm(trajectory.coef_fitted[:, 0, :] - ref, axis=1)
    assert distance[-1] < 0.01 * distance[0] and distance[-1] < 0.01 * np.linalg.norm(ref)
    assert np.all(trajectory.objective >= trajectory.reference_objective - 1e-12)


def test_optimal_rate_on_one_raw_feature_diverges_and_is_caught(diabetes):
    hyper = {"learning_rate": "optimal", "shuffle": False, "random_state": 0}
    trajectory = sgd_trajectory(diabetes.X[["bmi"]], diabetes.y, "regression", hyper, scale=False)
    assert trajectory.diverged and len(trajectory.epochs) < 10
    assert np.isfinite(trajectory.coef).all() and np.isfinite(trajectory.loss).all()
    warning = trajectory.sentences[-1]
    assert warning.level == "warning" and "'optimal'" in warning.text and "diverged" in warning.text


# --- the family --------------------------------------------------------------------------
def test_each_estimator_gets_scikit_learns_own_defaults():
    for estimator in FAMILY.estimators:
        defaults = estimator.estimator().get_params()
        for spec in FAMILY.hyperparameters_for(estimator.id):
            assert defaults[spec.name] == spec.default, (estimator.id, spec.name)
    classifier = {s.name: s for s in FAMILY.hyperparameters_for("sgd_classifier")}
    assert classifier["learning_rate"].default == "optimal"
    assert classifier["learning_rate"].initial == "constant"
    assert FAMILY.get_estimator("sgd_classifier").make({}).loss == "log_loss"
    learning_rate = {s.name: s for s in HYPERPARAMETERS}["learning_rate"]
    for choice in learning_rate.choices:
        SGDRegressor(learning_rate=choice, max_iter=2, tol=None).fit([[0.0], [1.0]], [0.0, 1.0])


def test_extract_back_transforms_through_the_scaler(diabetes):
    values = {s.name: s.initial for s in FAMILY.hyperparameters_for("sgd_regressor")}
    fit = fit_model(FAMILY, "sgd_regressor", {**values, "max_iter": 30}, diabetes)
    learned = FAMILY.extract(fit)
    assert isinstance(learned, LearnedParameters) and learned.n_parameters == 11
    scaler = fit.pipeline.named_steps["scale"]
    coef, intercept = learned.group("coef_"), learned.group("intercept_")
    np.testing.assert_allclose(coef.fitted, fit.model.coef_)
    np.testing.assert_allclose(coef.values, fit.model.coef_ / scaler.scale_)
    expected = fit.model.intercept_ - np.sum(fit.model.coef_ * scaler.mean_ / scaler.scale_)
    np.testing.assert_allclose(intercept.values, expected)
    X = diabetes.X.to_numpy()
    np.testing.assert_allclose(X @ coef.values + intercept.values, fit.pipeline.predict(diabetes.X))
    # The generated script's lines read the same fitted values.
    namespace = {
        "np": np,
        "pipeline": fit.pipeline,
        "model": fit.model,
        "X_train": diabetes.X.iloc[fit.split.train],
        "SCALE": True,
        "feature_names": list(fit.feature_names),
        "outputs": [diabetes.target],
    }
    exec(FAMILY.script_parameters, namespace)
    table = learned.table()
    for name, value in namespace["learned"].items():
        np.testing.assert_allclose(
            np.ravel(value), table.loc[table["group"] == name, "value_fitted"].to_numpy()
        )


def test_interpretation_reports_the_walk(diabetes, iris):
    values = {s.name: s.initial for s in FAMILY.hyperparameters_for("sgd_regressor")}
    fit = fit_model(FAMILY, "sgd_regressor", {**values, "max_iter": 20}, diabetes)
    texts = [s.text for s in FAMILY.interpret(fit, diabetes, FAMILY.extract(fit))]
    assert texts[0] == "SGD ran all 20 epochs."
    assert "Ridge(alpha = n × alpha = 331 × 0.0001" in texts[1]
    bad = fit_model(
        FAMILY,
        "sgd_regressor",
        {**values, "max_iter": 5, "learning_rate": "constant", "eta0": 1.0},
        diabetes,
        scale=False,
    )
    sentences = FAMILY.interpret(bad, diabetes, FAMILY.extract(bad))
    assert any(s.level == "warning" and s.text.startswith("SGD diverged") for s in sentences)
    values = {s.name: s.initial for s in FAMILY.hyperparameters_for("sgd_classifier")}
    fit = fit_model(FAMILY, "sgd_classifier", values, iris)
    texts = [s.text for s in FAMILY.interpret(fit, iris, FAMILY.extract(fit))]
    assert any("each class against all the others" in t for t in texts)
    assert texts[0].startswith(
        f"SGD stopped after {fit.model.n_iter_} of at most {values['max_iter']} epochs"
    )


# --- figures -------------------------------------------------------------------------------
def test_figures_carry_the_runs_and_the_optimum(problems, diabetes):
    problem = problems["squared, scaled"]
    opt = optimum(problem)
    a = run_descent(problem, DescentSettings(batch_size=1, epochs=5))
    b = run_descent(problem, DescentSettings(eta0=0.3, schedule="invscaling"))
    surface = loss_surface(problem, opt, [a, b])
    fig = F.loss_surface_figure(surface, [("A", a), ("B", b)], problem)
    contour = fig.data[0]
    assert np.asarray(contour.z).shape == (60, 60)
    np.testing.assert_allclose(contour.customdata, surface.loss)
    star = next(t for t in fig.data if t.name == "optimum")
    assert (star.x[0], star.y[0]) == (opt.slope, opt.intercept)
    path_a = next(t for t in fig.data if t.name == "A")
    assert len(path_a.x) <= 400 and path_a.x[0] == 0 and path_a.x[-1] == a.final[0]
    assert next(t for t in fig.data if t.name == "B: start").x[0] == 0.0
    runs = [("A", a), ("B", b)]
    loss = F.loss_curve_figure(runs, opt).data[1]
    np.testing.assert_allclose(loss.y, np.maximum(b.loss - opt.loss, 1e-16 * b.loss[0]))
    params = F.parameter_steps_figure(runs, opt)
    reference = [t for t in params.data if t.name == "optimum"]
    assert [t.y[0] for t in reference] == [opt.slope, opt.intercept]
    rate = F.learning_rate_figure(runs).data[1]
    np.testing.assert_allclose(rate.y, b.learning_rate)
    norms = F.gradient_norm_figure(runs).data[1]
    np.testing.assert_allclose(norms.y, np.maximum(b.grad_norm, 1e-300))
    trajectory = sgd_trajectory(diabetes.X, diabetes.y, "regression", {"shuffle": False}, epochs=5)
    fig = F.sgd_trajectory_figure(trajectory)
    bmi = [t for t in fig.data if t.legendgroup == "bmi"]
    j = trajectory.feature_names.index("bmi")
    np.testing.assert_allclose(bmi[0].y, trajectory.coef[:, 0, j] * trajectory.feature_sd[j])
    assert bmi[1].y[0] == pytest.approx(trajectory.reference_coef[0, j] * trajectory.feature_sd[j])
    objective = F.sgd_objective_figure(trajectory)
    assert np.all(np.asarray(objective.data[0].y) > 0)
    # Log axes are labelled 1-2-5 within decades (whole decades on long ranges), at most
    # eight labels: never plotly's repeated minor 2s and 5s.
    for figure in (F.loss_curve_figure(runs, opt), F.gradient_norm_figure(runs), objective):
        ticks = np.asarray(figure.layout.yaxis.tickvals, dtype=float)
        assert 2 <= len(ticks) <= 8 and len(set(figure.layout.yaxis.ticktext)) == len(ticks)
        mantissa = np.round(ticks / 10 ** np.floor(np.log10(ticks) + 1e-9), 6)
        assert set(mantissa) <= {1.0, 2.0, 5.0}


def test_thinning_keeps_ends():
    keep = F.thin(20_001, 1500)
    assert len(keep) <= 1500 and keep[0] == 0 and keep[-1] == 20_000
    assert list(F.thin(10)) == list(range(10))


def test_objective_adds_the_penalty(diabetes):
    X = StandardScaler().fit_transform(diabetes.X)
    y = diabetes.y.to_numpy()
    coef, intercept = np.full((1, 10), 2.0), np.array([150.0])
    expected = 0.5 * np.mean((y - X @ coef[0] - 150.0) ** 2) + 0.5 * 0.1 * 40.0
    assert objective(coef, intercept, X, y, "regression", 0.1) == pytest.approx(expected)


def test_log_loss_optimum_agrees_with_lbfgs():
    """An independent solver (lbfgs) finds the same unpenalised optimum."""
    data = load_dataset("breast_cancer", "classification")
    problem = make_problem(data, "worst concave points")
    model = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(
        problem.x[:, None], problem.y
    )
    opt = optimum(problem)
    assert opt.slope == pytest.approx(model.coef_[0, 0], rel=1e-6)


# --- the view's report -------------------------------------------------------------------
def test_report_runs_a_and_b_on_one_surface_and_says_which_got_closer(problems):
    problem = problems["squared, scaled"]
    a_settings = DescentSettings(eta0=0.05, epochs=100)
    b_settings = DescentSettings(eta0=0.05, momentum=0.8, epochs=100)
    report = descent_report(problem, [("A", a_settings), ("B", b_settings)])
    opt = optimum(problem)
    assert (report.optimum.slope, report.optimum.intercept) == (opt.slope, opt.intercept)
    for run, settings in zip(report.runs, (a_settings, b_settings), strict=True):
        path = run_descent(problem, settings)
        np.testing.assert_array_equal(run.path.params, path.params)
        assert run.verdict == judge_run(problem, path, opt)
        gap = path.loss - opt.loss
        expected = int(np.argmax(gap <= CLOSED_SHARE * gap[0]))
        assert run.steps_to_close == steps_to_close(path, opt) == expected
        assert f"after {expected:,} updates" in run.sentences[-1].text
        assert report.surface.slopes[0] <= path.params[:, 0].min()
        assert path.params[:, 0].max() <= report.surface.slopes[-1]
    a, b = report.runs
    closer = "A" if a.verdict.distance < b.verdict.distance else "B"
    assert f"{closer} ended closer" in report.sentences[-1].text
    # The feature's own units: the standardised optimum is the raw least-squares line.
    raw = LinearRegression().fit(problem.x[:, None] * problem.scale + problem.center, problem.y)
    assert f"{raw.coef_[0]:.4g}·bmi" in a.sentences[2].text


def test_report_judges_the_rate_against_the_limit(problems):
    problem = problems["squared, raw"]
    limit = diagnose(problem, optimum(problem)).max_stable_eta
    too_large = descent_report(problem, [("A", DescentSettings(eta0=1.5 * limit))]).runs[0]
    rate = too_large.sentences[1]
    assert rate.level == "warning" and "1.5 × the largest stable rate" in rate.text
    assert "too large" in rate.text and too_large.verdict.kind == "divergent"
    assert np.isfinite(too_large.path.params).all()
    small = descent_report(problem, [("A", DescentSettings(eta0=1e-6 * limit))]).runs[0]
    assert "small" in small.sentences[1].text and small.sentences[1].level == "info"


def test_problem_from_values_and_the_time_estimate(diabetes, breast_cancer):
    rows = np.arange(0, len(diabetes.y), 2)
    problem = problem_from_values(diabetes, {"gd_feature": "bp", "gd_scale": False}, rows)
    assert problem.n == len(rows) and not problem.scaled and problem.feature == "bp"
    np.testing.assert_array_equal(problem.x, diabetes.X["bp"].to_numpy()[rows])
    full, one_row = DescentSettings(), DescentSettings(batch_size=1, epochs=1000)
    assert estimated_seconds(442, [full], False) < estimated_seconds(442, [one_row], False)
    assert estimated_seconds(569, [full], False) < estimated_seconds(569, [full], True)
    assert estimated_seconds(442, [full, one_row], False) > estimated_seconds(442, [one_row], False)


def test_replay_reports_progress_after_every_epoch(diabetes):
    told = []
    trajectory = sgd_trajectory(
        diabetes.X,
        diabetes.y,
        "regression",
        {"shuffle": False},
        epochs=7,
        progress=lambda done, total: told.append((done, total)),
    )
    assert told == [(k, 7) for k in range(1, 8)] and len(trajectory.epochs) == 7


def test_class_table_reads_each_row_against_the_rest(iris, breast_cancer):
    values = {s.name: s.initial for s in FAMILY.hyperparameters_for("sgd_classifier")}
    fit = fit_model(FAMILY, "sgd_classifier", values, iris)
    params = FAMILY.extract(fit).detail
    table = class_table(params, tuple(str(c) for c in fit.model.classes_))
    assert set(table["versus"]) == {"the rest"} and len(table) == 12
    np.testing.assert_allclose(table["odds_ratio"], np.exp(table["coef"]))
    np.testing.assert_allclose(table["odds_ratio_per_sd"], np.exp(table["coef_per_sd"]))
    fit = fit_model(FAMILY, "sgd_classifier", values, breast_cancer)
    params = FAMILY.extract(fit).detail
    classes = tuple(str(c) for c in fit.model.classes_)
    binary = class_table(params, classes)
    assert set(binary["versus"]) == {classes[0]} and set(binary["output"]) == {classes[1]}
