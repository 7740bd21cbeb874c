"""A bridge for callers not yet moved to a :class:`core.setting.Setting`.

The coefficient paths, the path validation curve and the resamples take
``(family, setting, dataset, ...)``. Until every caller passes a Setting, :func:`takes_setting`
also accepts the old loose form ``(family, estimator_id, hyperparameters, dataset, ...,
scale=, test_size=, seed=)`` and turns it into a Setting first, so both forms give the same
numbers. Delete this module once no caller uses the loose form.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from core.setting import Setting

F = TypeVar("F", bound=Callable[..., Any])

#: The split settings the loose form passed as keywords.
_SPLIT = ("scale", "test_size", "seed")


def takes_setting(function: F) -> F:
    """Let ``function(family, setting, dataset, *args, **kwargs)`` also be called the loose
    way: ``function(family, estimator_id, hyperparameters, dataset, *args, scale=...,
    test_size=..., seed=..., **kwargs)`` (``hyperparameters`` and ``dataset`` may be given
    by keyword)."""

    @functools.wraps(function)
    def call(family: Any, setting: Any = None, *args: Any, **kwargs: Any) -> Any:
        if isinstance(setting, Setting):
            return function(family, setting, *args, **kwargs)
        estimator_id = kwargs.pop("estimator_id") if setting is None else setting
        rest = list(args)
        hyperparameters = rest.pop(0) if rest else kwargs.pop("hyperparameters", None)
        dataset = rest.pop(0) if rest else kwargs.pop("dataset")
        split = {name: kwargs.pop(name) for name in _SPLIT if name in kwargs}
        loose = Setting.on(dataset, family.id, estimator_id, dict(hyperparameters or {}), **split)
        return function(family, loose, dataset, *rest, **kwargs)

    return call  # type: ignore[return-value]
