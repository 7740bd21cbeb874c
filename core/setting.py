"""What defines one fit: the :class:`Setting` (family, estimator, hyperparameters, data,
split), the data settings every page shares (scaling, split, seed, an upload's task), and
the task a flat setting fits."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from core.data.catalogue import UPLOAD_ID, get_dataset_spec
from core.data.tables import Dataset, Task
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


@dataclass(frozen=True)
class Setting:
    """Everything that defines one fit, resolved once from the widgets or a link.

    It is the key of every cache downstream of the fit, the entry of the run history, a
    side of the A/B comparison, the link and the setting file (:meth:`link`) and the
    generated script's input. Immutable and hashable, so equal settings share one fit.

    Parameters
    ----------
    family_id, estimator_id : str
        Which registry entries to fit.
    hyperparameters : tuple of (str, value) pairs
        The estimator's values, sorted by name (hashable, order-free).
    data_key : str
        Identifies the table: a data set's id with its generator options, or an upload's
        content fingerprint.
    target : str
        The predicted column.
    scale : bool
        Standardise the features.
    test_size : float
        Share of test rows.
    seed : int
        Random state of the split (and of generated data).
    data : tuple of (str, value) pairs, default=()
        The data choice by link key (``dataset``, a generated set's options, an upload's
        ``task``), in the order a link writes them.
    """

    family_id: str
    estimator_id: str
    hyperparameters: tuple[tuple[str, Any], ...]
    data_key: str
    target: str
    scale: bool
    test_size: float
    seed: int
    data: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(
        cls,
        family_id: str,
        estimator_id: str,
        values: dict[str, Any],
        *,
        data: dict[str, Any] | None = None,
        **settings: Any,
    ) -> Setting:
        """A setting from a page's values, its data choice by link key (``data``) and its
        data settings (``data_key``, ``target``, ``scale``, ``test_size``, ``seed``)."""
        return cls(
            family_id,
            estimator_id,
            tuple(sorted(values.items())),
            data=tuple((data or {}).items()),
            **settings,
        )

    @classmethod
    def on(
        cls,
        dataset: Dataset,
        family_id: str,
        estimator_id: str,
        values: dict[str, Any],
        *,
        scale: bool = True,
        test_size: float = 0.25,
        seed: int = 0,
    ) -> Setting:
        """A setting for a prepared data set held in memory (a script, a test): the data
        set's name is its key and its target column the target."""
        return cls.of(
            family_id,
            estimator_id,
            values,
            data_key=dataset.name,
            target=str(dataset.y.name),
            scale=scale,
            test_size=test_size,
            seed=seed,
        )

    @property
    def values(self) -> dict[str, Any]:
        """The hyperparameters as a dict."""
        return dict(self.hyperparameters)

    @property
    def fitted_on(self) -> str:
        """Which data a fit saw (table and target), so comparisons can flag other data."""
        return f"{self.data_key}:{self.target}"

    def with_values(self, values: dict[str, Any]) -> Setting:
        """The same data and estimator with other hyperparameter values."""
        return replace(self, hyperparameters=tuple(sorted(values.items())))

    def without(self, name: str) -> Setting:
        """The setting with one hyperparameter left out: for work that does not depend on
        its current value (a sweep over it), so moving it reuses the cached result."""
        return replace(
            self, hyperparameters=tuple(kv for kv in self.hyperparameters if kv[0] != name)
        )

    def split_settings(self) -> dict[str, Any]:
        """How the rows are prepared and split: the keyword arguments
        :func:`core.fitting.fit_model` takes besides the family, values and data."""
        return {"scale": self.scale, "test_size": self.test_size, "seed": self.seed}

    def data_settings(self) -> dict[str, Any]:
        """The data choice, target and split by link key, in link order."""
        return {
            **dict(self.data),
            "target": self.target,
            "scale": self.scale,
            "test_size": self.test_size,
            "seed": self.seed,
        }

    def link(self) -> dict[str, Any]:
        """Everything that defines the fit by link key, in link order: the data settings,
        the estimator, then its hyperparameters."""
        return {**self.data_settings(), "estimator": self.estimator_id, **self.values}
