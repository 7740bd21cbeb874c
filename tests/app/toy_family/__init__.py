"""A toy family, written as a new family would be: this folder is copied to
``core/families/toy/`` by ``tests/app/test_any_family.py`` and registered with one line.

Huber regression: a linear model fitted with a loss that is squared for small residuals and
absolute for large ones, so outlying rows pull on the coefficients less."""

from core.families.toy.family import FAMILY

__all__ = ["FAMILY"]
