"""The neural network (MLP): its specs and layout (family.py), its layers and weights, training
over epochs, refits over seeds, alpha and width, its effective parameters, and their figures."""

from core.families.neural_network.family import FAMILY

__all__ = ["FAMILY"]
