"""Readable ticks for log axes.

Plotly labels a log axis with its own choice of exponents and minor digits ("2", "5", "1e-4",
"0.0001" side by side); a penalty swept over nine decades then reads as noise. These ticks
are whole decades written as people write them (``0.01``, ``1``, ``1,000``, ``10⁻⁶``), with
1-2-5 steps when the range is short, and never more than a handful of labels.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")

#: The most labels a log axis gets; wider ranges label every second (third...) decade.
MOST_TICKS = 8


def tick_text(value: float) -> str:
    """A positive tick value as a reader writes it: ``0.001``, ``20``, ``10,000``, ``10⁻⁵``,
    ``2×10⁶``."""
    if 1e-3 <= value < 1e5:
        return f"{value:,.6g}"
    exponent = math.floor(math.log10(value) + 1e-9)
    mantissa = round(value / 10**exponent, 6)
    power = "10" + str(exponent).translate(_SUPERSCRIPT)
    return power if mantissa == 1 else f"{mantissa:g}×{power}"


def log_ticks(low: float, high: float, most: int = MOST_TICKS) -> dict[str, Any]:
    """Plotly axis settings (``tickvals``, ``ticktext``) for a log axis over ``[low, high]``.

    Whole decades inside the range, thinned to at most ``most``; when fewer than three
    decades fall inside, the 2s and 5s between them as well, so a short range still gets
    labels. Non-positive or non-finite bounds, or a range too short for two such ticks, give
    ``{}`` (plotly's own ticks).
    """
    if not (math.isfinite(low) and math.isfinite(high)) or low <= 0 or high <= 0:
        return {}
    low, high = min(low, high), max(low, high)
    slack = 1 + 1e-9  # a bound that is itself a decade is inside
    first = math.floor(math.log10(low))
    last = math.ceil(math.log10(high))
    decades = [10.0**k for k in range(first, last + 1) if low / slack <= 10.0**k <= high * slack]
    if len(decades) >= 3:
        step = math.ceil(len(decades) / most)
        values = decades[::step]
    else:
        values = [
            m * 10.0**k
            for k in range(first, last + 1)
            for m in (1, 2, 5)
            if low / slack <= m * 10.0**k <= high * slack
        ]
        if len(values) > most:
            values = [v for v in values if round(v / 10 ** math.floor(math.log10(v))) != 2]
    if len(values) < 2:
        return {}  # a sliver of a decade: plotly's own ticks read better
    return {"tickmode": "array", "tickvals": values, "ticktext": [tick_text(v) for v in values]}


def log_ticks_of(*arrays: Any) -> dict[str, Any]:
    """:func:`log_ticks` over the positive finite values of some traces' data (``{}`` when
    there are none)."""
    values = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return {}
    return log_ticks(float(values.min()), float(values.max()))


def whole_number_ticks(top: float, most: int = 6) -> dict[str, Any]:
    """Plotly axis settings for a count from 0 to ``top`` (leaves, splits): ticks on whole
    numbers in 1-2-5 steps, at most ``most`` of them, never 1.45 or 3.59."""
    top = max(float(top), 1.0)
    step = next(m * 10**k for k in range(0, 12) for m in (1, 2, 5) if top / (m * 10**k) <= most - 1)
    return {"tickmode": "linear", "tick0": 0, "dtick": step}
