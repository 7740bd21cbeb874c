"""k nearest neighbours: its specs (family.py), what it stores instead of parameters, the
k curve, the search algorithms' speed, prediction regions, and their figures."""

from core.families.nearest_neighbors.family import FAMILY

__all__ = ["FAMILY"]
