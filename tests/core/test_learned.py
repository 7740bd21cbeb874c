"""The general learned-parameters type: counts, tables, terms and headlines of any shape."""

from __future__ import annotations

import numpy as np
import pytest

from core.data.prepare import load_dataset
from core.fitting import fit_model
from core.learned import LearnedParameters, ParameterGroup, StoredData
from core.registry import LINEAR_REGRESSION, LOGISTIC_REGRESSION
from core.setting import Setting


def on(dataset, fit) -> Setting:
    """The Setting of a test's fit on a data set (default split, scaled)."""
    return Setting.on(dataset, fit.family_id, fit.estimator_id, fit.hyperparameters)


def _network_like() -> LearnedParameters:
    w1 = np.arange(6.0).reshape(2, 3)
    b1 = np.array([0.5, -0.5, 1.0])
    return LearnedParameters(
        groups=(
            ParameterGroup("coefs_[0]", "weights 1", w1, (("x1", "x2"), ("h1", "h2", "h3"))),
            ParameterGroup("intercepts_[0]", "biases 1", b1, (("h1", "h2", "h3"),)),
        )
    )


def test_count_table_and_shapes_follow_the_groups():
    learned = _network_like()
    assert learned.n_parameters == 9
    table = learned.table(axes=True)
    assert len(table) == 9
    np.testing.assert_array_equal(table["value"].iloc[:6], np.arange(6.0))
    assert list(table.columns[:4]) == ["group", "term", "axis_1", "axis_2"]
    assert table["axis_1"].iloc[5] == "x2" and table["axis_2"].iloc[5] == "h3"
    assert list(learned.shapes()["shape"]) == ["2 × 3", "3"]


def test_terms_stay_unique_for_compare_when_groups_share_labels():
    assert _network_like().flat()["x2: h3"] == 5.0  # unique already: no prefix
    groups = _network_like().groups
    again = ParameterGroup("intercepts_[1]", "biases 2", [7.0, 8.0, 9.0], (("h1", "h2", "h3"),))
    flat = LearnedParameters((*groups, again)).flat()
    # "h3" is now a bias in two layers: the group labels keep the terms apart.
    assert flat.index.is_unique
    assert flat["biases 1: h3"] == 1.0 and flat["biases 2: h3"] == 9.0
    assert flat["weights 1: x2: h3"] == 5.0


def test_fixed_values_are_shown_but_not_counted():
    fixed = ParameterGroup("intercept_", "intercept", [0.0], (("(intercept)",),), learned=False)
    coef = ParameterGroup("coef_", "coefficients", [1.0, 2.0], (("a", "b"),))
    learned = LearnedParameters((coef, fixed))
    assert learned.n_parameters == 2 and len(learned.table()) == 3
    assert "(intercept)" not in learned.flat().index


def test_shapes_and_labels_must_agree():
    with pytest.raises(ValueError, match="labels"):
        ParameterGroup("coef_", "coefficients", [1.0, 2.0], (("only one",),))
    with pytest.raises(ValueError, match="per_sd"):
        ParameterGroup("coef_", "c", [1.0, 2.0], (("a", "b"),), per_sd=[1.0])


def test_a_model_that_learns_nothing_says_what_it_stores():
    stored = StoredData(n_rows=112, n_features=4, n_bytes=3584, description="the rows")
    learned = LearnedParameters(groups=(), stored=stored)
    assert learned.n_parameters == 0 and learned.table().empty
    assert learned.headline() == "no learned parameters; stores 448 values"


def test_headline_names_the_largest_effect_per_sd():
    learned = LearnedParameters(
        (ParameterGroup("coef_", "c", [10.0, -1.0], (("a", "b"),), per_sd=[0.1, -3.0]),)
    )
    assert learned.headline() == "2 learned; largest |b| = -3 per SD"


@pytest.mark.parametrize(
    ("family", "dataset", "count"),
    [(LINEAR_REGRESSION, "diabetes", 11), (LOGISTIC_REGRESSION, "iris", 15)],
)
def test_linear_families_count_every_coefficient_and_intercept(family, dataset, count):
    data = load_dataset(dataset, family.tasks[0])
    fit = fit_model(family, family.estimator_spec().default, {}, data)
    learned = family.extract(fit)
    assert learned.n_parameters == count
    coef = np.atleast_2d(fit.model.coef_)
    fitted = learned.group("coef_").fitted
    np.testing.assert_allclose(np.atleast_2d(fitted), coef, rtol=1e-12)
    table = learned.table()
    np.testing.assert_allclose(
        table.loc[table["group"] == "intercept_", "value_fitted"], fit.model.intercept_
    )


def test_an_unlearned_intercept_is_not_counted(diabetes):
    fit = fit_model(LINEAR_REGRESSION, "ridge", {"fit_intercept": False}, diabetes)
    learned = LINEAR_REGRESSION.extract(fit)
    assert learned.n_parameters == 10
    assert not learned.group("intercept_").learned


def test_a_snapshot_of_a_huge_model_stays_small(diabetes):
    from core.compare import MAX_SNAPSHOT_TERMS, make_snapshot

    fit = fit_model(LINEAR_REGRESSION, "ridge", {}, diabetes)
    weights = np.arange(200 * 100, dtype=float).reshape(200, 100)
    axes = (tuple(f"i{i}" for i in range(200)), tuple(f"o{j}" for j in range(100)))
    huge = LearnedParameters((ParameterGroup("coefs_[0]", "weights", weights, axes),))
    snapshot = make_snapshot(fit, huge, on(diabetes, fit))
    assert snapshot.n_parameters == 20_000
    assert len(snapshot.terms) == MAX_SNAPSHOT_TERMS
    assert snapshot.terms["value"].iloc[-1] == MAX_SNAPSHOT_TERMS - 1


def test_a_deeply_nested_pinned_link_is_a_sentence():
    from core.links import parse_pinned

    with pytest.raises(ValueError, match="nested too deeply"):
        parse_pinned(LINEAR_REGRESSION, "[" * 1900)
