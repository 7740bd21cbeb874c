"""The two-parameter view's settings as specs: one :class:`core.specs.ParamSpec` per knob.

**URL keys.** Every setting starts with ``gd_``: the family's hyperparameters on the same
page use scikit-learn's names (``eta0``, ``learning_rate``, ``power_t``, ``max_iter``,
``random_state``), and the view's optimiser is another one (it has momentum and batches; its
``t`` counts updates, not rows), so one key for both would let one widget silently set the
other. B settings of an A/B comparison add ``_b`` (:func:`variant_specs`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from core.data.tables import Dataset
from core.families.gradient_descent.optimizer import MAX_STEPS, DescentSettings
from core.families.gradient_descent.problem import class_labels, default_choice, numeric_columns
from core.specs import ParamSpec

#: Batch-size choices: the full data, mini-batches, one row.
BATCH_CHOICES = ("full", "128", "32", "8", "1")

GD_SCALE = ParamSpec(
    name="gd_scale",
    label="Standardise the feature",
    kind="bool",
    default=True,
    role="data",
    help="Centre the feature and divide by its standard deviation. Off shows the raw "
    "feature: usually a narrow valley where one learning rate cannot suit both directions.",
)
GD_ETA0 = ParamSpec(
    name="gd_eta0",
    label="Learning rate (eta0)",
    kind="float",
    default=0.05,
    low=1e-7,
    high=10.0,
    log=True,
    step=0.01,
    role="optimizer",
    help="The step size at the start. Above 2/λmax full-batch descent diverges.",
)
GD_SCHEDULE = ParamSpec(
    name="gd_schedule",
    label="Schedule",
    kind="choice",
    default="constant",
    choices=("constant", "invscaling", "step_decay"),
    choice_labels=(
        "constant: η = eta0",
        "invscaling: η = eta0 / t^power_t",
        "step_decay: η = eta0 · drop^⌊epoch / every⌋",
    ),
    role="optimizer",
    help="How the learning rate changes: t counts updates from 1 (scikit-learn's SGD uses "
    "the same formula, counting rows); step_decay multiplies it by drop every few epochs.",
)
GD_POWER_T = ParamSpec(
    name="gd_power_t",
    label="power_t (invscaling)",
    kind="float",
    default=0.5,
    low=0.0,
    high=2.0,
    step=0.05,
    role="optimizer",
    help="Exponent of invscaling: η = eta0 / t^power_t.",
)
GD_DROP = ParamSpec(
    name="gd_drop",
    label="Drop factor (step_decay)",
    kind="float",
    default=0.5,
    low=0.01,
    high=1.0,
    step=0.05,
    role="optimizer",
    help="step_decay multiplies the learning rate by this every 'every' epochs.",
)
GD_EVERY = ParamSpec(
    name="gd_every",
    label="Drop every N epochs (step_decay)",
    kind="int",
    default=50,
    low=1,
    high=1000,
    step=1,
    role="optimizer",
    help="How many epochs step_decay keeps each learning rate.",
)
GD_MOMENTUM = ParamSpec(
    name="gd_momentum",
    label="Momentum",
    kind="float",
    default=0.0,
    low=0.0,
    high=0.99,
    step=0.05,
    role="optimizer",
    help="Share of the previous step carried into the next (v ← μ v − η g; θ ← θ + v), as "
    "in scikit-learn's MLP sgd solver. Speeds the walk along a valley; too much overshoots.",
)
GD_NESTEROV = ParamSpec(
    name="gd_nesterov",
    label="Nesterov momentum",
    kind="bool",
    default=False,
    role="optimizer",
    help="Look ahead along the velocity before stepping (θ ← θ + μ v − η g), which damps "
    "momentum's overshoot. Does nothing without momentum.",
)
GD_BATCH_SIZE = ParamSpec(
    name="gd_batch_size",
    label="Batch size",
    kind="choice",
    default="full",
    choices=BATCH_CHOICES,
    choice_labels=("Full batch (every row)", "128 rows", "32 rows", "8 rows", "1 row"),
    role="optimizer",
    help="Rows per update. The full batch follows the true downhill direction; smaller "
    "batches take more, noisier steps per epoch (one row is scikit-learn's SGD).",
)
GD_EPOCHS = ParamSpec(
    name="gd_epochs",
    label="Epochs",
    kind="int",
    default=200,
    low=1,
    high=2000,
    step=10,
    role="optimizer",
    help=f"Passes over the rows; at most {MAX_STEPS:,} updates are run in all.",
)
GD_SLOPE0 = ParamSpec(
    name="gd_slope0",
    label="Start slope",
    kind="float",
    default=0.0,
    low=-1e6,
    high=1e6,
    step=1.0,
    role="optimizer",
    help="Where the walk starts: the slope (in the units the model sees).",
)
GD_INTERCEPT0 = ParamSpec(
    name="gd_intercept0",
    label="Start intercept",
    kind="float",
    default=0.0,
    low=-1e6,
    high=1e6,
    step=1.0,
    role="optimizer",
    help="Where the walk starts: the intercept.",
)
GD_SEED = ParamSpec(
    name="gd_seed",
    label="Row-order seed",
    kind="int",
    default=0,
    low=0,
    high=2**32 - 1,
    step=1,
    role="optimizer",
    help="Seeds the row order of each epoch (mini-batches only), as random_state does for "
    "scikit-learn's SGD.",
)
#: The optimiser's settings: the ones an A/B comparison varies.
OPTIMISER_SETTINGS: tuple[ParamSpec, ...] = (
    GD_ETA0,
    GD_SCHEDULE,
    GD_POWER_T,
    GD_DROP,
    GD_EVERY,
    GD_MOMENTUM,
    GD_NESTEROV,
    GD_BATCH_SIZE,
    GD_EPOCHS,
    GD_SLOPE0,
    GD_INTERCEPT0,
    GD_SEED,
)
#: Every data-independent setting of the view; :func:`descent_settings` adds the feature
#: and class choices of a data set.
DESCENT_SETTINGS: tuple[ParamSpec, ...] = (GD_SCALE, *OPTIMISER_SETTINGS)


#: Whether the view draws a second run, B, on the same surface (its settings are
#: :func:`variant_specs` of the optimiser's, keyed ``gd_*_b``).
GD_COMPARE = ParamSpec(
    name="gd_compare",
    label="Compare with a second setting, B",
    kind="bool",
    default=False,
    role="optimizer",
    help="Walk a second time with other optimiser settings on the same surface, from the "
    "same data, so the two paths, losses and learning rates can be compared.",
)


#: The learning rate the view opens on, by task: standardised squared error has curvature 1
#: (stable below 2), the log loss at most ¼ (stable everywhere below 8).
ETA0_START = {"regression": 0.05, "classification": 4.0}


def data_settings(dataset: Dataset) -> tuple[ParamSpec, ...]:
    """The view's ``gd_feature`` choice (and ``gd_class`` for classification) for a data
    set, opening on :func:`default_choice`. Constant features are not offered."""
    feature, positive = default_choice(dataset)
    specs = [
        ParamSpec(
            name="gd_feature",
            label="Feature",
            kind="choice",
            default=feature,
            choices=tuple(numeric_columns(dataset.X)),
            role="data",
            help="The one feature the two-parameter model uses. It opens on the feature most "
            "correlated with the target.",
        )
    ]
    if dataset.task == "classification":
        classes = tuple(str(c) for c in class_labels(dataset.y))
        specs.append(
            ParamSpec(
                name="gd_class",
                label="Class counted as 1",
                kind="choice",
                default=str(positive),
                choices=classes,
                role="data",
                help="The log loss is binary: this class against the rest"
                + (" (the data have more than two classes)." if len(classes) > 2 else "."),
            )
        )
    return tuple(specs)


def descent_settings(dataset: Dataset) -> tuple[ParamSpec, ...]:
    """Every setting of the view for a data set: feature (and class), then
    :data:`DESCENT_SETTINGS` with the task's opening learning rate (:data:`ETA0_START`)."""
    eta0 = replace(GD_ETA0, default=ETA0_START[dataset.task])
    return (*data_settings(dataset), *(eta0 if s is GD_ETA0 else s for s in DESCENT_SETTINGS))


def variant_specs(specs: Sequence[ParamSpec], suffix: str = "_b") -> tuple[ParamSpec, ...]:
    """The same specs under keys with ``suffix``, for the B side of an A/B comparison."""
    return tuple(replace(s, name=f"{s.name}{suffix}", label=f"{s.label} (B)") for s in specs)


def settings_from_values(values: dict[str, Any], suffix: str = "") -> DescentSettings:
    """A :class:`DescentSettings` from validated view values keyed ``gd_*`` (plus
    ``suffix``); absent keys take the spec defaults."""

    def get(spec: ParamSpec) -> Any:
        return values.get(f"{spec.name}{suffix}", spec.default)

    batch = get(GD_BATCH_SIZE)
    return DescentSettings(
        eta0=float(get(GD_ETA0)),
        schedule=get(GD_SCHEDULE),
        power_t=float(get(GD_POWER_T)),
        drop=float(get(GD_DROP)),
        every=int(get(GD_EVERY)),
        momentum=float(get(GD_MOMENTUM)),
        nesterov=bool(get(GD_NESTEROV)),
        batch_size=None if str(batch) == "full" else int(batch),
        epochs=int(get(GD_EPOCHS)),
        slope0=float(get(GD_SLOPE0)),
        intercept0=float(get(GD_INTERCEPT0)),
        seed=int(get(GD_SEED)),
    )


def knob_table() -> pd.DataFrame:
    """Which knob belongs to which optimiser, for the page's legend.

    Columns: ``knob``, ``scikit-learn SGD`` (SGDRegressor / SGDClassifier, the real-data
    view and the page's fit) and ``two-parameter view`` (this module's optimiser).
    """
    rows = [
        ("learning rate", "eta0", "gd_eta0"),
        (
            "schedule",
            "learning_rate: constant, optimal, invscaling, adaptive",
            "gd_schedule: constant, invscaling, step_decay",
        ),
        ("decay exponent", "power_t (t counts rows seen)", "gd_power_t (t counts updates)"),
        ("momentum", "none (MLP's sgd solver has momentum; SGD does not)", "gd_momentum"),
        ("Nesterov", "none", "gd_nesterov"),
        ("batch size", "none: always one row per update", "gd_batch_size: full, 128 ... 1"),
        ("epochs", "max_iter, with tol and n_iter_no_change", "gd_epochs"),
        ("row order", "shuffle, random_state", "gd_seed (mini-batches)"),
        ("penalty", "alpha (L2): moves the optimum", "none: the plain loss"),
        ("start point", "zeros", "gd_slope0, gd_intercept0"),
    ]
    return pd.DataFrame(rows, columns=["knob", "scikit-learn SGD", "two-parameter view"])
