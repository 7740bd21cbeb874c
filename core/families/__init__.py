"""One module per model family: its spec, extraction, interpretation and script lines.

Each module builds a :class:`core.family.FamilySpec` named ``FAMILY``; ``core.registry``
collects them. A new family is one module here, an optional ``ui/<family>.py`` for the views
only it has, and a thin page in ``app_pages/``.
"""
