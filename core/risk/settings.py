"""The /capacity page's settings: one :class:`core.specs.ParamSpec` per value, which is its
widget, its URL key (declared in :mod:`core.links`) and its check.

Every key carries a prefix (``bv_`` for bias and variance, ``dd_`` for double descent) so
no key of this page means something else on another (``seed``, ``n_samples``)."""

from __future__ import annotations

from core.registry import FAMILIES
from core.risk.bias_variance import CURVES, DEGREE, MAX_DEGREE, eligible_families
from core.specs import ParamSpec

_FAMILIES = eligible_families(FAMILIES)
#: Largest seed a link may carry (NumPy's generators take any whole number; a number box
#: cannot hold more than 2⁵³ exactly).
MAX_SEED = 2**32 - 1

BV_FAMILY = ParamSpec(
    name="bv_family",
    label="Model family",
    kind="choice",
    default=_FAMILIES[0].id,
    choices=tuple(f.id for f in _FAMILIES),
    choice_labels=tuple(f.title for f in _FAMILIES),
    help="The family whose regressor is refitted; its other hyperparameters stay at the "
    "values last used on its page (else the page's start).",
)
BV_SWEEP = ParamSpec(
    name="bv_sweep",
    label="What is swept",
    kind="choice",
    default="capacity",
    choices=("capacity", DEGREE),
    choice_labels=("its capacity hyperparameter", "polynomial degree of x"),
    help="What moves along the table: the family's capacity hyperparameter (ridge alpha, "
    "tree depth, k, a network's alpha), or the degree of the polynomial features of x.",
)
BV_CURVE = ParamSpec(
    name="bv_curve",
    label="True function f(x)",
    kind="choice",
    default="sine",
    choices=tuple(CURVES),
    choice_labels=tuple(label for label, _, _ in CURVES.values()),
    help="The known curve the training samples are drawn around, on x in [0, 1].",
)
BV_NOISE = ParamSpec(
    name="bv_noise",
    label="Noise σ",
    kind="float",
    default=0.3,
    low=0.0,
    high=3.0,
    step=0.05,
    help="Standard deviation of the noise added to f(x); the noise term is σ².",
)
BV_N = ParamSpec(
    name="bv_n",
    label="Training rows n",
    kind="int",
    default=50,
    low=10,
    high=1000,
    step=10,
    help="Rows in each fresh training sample.",
)
BV_DEGREE = ParamSpec(
    name="bv_degree",
    label="Polynomial degree of x",
    kind="int",
    default=5,
    low=1,
    high=MAX_DEGREE,
    help="The model sees x, x², …, x^degree, standardised (1: x alone). Swept instead of "
    "the capacity when 'Swept' says so.",
)
BV_REPEATS = ParamSpec(
    name="bv_repeats",
    label="Refits per value",
    kind="int",
    default=50,
    low=2,
    high=500,
    step=10,
    help="Fresh training samples, each refitted, at every swept value.",
)
BV_SEED = ParamSpec(
    name="bv_seed",
    label="Seed",
    kind="int",
    default=0,
    low=0,
    high=MAX_SEED,
    help="Seeds the training samples: the same seed draws the same samples.",
)
DD_N = ParamSpec(
    name="dd_n",
    label="Training rows n",
    kind="int",
    default=100,
    low=10,
    high=400,
    step=10,
    help="Rows; p is swept from 0.1 n to 4 n features.",
)
DD_R2 = ParamSpec(
    name="dd_r2",
    label="Signal ‖β‖²",
    kind="float",
    default=5.0,
    low=0.1,
    high=100.0,
    step=0.5,
    help="The squared norm of the true coefficients (r² in Hastie et al.).",
)
DD_SIGMA2 = ParamSpec(
    name="dd_sigma2",
    label="Noise variance σ²",
    kind="float",
    default=1.0,
    low=0.01,
    high=100.0,
    step=0.1,
    help="Variance of the noise added to Xβ.",
)
DD_REPEATS = ParamSpec(
    name="dd_repeats",
    label="Draws per p",
    kind="int",
    default=50,
    low=2,
    high=1000,
    step=10,
    help="Fresh (X, β, noise) draws at each number of features.",
)
DD_SEED = ParamSpec(
    name="dd_seed",
    label="Seed",
    kind="int",
    default=0,
    low=0,
    high=MAX_SEED,
    help="Seeds the draws.",
)

BIAS_VARIANCE_SPECS = (
    BV_FAMILY,
    BV_SWEEP,
    BV_CURVE,
    BV_NOISE,
    BV_N,
    BV_DEGREE,
    BV_REPEATS,
    BV_SEED,
)
DOUBLE_DESCENT_SPECS = (DD_N, DD_R2, DD_SIGMA2, DD_REPEATS, DD_SEED)
#: Every URL key the page reads.
CAPACITY_PAGE_SPECS = (*BIAS_VARIANCE_SPECS, *DOUBLE_DESCENT_SPECS)
