"""Declarative specs for user-set values: hyperparameters, data settings, data-set options.

One :class:`ParamSpec` drives a widget, its URL query key, its validation and (later) sweeps
and generated code, so every knob in the app is described exactly once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["float", "int", "bool", "choice", "layers"]

#: Most hidden layers, and widest layer, a ``"layers"`` value may ask for: a link must not be
#: able to ask the server for a network it cannot train in seconds.
MAX_LAYERS = 5
MAX_LAYER_WIDTH = 512
Role = Literal["model", "optimizer", "data"]


def _short(value: Any, most: int = 24) -> str:
    """A value for a message, shortened: a link may carry a 5,000-digit number."""
    text = str(value)
    return text if len(text) <= most else text[: most - 1] + "…"


@dataclass(frozen=True)
class ParamSpec:
    """One user-settable value.

    Parameters
    ----------
    name : str
        scikit-learn's parameter name for hyperparameters; also the widget key and URL key.
    label : str
        Short human label for the widget.
    kind : {"float", "int", "bool", "choice", "layers"}
        Value type; decides the widget. ``"layers"`` is a tuple of whole numbers (a
        network's hidden-layer widths), written ``8,4`` in a link.
    default : Any
        Default value. For hyperparameters this is scikit-learn's own default
        (a test checks it), so "differs from the default" means "differs from scikit-learn".
    low, high : float or None
        Inclusive bounds for numeric kinds, mirroring scikit-learn's
        ``_parameter_constraints`` (narrowed to what is sensible in a UI).
    log : bool, default=False
        Whether the value is naturally explored on a log scale (sweeps, paths).
    choices : tuple, default=()
        Allowed values for ``kind="choice"``.
    choice_labels : tuple of str, default=()
        Display labels matching ``choices``.
    help : str
        One or two sentences shown as the widget's tooltip.
    role : {"model", "optimizer", "data"}
        ``"model"`` changes which model is learned, ``"optimizer"`` only how it is found,
        ``"data"`` how the data are prepared.
    step : float or None
        Widget step for numeric kinds.
    start : Any, optional
        The page's initial value when it differs from scikit-learn's ``default`` because it
        makes a better first view (a network with two small hidden layers). The ledger still
        compares against ``default``.
    nullable : bool, default=False
        Whether ``None`` is valid (``max_depth=None``: unlimited), written ``none``.
    allowed : callable, optional
        ``allowed(values) -> choices``: for a choice whose valid options depend on the other
        values (a solver on the penalty), the subset the UI may offer. ``values`` holds the
        values of the specs listed before this one.
    used_when : callable, optional
        ``used_when(values) -> bool``: for a value the estimator reads only in some settings
        (SGD's ``power_t`` only with the ``"invscaling"`` schedule), whether it is read with
        the values of the specs listed before this one. When it is not, the page draws no
        widget and uses ``initial``, so a knob that changes nothing is neither shown nor
        part of the setting.
    fallback : str, optional
        What a page uses instead of a link value it drops, in words, when that is not
        ``initial`` (the Predict tab's row opens on a row chosen from the data).
    """

    name: str
    label: str
    kind: Kind
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()
    choice_labels: tuple[str, ...] = ()
    role: Role = "model"
    step: float | None = None
    start: Any = None
    nullable: bool = False
    allowed: Callable[[dict[str, Any]], tuple[Any, ...]] | None = field(
        default=None, repr=False, compare=False
    )
    used_when: Callable[[dict[str, Any]], bool] | None = field(
        default=None, repr=False, compare=False
    )
    fallback: str | None = None

    def is_used(self, values: dict[str, Any]) -> bool:
        """Whether the estimator reads this value, given the values listed before it."""
        return self.used_when is None or bool(self.used_when(values))

    @property
    def initial(self) -> Any:
        """The value a page starts from: ``start`` when set, else scikit-learn's default."""
        return self.default if self.start is None else self.start

    @property
    def unbounded(self) -> bool:
        """Whether infinity is a valid value (``C=inf`` means no penalty)."""
        return self.kind == "float" and self.high == math.inf

    def format(self, value: Any) -> str:
        """The value as a URL or widget would spell it (``inf``, ``0.5``, ``true``)."""
        if value is None:
            return "none"
        if self.kind == "bool":
            return "true" if value else "false"
        if self.kind == "layers":
            return ",".join(str(int(v)) for v in value)
        if self.kind == "float":
            if value == math.inf:
                return "inf"
            # The shortest text that reads back as exactly this float (a link must restore
            # 0.00030000000000000003, not 0.0003); whole numbers without a trailing ".0".
            text = repr(float(value))
            return text[:-2] if text.endswith(".0") else text
        return str(value)

    def label_for(self, value: Any) -> str:
        """Return the display label of a choice value (the value itself otherwise)."""
        if self.kind == "choice" and self.choice_labels and value in self.choices:
            return self.choice_labels[self.choices.index(value)]
        return str(value)

    def validate(self, value: Any) -> Any:
        """Return ``value`` coerced to this spec's type, or raise ``ValueError``.

        Parameters
        ----------
        value : Any
            A candidate value, possibly a string from a URL or a JSON file.

        Returns
        -------
        Any
            The value as ``float``, ``int``, ``bool``, a tuple of ints (``"layers"``),
            ``None`` (when ``nullable``) or one of ``choices``.
        """
        if self.nullable and (value is None or str(value).strip().lower() in {"none", ""}):
            return None
        if self.kind == "layers":
            return self._validate_layers(value)
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"true", "1", "yes", "on"}:
                return True
            if text in {"false", "0", "no", "off"}:
                return False
            raise ValueError(f"{self.label}: expected true or false, got {_short(value)!r}.")
        if self.kind == "choice":
            for choice in self.choices:
                if value == choice or str(value) == str(choice):
                    return choice
            allowed = ", ".join(str(c) for c in self.choices)
            raise ValueError(f"{self.label}: {_short(value)!r} is not one of {allowed}.")
        try:
            number = float(value)
        except OverflowError:
            raise ValueError(f"{self.label}: the number is far out of range.") from None
        except (TypeError, ValueError):
            raise ValueError(f"{self.label}: expected a number, got {_short(value)!r}.") from None
        if math.isnan(number):
            raise ValueError(f"{self.label}: expected a number, got NaN.")
        if self.kind == "int":
            if not number.is_integer():
                raise ValueError(f"{self.label}: expected a whole number, got {_short(value)!r}.")
            number = int(number)
        if self.low is not None and number < self.low:
            raise ValueError(f"{self.label}: {_short(value)} is below the minimum {self.low:g}.")
        if self.high is not None and number > self.high:
            raise ValueError(f"{self.label}: {_short(value)} is above the maximum {self.high:g}.")
        return number

    def _validate_layers(self, value: Any) -> tuple[int, ...]:
        """Layer widths from a tuple or from text such as ``"8,4"`` or ``"(8, 4)"``."""
        if isinstance(value, str):
            text = value.strip().strip("()[]").strip()
            if len(text) > 100:
                raise ValueError(f"{self.label}: the text is too long to be layer widths.")
            parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
        elif isinstance(value, list | tuple):
            parts = list(value)
        else:
            parts = [value]
        if not parts:
            raise ValueError(f"{self.label}: give at least one layer width, such as 8,4.")
        if len(parts) > MAX_LAYERS:
            raise ValueError(f"{self.label}: at most {MAX_LAYERS} hidden layers here.")
        widths = []
        for part in parts:
            try:
                number = float(part)
            except (TypeError, ValueError, OverflowError):
                raise ValueError(
                    f"{self.label}: {str(part)[:20]!r} is not a whole number of units."
                ) from None
            if not number.is_integer() or not 1 <= number <= MAX_LAYER_WIDTH:
                raise ValueError(
                    f"{self.label}: each layer needs 1 to {MAX_LAYER_WIDTH} units, got "
                    f"{str(part)[:20]}."
                )
            widths.append(int(number))
        return tuple(widths)


@dataclass(frozen=True)
class Resolved:
    """A resolved set of values for some specs, in spec order.

    ``values`` maps spec name to value; ``changed`` lists the names whose value differs
    from the spec default.
    """

    values: dict[str, Any] = field(default_factory=dict)
    changed: tuple[str, ...] = ()


def resolve(specs: tuple[ParamSpec, ...], raw: dict[str, Any]) -> Resolved:
    """Validate ``raw`` against ``specs``, filling defaults for absent names.

    Parameters
    ----------
    specs : tuple of ParamSpec
        The specs to resolve.
    raw : dict
        Candidate values by name; names not in ``specs`` are ignored.

    Returns
    -------
    Resolved
        Validated values, with the names that differ from their defaults.

    Raises
    ------
    ValueError
        If any present value is invalid for its spec.
    """
    values = {}
    for spec in specs:
        values[spec.name] = spec.validate(raw[spec.name]) if spec.name in raw else spec.default
    changed = tuple(s.name for s in specs if values[s.name] != s.default)
    return Resolved(values=values, changed=changed)
