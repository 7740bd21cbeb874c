"""Data: the shared types (tables), the built-in catalogue, preparing any table as X and y,
and reading uploads."""
