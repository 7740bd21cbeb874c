"""Gradient descent (SGD): its specs in ``family``, and gradient descent made visible: two
parameters on one feature, and SGD on every feature.

**The two-parameter view.** One feature ``x`` and the target give a model with two learned
parameters, a slope ``w`` and an intercept ``b``, small enough to see the whole loss surface:

- squared error (regression), as scikit-learn's ``SGDRegressor`` defines it:
  ``L(w, b) = mean_i ½ (y_i − (w x_i + b))²``;
- log loss (classification, one class against the rest):
  ``L(w, b) = mean_i [log(1 + exp(z_i)) − y_i z_i]`` with ``z_i = w x_i + b`` and
  ``y_i`` 1 for the chosen class, 0 otherwise.

**The real-data view.** :mod:`core.families.gradient_descent.sgd_replay` runs scikit-learn's own
``SGDRegressor`` / ``SGDClassifier`` one epoch per ``partial_fit`` call and records every
coefficient per epoch, next to the closed-form model of the same penalised objective.

The modules, one concern each, in the order they build on each other:

``problem``
    The one-feature data the two parameters are fitted to, and which feature to open on.
``loss``
    Loss, gradient and Hessian at any (slope, intercept), and the exact optimum.
``surface``
    The loss on a grid around the optimum and the walk, for a contour plot.
``optimizer``
    The optimiser (learning-rate schedules, momentum, Nesterov, mini-batches) and the
    path it walks, stopped safely at divergence.
``diagnostics``
    Curvature, condition number and the largest stable learning rate, a verdict on each
    run (converged, too slow, oscillating, divergent), each in the user's numbers.
``view_specs``
    The view's settings as :class:`core.specs.ParamSpec` (widgets and URL keys ``gd_*``),
    and which knob belongs to which optimiser.
``report``
    One call for the view: problem, optimum, runs A (and B), verdicts and surface.
``sgd_replay``
    scikit-learn's SGD on every feature, one real ``partial_fit`` call per epoch.
``convergence``
    Why a page's SGD fit used all its epochs, and which change (a longer ``max_iter``, the
    ``"adaptive"`` schedule, a larger ``tol`` or ``eta0``) lets it stop, checked by refits.

Figures are in :mod:`core.families.gradient_descent.figures`.
"""

from core.families.gradient_descent.family import FAMILY

__all__ = ["FAMILY"]
