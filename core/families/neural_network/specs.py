"""The network's hyperparameter specs: its shape, penalty and optimiser settings."""

from __future__ import annotations

from core.specs import ParamSpec

HIDDEN_LAYER_SIZES = ParamSpec(
    name="hidden_layer_sizes",
    label="hidden_layer_sizes (units per hidden layer)",
    kind="layers",
    default=(100,),
    start=(8, 4),
    help="How many hidden layers, and how many units each: 8,4 is two hidden layers of 8 "
    "and 4 units. Every unit adds one weight per unit in the layer before it, plus a bias.",
)
ACTIVATION = ParamSpec(
    name="activation",
    label="activation (hidden units' function)",
    kind="choice",
    default="relu",
    choices=("relu", "tanh", "logistic", "identity"),
    choice_labels=("relu: max(0, z)", "tanh", "logistic: 1/(1+e⁻ᶻ)", "identity: z (linear)"),
    help="The function each hidden unit applies to its weighted sum. With identity the "
    "whole network is a linear model, however many layers it has.",
)
ALPHA = ParamSpec(
    name="alpha",
    label="alpha (L2 penalty)",
    kind="float",
    default=0.0001,
    low=1e-6,
    high=100.0,
    log=True,
    step=0.0001,
    help="Strength of the L2 penalty on the weights (not the biases): larger values keep "
    "the weights small and the fitted function smoother.",
)


def _steps_in_batches(values: dict) -> bool:
    """adam and sgd step on mini-batches; lbfgs reads no step size, batch or early stop."""
    return values.get("solver", "adam") != "lbfgs"


SOLVER = ParamSpec(
    name="solver",
    label="solver",
    kind="choice",
    default="adam",
    choices=("adam", "sgd", "lbfgs"),
    choice_labels=("adam", "sgd (with momentum 0.9)", "lbfgs (full batch, no epochs)"),
    role="optimizer",
    help="How the weights are searched for. adam and sgd take small steps on mini-batches, "
    "epoch by epoch; lbfgs takes quasi-Newton steps on the whole training set and often "
    "suits small data sets.",
)
LEARNING_RATE_INIT = ParamSpec(
    name="learning_rate_init",
    label="learning_rate_init (step size)",
    kind="float",
    default=0.001,
    start=0.01,
    low=1e-5,
    high=1.0,
    log=True,
    step=0.001,
    role="optimizer",
    help="Size of the first steps of adam and sgd (ignored by lbfgs). Too small trains "
    "slowly; too large makes the loss jump around or diverge.",
    used_when=_steps_in_batches,
)
#: batch_size is a choice, not a nullable whole number: scikit-learn's own default is the
#: string "auto" (= min(200, training rows)), which a choice holds as itself, so the spec's
#: default equals scikit-learn's and the ledger marks only real changes; the other choices
#: span pure stochastic steps (1) to large mini-batches.
BATCH_SIZE = ParamSpec(
    name="batch_size",
    label="batch_size (rows per step)",
    kind="choice",
    default="auto",
    choices=("auto", 1, 8, 16, 32, 64, 128, 256, 512),
    choice_labels=("auto: min(200, rows)", "1", "8", "16", "32", "64", "128", "256", "512"),
    role="optimizer",
    help="Training rows per weight update for adam and sgd (ignored by lbfgs). Smaller "
    "batches take more, noisier steps per epoch.",
    used_when=_steps_in_batches,
)
MAX_ITER = ParamSpec(
    name="max_iter",
    label="max_iter (epochs at most)",
    kind="int",
    default=200,
    start=500,
    low=1,
    high=2000,
    step=50,
    role="optimizer",
    help="For adam and sgd the most epochs (passes over the training rows); for lbfgs the "
    "most iterations. Training stops earlier once the loss stops improving by tol.",
)
EARLY_STOPPING = ParamSpec(
    name="early_stopping",
    label="early_stopping",
    kind="bool",
    default=False,
    role="optimizer",
    help="Hold out 10% of the training rows, score them after every epoch, stop when the "
    "score stops improving and keep the best epoch's weights (adam and sgd only).",
    used_when=_steps_in_batches,
)
RANDOM_STATE = ParamSpec(
    name="random_state",
    label="random_state (initial weights)",
    kind="int",
    default=None,
    start=0,
    low=0,
    high=2**32 - 1,
    nullable=True,
    role="optimizer",
    help="Seed of the random initial weights (and the order of the rows in each epoch); "
    "separate from the data split's seed. none gives a different network on every fit.",
)

HYPERPARAMETERS = (
    HIDDEN_LAYER_SIZES,
    ACTIVATION,
    ALPHA,
    SOLVER,
    LEARNING_RATE_INIT,
    BATCH_SIZE,
    MAX_ITER,
    EARLY_STOPPING,
    RANDOM_STATE,
)
NAMES = tuple(p.name for p in HYPERPARAMETERS)
