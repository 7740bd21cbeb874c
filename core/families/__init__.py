"""One package per model family: its specs (``family.py``), extraction, interpretation,
script lines, and the analyses only that family has.

Each package's ``__init__`` exports only ``FAMILY``, a :class:`core.family.FamilySpec`;
``core.registry`` collects them, one line per family. A new family is one package here, an
optional ``ui/families/<family>.py`` for the views only it has, and a thin page in
``app_pages/``.
"""
