"""Views only one family has, one module per family."""
