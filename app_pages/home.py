"""Home page: what parameters and hyperparameters are, and the families on offer."""

import pandas as pd
import streamlit as st

from core.datasets import get_dataset_spec
from core.parameters import extract_linear_parameters
from core.registry import FAMILIES
from ui.cache import cached_dataset, cached_fit, cached_table

st.title("Parameter Lab")
st.markdown(
    """
A model has two kinds of numbers.

- **Hyperparameters** are what *you set* before training: how strong a penalty is
  (`alpha`, `C`), how deep a tree may grow, how many neurons a layer has, how fast an
  optimiser steps. They describe the model's shape and how it is searched for.
- **Parameters** are what the model *learns* from the data: a regression's coefficients and
  intercept, a network's weights and biases, a tree's split thresholds and leaf values.

Change a hyperparameter and the learned parameters move. Each page lets you set one family's
hyperparameters on a data set of your choice and shows, side by side, what you set and what
was learned, in plain language, with a pinned A/B comparison and a shareable link.
"""
)

rows = []
for family in FAMILIES:
    dataset_id = family.default_dataset
    spec = get_dataset_spec(dataset_id)
    table = cached_table(dataset_id, 0, ())
    dataset = cached_dataset(dataset_id, table.default_target, family.task, spec.label, table)
    estimator = family.estimators[0]
    # The same key the family page uses for its default setting, so opening it is a hit.
    defaults = {s.name: s.default for s in family.hyperparameters_for(estimator.id)}
    fit = cached_fit(
        family.id,
        estimator.id,
        tuple(sorted(defaults.items())),
        dataset_id,
        dataset.target,
        True,
        0.25,
        0,
        dataset,
    )
    rows.append(
        {
            "family": family.title,
            "estimators": ", ".join(e.label for e in family.estimators),
            "hyperparameters you can set": len(family.hyperparameters),
            "parameters learned": extract_linear_parameters(fit).n_parameters,
            "on data set": spec.label,
        }
    )
st.subheader("Model families")
st.dataframe(pd.DataFrame(rows), hide_index=True)
for family in FAMILIES:
    st.page_link(family.page_path, label=family.title, icon=family.icon)
