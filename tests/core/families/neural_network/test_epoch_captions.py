"""The Epochs tab's caption: every claim it makes about ``fit(max_iter=k)`` is checked
against real scikit-learn fits of the same setting (epoch 0, a plain epoch, a run that
stopped by its own rule, and early stopping's best-so-far rule)."""

from __future__ import annotations

import dataclasses
import math
import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

from core.data.prepare import load_dataset
from core.families.neural_network import epoch_captions
from core.families.neural_network import epochs as network_epochs

#: An early-stopping run on iris whose validation score improves at epochs 1, 4 and 8 and
#: then stalls until epoch 14 (checked below from validation_scores_, not assumed).
EARLY = {
    "hidden_layer_sizes": (5,),
    "random_state": 0,
    "early_stopping": True,
    "learning_rate_init": 0.02,
    "n_iter_no_change": 5,
    "max_iter": 200,
}


@pytest.fixture(scope="module")
def iris_xy():
    iris = load_dataset("iris", "classification")
    return StandardScaler().fit_transform(iris.X), iris.y.to_numpy()


def _fit(X, y, **params) -> MLPClassifier:
    """Plain scikit-learn, with the ConvergenceWarning a short max_iter raises captured."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = MLPClassifier(**params).fit(X, y)
    assert all(issubclass(w.category, ConvergenceWarning) for w in caught), caught
    return model


def _trace(X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return network_epochs.trace_estimator(MLPClassifier(**params), X, y)


def _same(trace, epoch: int, model: MLPClassifier) -> bool:
    coefs, intercepts = trace.weights_at(epoch)
    return all(
        np.array_equal(a, b)
        for a, b in zip([*coefs, *intercepts], [*model.coefs_, *model.intercepts_], strict=True)
    )


def _claimed_calls(caption: str) -> tuple[int, int | None]:
    """The max_iter values the caption says return the chosen weights: (first, last), last
    None for "every larger max_iter"."""
    if m := re.search(r"\(max_iter=k\) returns for every k from (\d+) (?:to (\d+)|up)", caption):
        return int(m[1]), int(m[2]) if m[2] else None
    m = re.search(r"MLPClassifier\(max_iter=(\d+)\) returns", caption)
    assert m, caption
    return int(m[1]), int(m[1])


def test_epoch_0_is_the_random_start_that_no_fit_returns(iris_xy):
    X, y = iris_xy
    params = {"hidden_layer_sizes": (6, 3), "random_state": 3, "max_iter": 20}
    trace, _ = _trace(X, y, **params)
    caption = epoch_captions.epoch_caption(trace, 0, "MLPClassifier")
    assert "random starting weights" in caption and "rejects max_iter=0" in caption
    assert "no fit returns these weights" in caption
    assert "MLPClassifier(max_iter=0) returns" not in caption
    assert epoch_captions.max_iter_returning(trace, 0) is None
    # scikit-learn does reject max_iter=0...
    with pytest.raises(ValueError, match="max_iter"):
        MLPClassifier(**{**params, "max_iter": 0}).fit(X, y)
    # ...and epoch 0 is the start: the Glorot-uniform draws of random_state, layer by
    # layer (weights then biases, bound sqrt(6 / (fan_in + fan_out))), before any update.
    rng = check_random_state(3)
    coefs, intercepts = trace.weights_at(0)
    for W, b in zip(coefs, intercepts, strict=True):
        bound = math.sqrt(6 / sum(W.shape))
        np.testing.assert_array_equal(W, rng.uniform(-bound, bound, W.shape))
        np.testing.assert_array_equal(b, rng.uniform(-bound, bound, b.shape))
    assert not _same(trace, 0, _fit(X, y, **{**params, "max_iter": 1}))


def test_a_plain_epoch_is_exactly_fit_with_that_max_iter(iris_xy):
    X, y = iris_xy
    params = {"hidden_layer_sizes": (6, 3), "random_state": 3, "max_iter": 20}
    trace, _ = _trace(X, y, **params)
    assert trace.n_epochs == 20  # used every epoch: a larger max_iter would train on
    for epoch in (7, 20):
        caption = epoch_captions.epoch_caption(trace, epoch, "MLPClassifier")
        assert _claimed_calls(caption) == (epoch, epoch)
        assert "larger max_iter" not in caption
        assert _same(trace, epoch, _fit(X, y, **{**params, "max_iter": epoch}))
    assert not _same(trace, 20, _fit(X, y, **{**params, "max_iter": 21}))


def test_the_last_epoch_of_a_run_that_stopped_itself_is_every_larger_max_iter(iris_xy):
    X, y = iris_xy
    params = {"hidden_layer_sizes": (4,), "random_state": 0, "max_iter": 500, "tol": 1e-2}
    trace, _ = _trace(X, y, **params)
    n = trace.n_epochs
    assert n < 500
    caption = epoch_captions.epoch_caption(trace, n, "MLPClassifier")
    assert _claimed_calls(caption) == (n, None)
    assert f"stopped by its own rule after epoch {n}, before its max_iter of 500" in caption
    for k in (n, n + 9):
        assert _same(trace, n, _fit(X, y, **{**params, "max_iter": k}))


def test_early_stopping_captions_name_the_epoch_fit_returns(iris_xy):
    X, y = iris_xy
    trace, model = _trace(X, y, **EARLY)
    scores = np.asarray(model.validation_scores_)
    # Epochs whose score is strictly above every earlier one: those scikit-learn keeps.
    improving = [
        e for e in range(1, len(scores) + 1) if scores[e - 1] > scores[: e - 1].max(initial=-np.inf)
    ]
    assert improving == [1, 4, 8] and trace.restored_epoch == 8 and trace.n_epochs == 14
    for epoch, upto in ((1, 3), (4, 7)):
        caption = epoch_captions.epoch_caption(trace, epoch, "MLPClassifier")
        assert _claimed_calls(caption) == (epoch, upto)
        assert f"({scores[epoch - 1]:.4g}) was the best so far" in caption
        for k in (epoch, upto):
            assert _same(trace, epoch, _fit(X, y, **{**EARLY, "max_iter": k}))
        assert not _same(trace, epoch, _fit(X, y, **{**EARLY, "max_iter": upto + 1}))
    # The restored epoch: every max_iter from 8 on, since the run stopped itself at 14.
    caption = epoch_captions.epoch_caption(trace, 8, "MLPClassifier")
    assert _claimed_calls(caption) == (8, None)
    assert "ran 14 epochs and then restored epoch 8" in caption
    for k in (8, 14, 30):
        assert _same(trace, 8, _fit(X, y, **{**EARLY, "max_iter": k}))
    # An epoch that did not beat the best: no fit returns it, and the caption names the
    # epoch fit(max_iter=k) does return, never claiming k's own weights.
    for epoch in (2, 12):
        caption = epoch_captions.epoch_caption(trace, epoch, "MLPClassifier")
        assert epoch_captions.max_iter_returning(trace, epoch) is None
        assert "no fit returns them" in caption
        assert f"MLPClassifier(max_iter={epoch}) returns epoch" in caption
        named = int(re.search(rf"max_iter={epoch}\) returns epoch (\d+)'s", caption)[1])
        plain = _fit(X, y, **{**EARLY, "max_iter": epoch})
        assert _same(trace, named, plain) and not _same(trace, epoch, plain)
        assert f"epoch {epoch}'s validation score ({scores[epoch - 1]:.4g})" in caption


def test_another_run_than_the_pages_says_so(iris_xy):
    X, y = iris_xy
    trace, _ = _trace(X, y, hidden_layer_sizes=(4,), random_state=0, max_iter=10)
    other = dataclasses.replace(trace, matches_fit=False)
    caption = epoch_captions.epoch_caption(other, 5, "MLPClassifier")
    assert caption.startswith("random_state is none") and "max_iter=5" not in caption
    assert "random starting weights" in epoch_captions.epoch_caption(other, 0, "MLPClassifier")
