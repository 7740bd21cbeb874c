"""The decision tree: its specs (family.py), its structure and one row's path, its drawing,
refits over depth and pruning, and their figures."""

from core.families.decision_tree.family import FAMILY

__all__ = ["FAMILY"]
