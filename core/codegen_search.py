"""The Tune tab's script: the page's generated script (:func:`core.codegen.python_script`)
followed by the search, which prints the same best values and three scores as the tab.

The search part is plain scikit-learn on the script's own ``X_train`` and ``y_train``: the
search class, the grid as ``model__<name>`` lists, an integer ``cv`` (``KFold`` without
shuffling, ``StratifiedKFold`` for classes), ``cross_validate`` of the whole search with the
outer folds for the nested estimate, and the refitted best model scored once on the test
rows. Every value is a literal from :func:`core.codegen.python_literal`.
"""

from __future__ import annotations

from typing import Any

from core.codegen import python_literal, python_script
from core.family import FamilySpec
from core.search import STRATEGIES, SearchPlan, sklearn_grids
from core.setting import Setting

SEARCH_CODE = """

# --- the search: how the hyperparameters are chosen (Parameter Lab's Tune tab) ---
# Parameters are fitted on training rows, hyperparameters chosen on validation folds, and
# the test rows judge once. Runs on every core (n_jobs=-1); on a Dask or Ray cluster, wrap
# the calls below in joblib.parallel_config(backend="dask") or backend="ray".
from sklearn.experimental import enable_halving_search_cv  # noqa: E402,F401
from sklearn.model_selection import $strategy_class, cross_validate  # noqa: E402

PARAM_GRID = {
$grid}
INNER_FOLDS = $inner
OUTER_FOLDS = $outer
SCORING = $scoring
N_JOBS = -1

search = $strategy_class(
    Pipeline(steps),
    PARAM_GRID,
    scoring=SCORING,
    cv=INNER_FOLDS,  # an int: KFold without shuffling, StratifiedKFold for classes
    n_jobs=N_JOBS,
    error_score=np.nan,  # a value scikit-learn refuses scores NaN instead of stopping$extra
)
# Nested cross-validation: the whole search, run again inside each outer fold, scored on
# rows that search never saw.
nested = None
outer_choices = []
if OUTER_FOLDS:
    outer = cross_validate(
        search, X_train, y_train, cv=OUTER_FOLDS, scoring=SCORING, return_estimator=True
    )
    nested = float(outer["test_score"].mean())
    outer_choices = [fitted.best_params_ for fitted in outer["estimator"]]
search.fit(X_train, y_train)
test_score = None if test is None else float(search.score(X.iloc[test], y.iloc[test]))
print(
    json.dumps(
        {
            "search": {
                "best": search.best_params_,
                "best_inner_score": float(search.best_score_),
                "nested_estimate": nested,
                "test_score": test_score,
                "outer_choices": outer_choices,
            }
        },
        indent=2,
    )
)
"""


def search_script(
    family: FamilySpec,
    setting: Setting,
    plan: SearchPlan,
    **upload: Any,
) -> str:
    """A standalone script that refits the page's model, then runs the page's search and
    prints, as JSON after the fit's, the best values (``model__<name>``), the best mean
    inner-CV score, the nested-CV estimate and the test score.

    Parameters
    ----------
    family : FamilySpec
        The page's family.
    setting : Setting
        The setting the search starts from (the searched values left out).
    plan : SearchPlan
        The search (:func:`core.search.make_plan`).
    **upload
        As :func:`core.codegen.python_script` (an upload's file name and format).

    Raises
    ------
    ValueError
        As :func:`core.codegen.python_script`.
    """
    from core.scoring import TASK_SCORING
    from core.setting import task_for

    base = python_script(family, setting.link(), **upload)
    grids = sklearn_grids(family, setting, plan)
    lines = "".join(
        f"    {python_literal(f'model__{name}')}: ["
        + ", ".join(python_literal(v) for v in grid)
        + "],\n"
        for name, grid in zip(plan.params, grids, strict=True)
    )
    extra = ""
    if plan.strategy == "random":
        extra = f"\n    n_iter={plan.candidates},\n    random_state=SEED,"
    elif plan.strategy == "halving":
        extra = "\n    random_state=SEED,"
    task = task_for(family, setting.link())
    code = (
        SEARCH_CODE.replace("$strategy_class", STRATEGIES[plan.strategy].__name__)
        .replace("$grid", lines)
        .replace("$inner", python_literal(int(plan.inner)))
        .replace("$outer", python_literal(int(plan.outer) if plan.outer else None))
        .replace("$scoring", python_literal(TASK_SCORING[task].scorer))
        .replace("$extra", extra)
    )
    return base + code
