"""Views the linear families share: the coefficient panels, the Stability tab, their caches."""
