"""What a model family is: its estimators, its hyperparameter specs, and its capabilities.

A family module in ``core/families/`` builds one :class:`FamilySpec`; the registry only
collects them. Shared code (the page frame, sweeps, exports, the generated script) asks what
a family *can do* through the fields here, never which family it is:

- ``extract`` (every family): the fitted pipeline's learned parameters as a
  :class:`core.learned.LearnedParameters`;
- ``interpret`` (every family): plain-language sentences from the fit;
- ``script_parameters`` (every family): the lines of the generated script that read the
  learned parameters off the fitted pipeline;
- ``sweep_measures``: what a sweep reads off each refit's learned parameters (the
  coefficients, a network's weight norm per layer, a tree's leaves), as named numbers;
- ``resampled_terms``: reads a refit's learned terms that keep their meaning across refits
  (a coefficient does; a hidden unit does not), so the Stability tab can show their spread
  across resamples;
- ``explain_row``: how the learned parameters turn one row into its prediction (the Predict
  tab);
- per estimator, ``path`` (a :class:`PathTracer` that traces the coefficients over the
  penalty), ``inference`` (classical standard errors when ``unpenalised(values)``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from sklearn.base import BaseEstimator

from core.specs import ParamSpec

if TYPE_CHECKING:
    from core.data.tables import Dataset
    from core.fitting import FitResult
    from core.learned import LearnedParameters
    from core.row_story import RowStory
    from core.text import Sentence
from core.data.tables import Task


class PathTracer(Protocol):
    """How an estimator traces its coefficients over its penalty (an estimator's ``path``).

    The concrete tracers (one SVD for ridge, coordinate descent's own path for the lasso and
    elastic net, warm-started refits over ``C``) live in :mod:`core.linear.tracers`; shared
    code calls these members and never asks which tracer it holds.

    Attributes
    ----------
    name : str
        Stable key of the method (``PathResult.method``, ``PATH_METHODS``).
    description : str
        How the path is computed, in a sentence for the page and the docs.
    default_points : int
        Size of the default grid.
    """

    name: str
    description: str
    default_points: int

    def prepare(self, X: np.ndarray, y: np.ndarray, fit_intercept: bool) -> Any:
        """Work on the design that both the default grid and the path reuse, or None."""

    def default_grid(
        self,
        spec: ParamSpec,
        n: int,
        X: np.ndarray,
        y: np.ndarray,
        template: BaseEstimator,
        prepared: Any,
    ) -> np.ndarray:
        """``n`` values of the penalty, ascending, where the path shows its changes."""

    def trace(
        self,
        est_spec: EstimatorSpec,
        base: dict[str, Any],
        param: str,
        values: np.ndarray,
        X: np.ndarray,
        y: np.ndarray,
        tol: float | None,
        prepared: Any = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Coefficients (n_values, n_outputs, n_features), intercepts (n_values,
        n_outputs) and ``classes_`` (None for a regressor) in model space."""

    def zeroes(self, template: BaseEstimator, values: dict[str, Any]) -> bool:
        """Whether this setting's path sets coefficients exactly to zero (an L1 share)."""

    def effective_parameters(
        self, fit: FitResult, design: np.ndarray, coef_fitted: np.ndarray
    ) -> float | None:
        """The fit's effective number of coefficients by this penalty's textbook
        definition, on the (centred) design the model saw; None: count the non-zero ones."""


@dataclass(frozen=True, eq=False)
class Terms:
    """A fit's learned terms that keep their meaning across refits (``resampled_terms``).

    Parameters
    ----------
    outputs : tuple of str
        One name per row of ``values``: the target, or the classes.
    names : tuple of str
        One name per column of ``values``. A term named after a feature is that feature's
        weight in raw units, so the Stability tab also shows it per standard deviation.
    values : ndarray of shape (n_outputs, n_terms)
        The learned values.
    """

    outputs: tuple[str, ...]
    names: tuple[str, ...]
    values: np.ndarray


@dataclass(frozen=True)
class EstimatorSpec:
    """One scikit-learn estimator a family offers.

    Parameters
    ----------
    id : str
        Stable id, used as the ``estimator`` URL value.
    label : str
        Display name.
    estimator : type
        The scikit-learn estimator class.
    hyperparameters : tuple of str
        Names of the family's hyperparameter specs this estimator takes.
    summary : str
        One sentence on what it does differently.
    resolve : callable, optional
        ``resolve(values) -> values``: fills values that follow from others (such as an
        automatic solver) so that scikit-learn only ever sees a valid combination.
    task : {"regression", "classification"}, optional
        The task this estimator serves, for a family that covers both (a network page
        offers ``MLPClassifier`` on classes and ``MLPRegressor`` on numbers); ``None``
        means the family's only task.
    path : PathTracer, optional
        Capability: how to trace the coefficients over ``penalty`` (one of
        :mod:`core.linear.tracers`' tracers).
    penalty : str, optional
        The hyperparameter that sets the penalty's strength (``alpha`` or ``C``), swept by
        the path and by default by the validation curve.
    penalty_grows : bool, default=True
        Whether a larger ``penalty`` value means a stronger penalty (``alpha``), or a
        weaker one (``C``).
    inference : callable, optional
        Capability: ``inference(fit, dataset) -> Inference`` with classical standard errors;
        valid only when ``unpenalised(values)``.
    unpenalised : callable, optional
        ``unpenalised(values) -> bool``: whether this setting fits without a penalty.
    penalty_sentence : callable, optional
        ``penalty_sentence(values) -> str``: why classical inference does not hold for a
        penalised setting, and what to set instead.
    overrides : tuple of ParamSpec, optional
        This estimator's own specs, replacing the family's of the same name (a regression
        tree's ``criterion`` has other choices and another default than a classifier's).
    """

    id: str
    label: str
    estimator: type[BaseEstimator]
    hyperparameters: tuple[str, ...]
    summary: str
    resolve: Callable[[dict[str, Any]], dict[str, Any]] | None = field(default=None, repr=False)
    task: Task | None = None
    path: PathTracer | None = None
    penalty: str | None = None
    penalty_grows: bool = True
    inference: Callable[[FitResult, Dataset], Any] | None = field(default=None, repr=False)
    unpenalised: Callable[[dict[str, Any]], bool] | None = field(default=None, repr=False)
    penalty_sentence: Callable[[dict[str, Any]], str] | None = field(default=None, repr=False)
    overrides: tuple[ParamSpec, ...] = ()

    def estimator_params(self, values: dict[str, Any]) -> dict[str, Any]:
        """The keyword arguments passed to scikit-learn for these hyperparameter values."""
        params = {k: values[k] for k in self.hyperparameters if k in values}
        return self.resolve(params) if self.resolve else params

    def make(self, values: dict[str, Any]) -> BaseEstimator:
        """Return an unfitted estimator with the given hyperparameters (others ignored)."""
        return self.estimator(**self.estimator_params(values))


@dataclass(frozen=True)
class FamilyFile:
    """A file only one family offers, in the Reproduce tab beside the shared downloads.

    ``make`` builds its bytes and runs only when the user asks for the file (a drawing of a
    few hundred nodes takes seconds), so a page never pays for it by surprise.
    """

    label: str
    file_name: str
    mime: str
    help: str
    make: Callable[[], bytes] = field(repr=False)


@dataclass(frozen=True)
class FamilySpec:
    """A model family: one page of the app.

    Parameters
    ----------
    id : str
        Stable id; also the page's URL path and ``app_pages/<id>.py``.
    title, icon : str
        Navigation title and Material icon.
    tasks : tuple of {"regression", "classification"}
        Which data sets fit the family; with both, each data set's own task picks the
        estimator.
    summary : str
        One sentence for the home page.
    estimators : tuple of EstimatorSpec
        The estimators offered.
    hyperparameters : tuple of ParamSpec
        Every hyperparameter any of the estimators takes.
    learned : str
        Which fitted attributes are the learned parameters, in scikit-learn's names.
    default_dataset : str
        Data-set id used by default and for the home page's parameter counts.
    extract : callable
        ``extract(fit) -> LearnedParameters``.
    interpret : callable
        ``interpret(fit, dataset, learned) -> list of Sentence``.
    script_parameters : str
        Python lines for the generated script: from the fitted ``pipeline`` (and ``SCALE``,
        ``X_train``, ``feature_names``, ``outputs``) they set ``learned``, a dict of
        scikit-learn attribute name to nested lists, printed as JSON. They must read the
        same values ``extract`` reports in ``value_fitted``.
    default_estimator : str, optional
        The estimator a page opens on (the first for its task when unset).
    scale_default : bool, default=True
        Whether the page starts with standardised features (a tree needs none).
    resampled_terms : callable, optional
        Capability: ``resampled_terms(pipeline, feature_names, target) -> Terms`` reads the
        learned terms of a fitted pipeline (the page's fit or a refit on resampled rows)
        that keep their meaning across refits; the Stability tab shows their spread
        across resamples. ``None`` when no term keeps its meaning (hidden units, splits).
    parameter_meaning : dict of task to str, optional
        What one learned value means, for the model card (``{target}`` is filled in).
    caveats : tuple of str, optional
        Caveats the model card lists for this family's parameters.
    steering : str, default="Steer the optimiser only"
        Heading of the hyperparameters whose ``role`` is ``"optimizer"``: what they steer
        without changing what the model can learn (an optimiser's steps; a tree's random
        tie-breaking; how fast neighbours are found).
    capacity : str, optional
        The hyperparameter that most directly sets how much the model can fit (``alpha``,
        ``C``, ``max_depth``, ``n_neighbors``, a layer width): the all-families page sweeps
        it. ``None`` when the family has none.
    effective_parameters : callable, optional
        ``effective_parameters(fit, dataset) -> float``: the model's effective number of
        parameters by its textbook definition (the hat matrix's trace for ridge, non-zero
        coefficients for the lasso, leaves for a tree, n / k for nearest neighbours); by
        default the nominal count of learned values.
    effective_definition : str, optional
        One sentence naming that definition and its reference, for a chart's caption.
    explain_warnings : callable, optional
        ``explain_warnings(fit) -> list of str``: the fit's warnings as sentences with the
        user's numbers (a network that stopped at max_iter and how fast its loss still
        fell), shown instead of scikit-learn's own words.
    estimate_seconds : callable, optional
        ``estimate_seconds(estimator_id, values, X_train, y_train) -> float``: a fit's
        time, estimated before fitting, so a page can ask before a slow one. A family
        whose cost is in prediction (nearest neighbours search the stored rows) includes
        predicting the ``X_train`` rows once, which scoring a fit does.
    sweep_measures : callable, optional
        ``sweep_measures(fit) -> dict of str to float``: what a sweep shows moving in the
        learned parameters of one refit (each coefficient per standard deviation of its
        feature, a network's weight norm per layer, a tree's splits, leaves and depth,
        the values nearest neighbours store). The names are the chart's legend; every fit
        of one estimator on one table returns the same names.
    check : callable, optional
        ``check(estimator_id, values, X_train, y_train) -> str or None``: why this setting
        cannot be fitted on these rows as a sentence (scikit-learn would refuse it later
        than ``fit`` or in raw words, or it would take minutes); the fit stops with it
        before any work is done.
    own_file : callable, optional
        Capability: ``own_file(fit) -> FamilyFile``: a file of the fitted model that only
        this family can make (the whole decision tree as an SVG drawing), offered in the
        Reproduce tab and built on click.
    explain_row : callable, optional
        Capability: ``explain_row(fit, dataset, row) -> RowStory`` (:mod:`core.row_story`):
        one row (a one-row DataFrame in the features' own units, any what-if edit applied)
        through the fitted pipeline and the learned parameters, ending exactly at the
        estimator's own ``predict`` / ``predict_proba``. Without it the Predict tab tells the
        linear story when the model predicts with ``coef_`` and ``intercept_`` (checked on
        the row), else shows the estimator's prediction with a sentence.
    """

    id: str
    title: str
    icon: str
    tasks: tuple[Task, ...]
    summary: str
    estimators: tuple[EstimatorSpec, ...]
    hyperparameters: tuple[ParamSpec, ...]
    learned: str
    default_dataset: str
    extract: Callable[[FitResult], LearnedParameters] = field(repr=False)
    interpret: Callable[[FitResult, Dataset, LearnedParameters], list[Sentence]] = field(repr=False)
    script_parameters: str = field(repr=False)
    default_estimator: str | None = None
    scale_default: bool = True
    resampled_terms: Callable[[Any, tuple[str, ...], str], Terms] | None = field(
        default=None, repr=False
    )
    parameter_meaning: dict[str, str] = field(default_factory=dict)
    caveats: tuple[str, ...] = ()
    capacity: str | None = None
    steering: str = "Steer the optimiser only"
    effective_parameters: Callable[[FitResult, Dataset], float] | None = field(
        default=None, repr=False
    )
    effective_definition: str = "the number of learned values"
    explain_warnings: Callable[[FitResult], list[str]] | None = field(default=None, repr=False)
    estimate_seconds: Callable[[str, dict[str, Any], Any, Any], float] | None = field(
        default=None, repr=False
    )
    check: Callable[[str, dict[str, Any], Any, Any], str | None] | None = field(
        default=None, repr=False
    )
    sweep_measures: Callable[[FitResult], dict[str, float]] | None = field(default=None, repr=False)
    explain_row: Callable[[FitResult, Dataset, Any], RowStory] | None = field(
        default=None, repr=False
    )
    own_file: Callable[[FitResult], FamilyFile] | None = field(default=None, repr=False)

    @property
    def page_path(self) -> str:
        """Path of the page script, relative to the repository root."""
        return f"app_pages/{self.id}.py"

    def estimators_for(self, task: Task) -> tuple[EstimatorSpec, ...]:
        """The estimators that serve ``task``, in family order."""
        return tuple(e for e in self.estimators if (e.task or self.tasks[0]) == task)

    def estimator_spec(self, task: Task | None = None) -> ParamSpec:
        """The ``estimator`` choice as a spec, so it is a widget and URL key like the rest.

        With ``task``, only that task's estimators are offered; the default is
        ``default_estimator`` when it serves the task, else the first.
        """
        offered = self.estimators_for(task) if task else self.estimators
        ids = tuple(e.id for e in offered)
        default = self.default_estimator if self.default_estimator in ids else ids[0]
        return ParamSpec(
            name="estimator",
            label="Estimator",
            kind="choice",
            default=default,
            choices=ids,
            choice_labels=tuple(e.label for e in offered),
            help=" ".join(f"{e.label}: {e.summary}" for e in offered),
        )

    def get_estimator(self, estimator_id: str) -> EstimatorSpec:
        """Return the estimator spec with this id; raise ``KeyError`` if absent."""
        for spec in self.estimators:
            if spec.id == estimator_id:
                return spec
        raise KeyError(f"{self.id} has no estimator {estimator_id!r}")

    def hyperparameters_for(self, estimator_id: str) -> tuple[ParamSpec, ...]:
        """The hyperparameter specs the given estimator takes, in family order (its own
        ``overrides`` in place of the family's specs of the same name)."""
        estimator = self.get_estimator(estimator_id)
        own = {spec.name: spec for spec in estimator.overrides}
        names = estimator.hyperparameters
        return tuple(own.get(p.name, p) for p in self.hyperparameters if p.name in names)

    def every_hyperparameter(self) -> tuple[ParamSpec, ...]:
        """The family's specs and every estimator's own, each once (a link may name any)."""
        specs = list(self.hyperparameters)
        for estimator in self.estimators:
            specs += [s for s in estimator.overrides if s not in specs]
        return tuple(specs)
