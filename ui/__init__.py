"""Streamlit layer: widgets generated from specs, the data-set picker, caches, panels."""
