"""Text shared by every page: user text (column names, file names, class labels) made inert
for Markdown, counts with their nouns, short numbers, and the interpretation ``Sentence``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

# Markdown syntax, Streamlit's ":colour[...]" and ":emoji:" directives, "$" maths and "&"
# entities: escaped with a backslash, which CommonMark allows before any punctuation.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>:$&])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")

#: What a table cell shows where its column does not apply to its row (the output layer's
#: dead units, the intercept's feature value): Streamlit would draw a grey "None".
NOT_APPLICABLE = "–"


def escape_markdown(text: Any) -> str:
    """User text made inert for Markdown, in a paragraph or a table cell.

    Line breaks, tabs and other control characters become one space (a newline would end
    a table row or a paragraph), and every character Markdown or Streamlit interprets, the
    table pipe included, is backslash-escaped.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _CONTROL.sub(" ", str(text)))


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``"1 leaf"``, ``"3 leaves"``: a count with its noun in the right number."""
    return f"{count:,} {noun if count == 1 else (many or noun + 's')}"


@dataclass(frozen=True)
class Sentence:
    """One interpretation sentence; ``level`` decides how the page shows it."""

    text: str
    level: Literal["info", "warning"] = "info"


def format_number(x: float) -> str:
    """A short, readable number for a label: 4 significant digits, thousands separated."""
    if not np.isfinite(x):
        return str(x)
    if 1e4 <= abs(x) < 1e12:
        return f"{x:,.0f}"
    return f"{x:.4g}"
