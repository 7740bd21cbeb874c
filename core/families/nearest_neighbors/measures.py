"""What a sweep shows for nearest neighbours, which learn nothing: what they store, and how
many stored rows each prediction averages."""

from __future__ import annotations

from core.fitting import FitResult


def stored_measures(fit: FitResult) -> dict[str, float]:
    """``stored values`` (training rows × features the model keeps) and ``rows per
    prediction`` (``n_neighbors``: how many stored rows each prediction votes over): the
    nearest-neighbours family's ``sweep_measures``. Neither is learned; a sweep over k
    moves only the second."""
    model = fit.model
    return {
        "stored values": float(model.n_samples_fit_ * model.n_features_in_),
        "rows per prediction": float(model.n_neighbors),
    }
