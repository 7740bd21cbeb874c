"""Logistic regression page: C, the L1/L2 mix and the solver, set versus learned."""

import math

import streamlit as st

from core.compare import make_snapshot
from core.fitting import FitError, confusion_table, training_features
from core.interpretation import logistic_sentences, vif_table
from core.parameters import class_coefficient_table, extract_linear_parameters
from core.registry import get_family
from ui.boundary_panel import boundary_section
from ui.cache import cached_fit
from ui.data import data_section
from ui.inference_panel import inference_section
from ui.panels import (
    class_parameters_panel,
    compare_panel,
    confusion_panel,
    fit_messages,
    hyperparameter_panel,
    interpretation_panel,
    metrics_panel,
)
from ui.reproduce import history_section, link_notes, record_run, reproduce_section
from ui.sweep_panel import sweep_section
from ui.text import escape_markdown

family = get_family("logistic_regression")
st.title(family.title)
st.caption(family.summary + f" Learned parameters: {family.learned}.")

link_notes(family)
st.subheader("Data", divider="gray")
choice = data_section(family.task)
if choice is None:
    st.stop()

set_col, learned_col = st.columns(2, gap="large")
with set_col:
    st.subheader("Hyperparameters you set", divider="blue")
    estimator_id, values = hyperparameter_panel(family)
    resolved = family.get_estimator(estimator_id).resolve
    solver = resolved(values)["solver"] if resolved else None
    if values.get("solver") == "auto" and solver:
        st.caption(f"solver 'auto' chose **{solver}** for this penalty.")

key = (family.id, estimator_id, tuple(sorted(values.items())), choice.data_key, choice.target)
try:
    fit = cached_fit(*key, choice.scale, choice.test_size, choice.seed, choice.dataset)
except (FitError, ValueError) as exc:
    learned_col.error(escape_markdown(str(exc)))
    st.stop()

params = extract_linear_parameters(fit)
table = class_coefficient_table(params, reference=str(fit.model.classes_[0]))
with learned_col:
    st.subheader("Parameters the model learned", divider="orange")
    fit_messages(fit)
    class_parameters_panel(params, table)
with set_col:
    st.markdown("**Scores**")
    metrics_panel(fit)
    confusion_panel(*confusion_table(fit, choice.dataset), in_sample=fit.in_sample)

st.subheader("Interpretation", divider="gray")
interpretation_panel(
    logistic_sentences(
        table,
        tuple(str(c) for c in fit.model.classes_),
        fit.metrics,
        vif_table(training_features(fit, choice.dataset)),
        in_sample=fit.in_sample,
        unpenalised=math.isinf(values["C"]),
    )
)

full_key = (*key, choice.scale, choice.test_size, choice.seed)
st.subheader("How the hyperparameters move the parameters", divider="gray")
sweep_section(family, estimator_id, values, choice, full_key, fit)

st.subheader("Inference and stability", divider="gray")
inference_section(fit, params, choice, full_key, values)

st.subheader("Decision boundary on two features", divider="gray")
boundary_section(family, values, choice, key)

snapshot = make_snapshot(fit, params, f"{choice.data_key}:{choice.target}", choice.setting)
record_run(family, choice, estimator_id, values, fit, params, snapshot)

st.subheader("Compare: pin A, change to B", divider="gray")
compare_panel(f"pinned_{family.id}", snapshot)

st.subheader("Share and reproduce", divider="gray")
reproduce_section(family, choice, estimator_id, values, fit, params)

st.subheader("Run history", divider="gray")
history_section(family, f"pinned_{family.id}")
