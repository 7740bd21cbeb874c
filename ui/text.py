"""Rendering user-supplied text safely as Markdown (one escaper, shared with core)."""

from core.text import escape_markdown

__all__ = ["escape_markdown"]
