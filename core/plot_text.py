"""User text made safe for plotly, in one place.

Plotly draws every string of a figure (titles, axis titles, tick labels, legend names,
annotations, hover text and the data that ``%{...}`` placeholders pull into it) through its
own pseudo-HTML: ``<a href>`` becomes a live link, ``<span style>`` and ``<font>`` restyle the
text, ``<br>`` breaks the line. A CSV column named ``<a href="https://evil.example/">click</a>``
would reach a chart as a link. Plotly decodes ``&lt;``, ``&gt;``, ``&amp;`` and numeric
entities only inside the text between tags, where they are shown literally (plotly.js
``svg_text_utils.convertEntities``), so an escaped bracket is a character, never a tag.

:func:`plot_text` escapes one string, keeping only the few bare tags our builders write on
purpose (:data:`OWN_TAGS`: none takes attributes, so none can link or style).
:func:`safe_figure` applies it to every string of a built figure, found by walking the figure
whole rather than by a list of the places user text goes. :func:`figure_builder` is the
decorator every public figure builder in ``core`` wears, so no builder can hand the page a
figure that skipped it (``tests/core/test_plot_text.py`` fails on a builder without it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import numpy as np
from plotly.basedatatypes import BaseFigure, BasePlotlyType

from core.legend import place_legend

#: The tags our own builders write (line breaks, bold, the hover box's ``<extra>`` part) and
#: plotly's other bare formatting tags. Kept exactly as written, lower case and without
#: attributes; any other ``<`` or ``>`` is escaped, so a user's ``<b>`` is bold at worst.
OWN_TAGS = (
    "<br>",
    "<b>",
    "</b>",
    "<i>",
    "</i>",
    "<sup>",
    "</sup>",
    "<sub>",
    "</sub>",
    "<extra>",
    "</extra>",
)
#: What plotly.js reads as an entity (``convertEntities``). Text that already is one is left
#: as it is, so escaping twice changes nothing (``&lt;`` never becomes ``&amp;lt;``).
ENTITY = re.compile(r"&(?:#\d+|#x[\da-fA-F]+|[a-z]+);")
_TOKEN = re.compile(
    "(" + "|".join(re.escape(tag) for tag in OWN_TAGS) + "|" + ENTITY.pattern + ")|([<>&])"
)
_ESCAPES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
#: Set on a function by :func:`figure_builder`.
MARK = "__plot_text_safe__"


def plot_text(text: str) -> str:
    """``text`` as plotly shows it literally: every ``<``, ``>`` and bare ``&`` escaped,
    except the tags of :data:`OWN_TAGS` and text that already is an entity.

    Idempotent: ``plot_text(plot_text(s)) == plot_text(s)``. Plotly shows the result as
    ``text`` itself unless ``text`` holds one of :data:`OWN_TAGS` or an entity (``&lt;``
    written in a column name is shown as ``<``).
    """
    if "<" not in text and ">" not in text and "&" not in text:
        return text
    safe = _TOKEN.sub(lambda m: m.group(1) or _ESCAPES[m.group(2)], text)
    return text if safe == text else safe  # the same object when nothing changed


def _safe_value(value: Any) -> Any:
    """``value`` with :func:`plot_text` applied to every string in it, at any depth; the
    same object when nothing changed (so a caller sets only what did)."""
    if isinstance(value, str):
        return plot_text(value)
    if isinstance(value, dict):
        changed = {k: _safe_value(v) for k, v in value.items()}
        return changed if any(changed[k] is not value[k] for k in value) else value
    if isinstance(value, list | tuple):
        items = [_safe_value(v) for v in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return type(value)(items)
    if isinstance(value, np.ndarray) and value.dtype.kind in "OU":
        flat = value.ravel()
        items = [_safe_value(v) for v in flat]
        if all(new is old for new, old in zip(items, flat, strict=True)):
            return value
        dtype = object if value.dtype.kind == "O" else str
        return np.array(items, dtype=dtype).reshape(value.shape)
    return value


def _set_changes(node: BasePlotlyType, props: dict[str, Any], safe: dict[str, Any]) -> None:
    """Set on a plotly object the properties whose escaped value ``safe`` differs from
    ``props`` (its ``to_plotly_json()``), going down into sub-objects and arrays of them, so
    only what changed is touched (plotly's property access is slow)."""
    for key, value in safe.items():
        if value is props[key]:
            continue
        child = node[key]
        if isinstance(child, BasePlotlyType):
            _set_changes(child, props[key], value)
        elif isinstance(child, tuple) and child and isinstance(child[0], BasePlotlyType):
            for item, old, new in zip(child, props[key], value, strict=True):
                if new is not old:
                    _set_changes(item, old, new)
        else:
            node[key] = value


def _safe_object(node: BasePlotlyType) -> None:
    props = node.to_plotly_json()
    safe = _safe_value(props)
    if safe is not props:
        _set_changes(node, props, safe)


def safe_figure(fig: BaseFigure) -> BaseFigure:
    """Make every string of a built figure safe with :func:`plot_text`, in place.

    Walks the traces, the layout (titles, axes, tick text, annotations, menus, the
    template) and the frames whole: every string property and every string in a data array
    (``x``/``y`` categories, ``text``, ``hovertext``, ``customdata``, ``ids``...), so data
    that a ``%{...}`` placeholder pulls into hover text is escaped as well. Only strings that
    change are set again. Returns ``fig``.
    """
    for node in (*fig.data, fig.layout, *fig.frames):
        _safe_object(node)
    return fig


def _finished(figure: BaseFigure) -> BaseFigure:
    """A built figure as a page may show it: its text escaped, and its legend (unless its
    builder placed it) along the bottom, clear of the toolbars (:mod:`core.legend`)."""
    return place_legend(safe_figure(figure))


def _safe_result(result: Any) -> Any:
    if isinstance(result, BaseFigure):
        return _finished(result)
    if isinstance(result, tuple):
        return tuple(_finished(r) if isinstance(r, BaseFigure) else r for r in result)
    return result


P = ParamSpec("P")
R = TypeVar("R")


def figure_builder(build: Callable[P, R]) -> Callable[P, R]:
    """Decorate a public figure builder: the figure it returns (alone or in a tuple) goes
    through :func:`safe_figure`, and a legend its builder left where plotly puts it (the
    top right, under the toolbars) goes to the bottom, before any page sees it."""

    @functools.wraps(build)
    def built(*args: P.args, **kwargs: P.kwargs) -> R:
        return _safe_result(build(*args, **kwargs))

    setattr(built, MARK, True)
    return built


def is_figure_builder(function: Callable[..., Any]) -> bool:
    """Whether ``function`` wears :func:`figure_builder`."""
    return bool(getattr(function, MARK, False))


__all__ = ["ENTITY", "OWN_TAGS", "figure_builder", "is_figure_builder", "plot_text", "safe_figure"]
