"""The registry's specs: validation, and defaults that are scikit-learn's own."""

import math

import pytest

from core.data.catalogue import DATASETS
from core.registry import ALL_FAMILIES, get_family
from core.specs import ParamSpec, resolve

ALPHA = get_family("linear_regression").hyperparameters[0]


def test_float_spec_parses_url_text_and_enforces_bounds():
    assert ALPHA.validate("2.5") == 2.5
    with pytest.raises(ValueError, match="below the minimum"):
        ALPHA.validate("-1")
    with pytest.raises(ValueError, match="expected a number"):
        ALPHA.validate("abc")
    with pytest.raises(ValueError, match="NaN"):
        ALPHA.validate("nan")


def test_int_bool_and_choice_specs():
    n = ParamSpec("n", "n", "int", 3, "", low=1, high=10)
    assert n.validate("4") == 4
    with pytest.raises(ValueError, match="whole number"):
        n.validate("4.5")
    flag = ParamSpec("f", "f", "bool", True, "")
    assert flag.validate("false") is False and flag.validate("1") is True
    with pytest.raises(ValueError, match="true or false"):
        flag.validate("maybe")
    pick = ParamSpec("p", "p", "choice", "a", "", choices=("a", "b"), choice_labels=("A", "B"))
    assert pick.validate("b") == "b" and pick.label_for("b") == "B"
    with pytest.raises(ValueError, match="not one of"):
        pick.validate("c")


def test_resolve_fills_defaults_and_lists_changed_values():
    family = get_family("linear_regression")
    setting = resolve(family.hyperparameters_for("ridge"), {"alpha": "3", "ignored": 1})
    assert setting.values == {"alpha": 3.0, "fit_intercept": True}
    assert setting.changed == ("alpha",)


@pytest.mark.parametrize("family", ALL_FAMILIES, ids=lambda f: f.id)
def test_hyperparameter_defaults_are_scikit_learns_defaults(family):
    """'Changed' on the page means 'differs from scikit-learn', so the defaults must match."""
    for estimator in family.estimators:
        sk_defaults = estimator.estimator().get_params()
        for spec in family.hyperparameters_for(estimator.id):
            if spec.name == "solver" or spec.name == "class_weight":
                continue  # "auto" and "none" are the app's spellings; checked below
            assert sk_defaults[spec.name] == spec.default, (family.id, estimator.id, spec.name)


def test_logistic_auto_solver_and_none_class_weight_resolve_to_scikit_learn_values():
    spec = get_family("logistic_regression").get_estimator("logistic")
    assert spec.estimator_params({"class_weight": "none", "solver": "auto"}) == {
        "class_weight": None,
        "solver": "lbfgs",
    }
    params = spec.estimator_params({"C": 1.0, "l1_ratio": 0.5, "solver": "auto"})
    assert params["solver"] == "saga"
    assert spec.estimator_params({"C": math.inf, "l1_ratio": 1.0})["solver"] == "lbfgs"
    with pytest.raises(ValueError, match="cannot fit an L1 share"):
        spec.estimator_params({"C": 1.0, "l1_ratio": 1.0, "solver": "lbfgs"})


def test_estimator_ids_are_unique_and_url_safe():
    for family in ALL_FAMILIES:
        ids = [e.id for e in family.estimators]
        assert len(ids) == len(set(ids))
        assert all(i.isidentifier() and i.islower() for i in ids)


def test_dataset_options_sharing_a_name_within_a_task_share_the_spec():
    """Widgets are keyed by option name, so one name must mean one widget per page."""
    seen: dict[tuple[str, str], ParamSpec] = {}
    for dataset in DATASETS:
        for option in dataset.options:
            key = (dataset.task, option.name)
            assert seen.setdefault(key, option) == option, key
