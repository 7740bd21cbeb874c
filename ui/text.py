"""Rendering user-supplied text (column names, file names) safely as Markdown."""

from __future__ import annotations

import re

# Markdown syntax plus Streamlit's own ":colour[...]" and ":emoji:" directives and "$" maths.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>:$])")


def escape_markdown(text: str) -> str:
    """Backslash-escape every character Markdown or Streamlit would interpret."""
    return _SPECIAL.sub(r"\\\1", str(text))
