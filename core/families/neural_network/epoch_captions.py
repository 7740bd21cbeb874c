"""What one epoch of the trace is, in words: what fit(max_iter=k) returns at that epoch,
and the caption under the epoch slider."""

from __future__ import annotations

import numpy as np

from core.families.neural_network.epochs import EpochTrace


def max_iter_returning(trace: EpochTrace, epoch: int) -> tuple[int, int | None] | None:
    """Which ``max_iter`` values make ``fit`` return exactly the weights after ``epoch``.

    For the traced setting with the same ``random_state`` (every such fit trains the same
    epochs in the same order, and each stopping decision depends only on the epochs before
    it). Without early stopping, ``fit(max_iter=k)`` returns epoch ``k``'s weights. With
    ``early_stopping``, it returns the weights of the epoch with the best validation score
    among epochs 1 to ``k`` (:attr:`EpochTrace.best_so_far`; scikit-learn keeps a copy only
    when a score is strictly higher, so an epoch that only ties is never returned). Past
    ``n_epochs``, a run that stopped before its ``max_iter`` stopped by its own rule, so any
    larger ``max_iter`` stops there too; a run that used all its epochs would go on.

    Parameters
    ----------
    trace : EpochTrace
    epoch : int
        An epoch from 0 (the random start) to ``trace.n_epochs``.

    Returns
    -------
    tuple or None
        ``(first, last)``: every ``max_iter`` from ``first`` to ``last`` inclusive, ``last``
        None for "and every larger one"; None when no ``fit`` returns these weights
        (scikit-learn rejects ``max_iter=0``, and with early stopping an epoch that did not
        beat the best validation score so far is never returned).
    """
    n = trace.n_epochs
    if not 0 <= epoch <= n:
        raise ValueError(f"epoch must be between 0 and {n}, got {epoch}.")
    if trace.restored_epoch is None:
        calls = [epoch] if epoch >= 1 else []
    else:
        best = np.asarray(trace.best_so_far)
        calls = [int(k) for k in np.flatnonzero(best[1 : n + 1] == epoch) + 1]
    if not calls:
        return None
    stopped_itself = trace.max_iter is not None and n < trace.max_iter
    last = None if calls[-1] == n and stopped_itself else calls[-1]
    return calls[0], last


def _max_iter_text(name: str, calls: tuple[int, int | None]) -> str:
    """``"MLPClassifier(max_iter=k) returns ..."`` for the values of :func:`max_iter_returning`."""
    first, last = calls
    if last is None:
        return f"{name}(max_iter=k) returns for every k from {first} up,"
    if first == last:
        return f"{name}(max_iter={first}) returns"
    return f"{name}(max_iter=k) returns for every k from {first} to {last},"


def _stopped_text(trace: EpochTrace, calls: tuple[int, int | None] | None) -> str:
    """Why a larger ``max_iter`` ends the same way, when the caption claimed it."""
    if calls is None or calls[1] is not None:
        return ""
    return (
        f" The run stopped by its own rule after epoch {trace.n_epochs}, before its max_iter "
        f"of {trace.max_iter}, so any larger max_iter stops there too."
    )


def epoch_caption(trace: EpochTrace, epoch: int, estimator_name: str) -> str:
    """What the weights after ``epoch`` are, and exactly which ``fit`` call returns them.

    Every claim about ``fit(max_iter=k)`` follows :func:`max_iter_returning`: epoch 0 is the
    random start (scikit-learn rejects ``max_iter=0``); with early stopping a call returns
    the best validation epoch so far, so the caption names that epoch instead of claiming
    the chosen one. When ``trace.matches_fit`` is False (``random_state`` none) the traced
    run is another network than the page's, and the caption says so instead.

    Parameters
    ----------
    trace : EpochTrace
    epoch : int
        A kept epoch, 0 to ``trace.n_epochs``.
    estimator_name : str
        The class name the sentences use (``"MLPClassifier"``).

    Returns
    -------
    str
        Plain sentences, with the epochs, scores and ``max_iter`` values of this run.
    """
    name = estimator_name
    early = trace.restored_epoch is not None
    parts: list[str] = []
    if trace.matches_fit is False:
        parts.append(
            "random_state is none, so this recorded run started from other random weights "
            "than the page's fit and ends on another network; set random_state to follow the "
            "page's own network."
        )
        if epoch == 0:
            parts.append("Epoch 0 is its random starting weights, before any update.")
    else:
        calls = max_iter_returning(trace, epoch)
        if epoch == 0:
            parts.append(
                "Epoch 0 is the network's random starting weights, drawn from random_state "
                "before any weight update. scikit-learn rejects max_iter=0 (a fit trains at "
                "least one epoch), so"
                + (
                    " no fit stops here; but with early_stopping these starting weights are "
                    f"exactly what {_max_iter_text(name, calls).rstrip(',')}: no epoch up to "
                    "there had a validation score above -inf (a NaN score never counts as "
                    "better)." + _stopped_text(trace, calls)
                    if calls is not None
                    else " no fit returns these weights: they are where training starts."
                )
            )
        elif not early:
            parts.append(
                f"The weights after epoch {epoch} are exactly the network that "
                f"{_max_iter_text(name, calls)} with this setting and random_state: the run "
                "was recorded as scikit-learn trained it, not replayed, so these are its "
                "scores." + _stopped_text(trace, calls)
            )
        elif calls is not None:
            parts.append(
                f"With early_stopping, fit(max_iter=k) returns the weights of the epoch with "
                f"the best validation score among epochs 1 to k. Epoch {epoch}'s score "
                f"({trace.validation_scores[epoch - 1]:.4g}) was the best so far, so its "
                f"weights are exactly the network that {_max_iter_text(name, calls)} with "
                "this setting and random_state (recorded as scikit-learn trained it, not "
                "replayed)." + _stopped_text(trace, calls)
            )
        else:
            best = int(trace.best_so_far[epoch])
            score = trace.validation_scores[epoch - 1]
            returned = (
                "the random starting weights (epoch 0): no epoch so far had a validation "
                "score above -inf"
                if best == 0
                else f"epoch {best}'s weights (validation score "
                f"{trace.validation_scores[best - 1]:.4g}, the best so far)"
            )
            parts.append(
                f"These are the weights after epoch {epoch} of the recorded run, but with "
                f"early_stopping no fit returns them: {name}(max_iter={epoch}) returns "
                f"{returned}, because epoch {epoch}'s validation score ({score:.4g}) did "
                "not beat it."
            )
    if early and trace.restored_epoch < trace.n_epochs:
        parts.append(
            f"Early stopping ran {trace.n_epochs} epochs and then restored epoch "
            f"{trace.restored_epoch} (the star): the final model holds its weights, not the "
            "last epoch's."
        )
    if trace.stride > 1:
        parts.append(
            f"To bound memory, the weights of every {trace.stride}th epoch are kept (and the "
            "first, last and restored ones): the slider moves between those."
        )
    return " ".join(parts)
