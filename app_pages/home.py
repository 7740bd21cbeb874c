"""Home page: what parameters and hyperparameters are, and the families on offer."""

import pandas as pd
import streamlit as st

from core.data.catalogue import get_dataset_spec
from core.registry import FAMILIES
from core.setting import Setting
from ui.cache import cached_dataset, cached_fit, cached_table
from ui.tables import show_table

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

Every family page also has a **Tune** tab (how hyperparameters are *chosen*: a search on
validation folds, and nested cross-validation's honest score beside the search's optimistic
best) and a **Predict** tab (one row through the learned parameters, with what-if edits).
**Capacity** shows why error falls and then rises as a model grows, and why huge models
still work.
"""
)

rows = []
for family in FAMILIES:
    dataset_id = family.default_dataset
    spec = get_dataset_spec(dataset_id)
    table = cached_table(dataset_id, 0, ())
    dataset = cached_dataset(dataset_id, table.default_target, spec.task, spec.label, table)
    estimator = family.estimator_spec(spec.task).default
    # The same key the family page uses for its default setting, so opening it is a hit.
    values = {s.name: s.initial for s in family.hyperparameters_for(estimator)}
    key = Setting.of(
        family.id,
        estimator,
        values,
        data={"dataset": dataset_id},
        data_key=dataset_id,
        target=dataset.target,
        scale=family.scale_default,
        test_size=0.25,
        seed=0,
    )
    learned = family.extract(cached_fit(key, dataset))
    rows.append(
        {
            "family": family.title,
            # scikit-learn's class names: what a script imports, and short enough that the
            # table fits a 1280 px window ("Elastic net (L1 + L2)" was cut off).
            "estimators": ", ".join(e.estimator.__name__ for e in family.estimators),
            "hyperparameters you can set": len(family.hyperparameters),
            "parameters learned": learned.n_parameters,
            "stored values": learned.stored.n_values if learned.stored else 0,
            "on data set": spec.label,
        }
    )
st.subheader("Model families")
number = st.column_config.NumberColumn
show_table(
    pd.DataFrame(rows),
    hide_index=True,
    # The counts first and the long list of estimators last, so the counts and their data
    # set fit the page without scrolling sideways.
    column_order=(
        "family",
        "on data set",
        "hyperparameters you can set",
        "parameters learned",
        "stored values",
        "estimators",
    ),
    column_config={
        "hyperparameters you can set": number("you set", help="Hyperparameters you can set."),
        "parameters learned": number("learned", help="Parameters the default fit learned."),
        "stored values": number(
            "stored", help="Values the model stores instead of learning (rows × features)."
        ),
        "estimators": st.column_config.TextColumn(
            "scikit-learn estimators", help="The estimator classes the family's page fits."
        ),
    },
)
for family in FAMILIES:
    st.page_link(family.page_path, label=family.title, icon=family.icon)
st.page_link(
    "app_pages/families.py",
    label="All families: one data set, every family side by side",
    icon=":material/leaderboard:",
)
st.page_link(
    "app_pages/capacity.py",
    label="Capacity: bias and variance from refits, and double descent",
    icon=":material/ssid_chart:",
)
