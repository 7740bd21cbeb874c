"""The data settings every page shares (scaling, split, seed, an upload's task) and
the task a flat setting fits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.data.catalogue import UPLOAD_ID, get_dataset_spec
from core.data.tables import Task
from core.specs import ParamSpec

if TYPE_CHECKING:
    from core.family import FamilySpec


# --- data settings shared by every page ------------------------------------------------
SCALE = ParamSpec(
    name="scale",
    label="Standardise",
    kind="bool",
    default=True,
    role="data",
    help="Centre each feature and divide by its standard deviation (fitted on the training "
    "rows only) before fitting. Penalties then treat all features alike. Coefficients are "
    "always also reported back in the features' own units.",
)
TEST_SIZE = ParamSpec(
    name="test_size",
    label="Test share",
    kind="float",
    default=0.25,
    low=0.0,
    high=0.9,
    step=0.05,
    role="data",
    help="Share of rows held out to score the model. 0 fits on all rows; the metrics are "
    "then in-sample only.",
)
SEED = ParamSpec(
    name="seed",
    label="Random seed",
    kind="int",
    default=0,
    low=0,
    high=2**31 - 1,
    step=1,
    role="data",
    help="Seeds the train/test split and any generated data, so a setting is reproducible.",
)
DATA_SETTINGS: tuple[ParamSpec, ...] = (SCALE, TEST_SIZE, SEED)
#: What an uploaded file's target is for, on a page whose family serves both tasks.
TASK = ParamSpec(
    name="task",
    label="Task",
    kind="choice",
    default="classification",
    choices=("classification", "regression"),
    choice_labels=("Classification (predict a class)", "Regression (predict a number)"),
    role="data",
    help="Whether the target holds classes or numbers; built-in data sets know their task.",
)


def task_for(family: FamilySpec, setting: dict[str, Any]) -> Task:
    """The task a flat setting fits: the family's only task, else the data set's own
    (an upload's is the setting's ``task``)."""
    if len(family.tasks) == 1:
        return family.tasks[0]
    dataset_id = setting.get("dataset", family.default_dataset)
    if dataset_id == UPLOAD_ID:
        task = setting.get("task", family.tasks[0])
        return task if task in family.tasks else family.tasks[0]
    try:
        return get_dataset_spec(dataset_id).task
    except KeyError:
        return family.tasks[0]
