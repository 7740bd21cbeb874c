"""The Tune tab's settings as specs: what a search is asked to do, each a URL key declared
in the one link registry (:mod:`core.links`) with its parser and bounds.

Kept apart from :mod:`core.search` so the link registry reads them without importing the
search machinery.
"""

from __future__ import annotations

from core.specs import ParamSpec

#: The hyperparameters a search chooses: the first is required, the second optional
#: (``none``). Their options are the estimator's (``core.search.tunable_specs``), known only
#: on the page, so the registry bounds them there (data-bound keys).
TUNE_KEY = "tune"
TUNE2_KEY = "tune2"
#: The second hyperparameter's "no second one".
NO_SECOND = "none"

TUNE_POINTS = ParamSpec(
    name="tune_points",
    label="Grid points",
    kind="int",
    default=6,
    low=2,
    high=20,
    step=1,
    role="data",
    help="How many values of the first hyperparameter the grid holds (log-spaced where its "
    "spec is log; a choice offers each of its options).",
)
TUNE_POINTS2 = ParamSpec(
    name="tune_points2",
    label="Grid points (second)",
    kind="int",
    default=5,
    low=2,
    high=20,
    step=1,
    role="data",
    help="How many values of the second hyperparameter the grid holds.",
)
TUNE_STRATEGY = ParamSpec(
    name="tune_strategy",
    label="Strategy",
    kind="choice",
    default="grid",
    choices=("grid", "random", "halving"),
    choice_labels=(
        "Full grid (GridSearchCV)",
        "Random candidates (RandomizedSearchCV)",
        "Successive halving (HalvingGridSearchCV)",
    ),
    role="data",
    help="grid: every candidate on every fold. random: a seeded sample of the grid's "
    "candidates. halving: every candidate on few rows, the best third kept on three times "
    "as many, until the best ones see every training row.",
)
TUNE_FOLDS = ParamSpec(
    name="tune_folds",
    label="Inner folds",
    kind="int",
    default=5,
    low=2,
    high=10,
    step=1,
    role="data",
    help="Folds of the training rows that score each candidate (KFold without shuffling; "
    "StratifiedKFold for classes: scikit-learn's defaults for cv=5).",
)
TUNE_OUTER = ParamSpec(
    name="tune_outer",
    label="Outer folds",
    kind="int",
    default=5,
    low=2,
    high=10,
    step=1,
    role="data",
    help="Folds of the training rows the whole search is cross-validated on (nested "
    "cross-validation): each outer fold runs the search on the rest and scores its choice "
    "on rows the search never saw.",
)
TUNE_ITER = ParamSpec(
    name="tune_iter",
    label="Random candidates",
    kind="int",
    default=10,
    low=1,
    high=400,
    step=1,
    role="data",
    help="How many of the grid's candidates a random search tries (at most the grid's size).",
)
#: The search's static keys, in the order the Tune tab draws them.
SEARCH_SPECS: tuple[ParamSpec, ...] = (
    TUNE_POINTS,
    TUNE_POINTS2,
    TUNE_STRATEGY,
    TUNE_FOLDS,
    TUNE_OUTER,
    TUNE_ITER,
)
