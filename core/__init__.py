"""Pure-Python core of Parameter Lab: data, registry, fitting, interpretation, figures.

Nothing in this package imports Streamlit; the UI layer (``ui/``, ``app_pages/``) calls it.
"""
