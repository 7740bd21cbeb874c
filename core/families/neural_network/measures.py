"""What a sweep shows moving in a network: the size of each layer's weights."""

from __future__ import annotations

import numpy as np

from core.families.neural_network.layers import transition_label
from core.fitting import FitResult


def weight_norm_measures(fit: FitResult) -> dict[str, float]:
    """The Frobenius (Euclidean) norm of every weight matrix ``coefs_[i]``, biases left
    out, named by the two layers it joins (``"input → hidden 1"``): the network family's
    ``sweep_measures``."""
    model = fit.model
    return {
        transition_label(i, model.n_layers_): float(np.linalg.norm(W))
        for i, W in enumerate(model.coefs_)
    }
