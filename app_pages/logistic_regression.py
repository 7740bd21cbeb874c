"""Logistic regression page: C, the L1/L2 mix and the solver, set versus learned."""

import math

import streamlit as st

from core.fitting import confusion_table, training_features
from core.interpretation import logistic_sentences, vif_table
from core.parameters import class_coefficient_table, extract_linear_parameters
from core.registry import get_family
from ui.boundary_panel import boundary_section
from ui.family_page import closing_sections, fit_section, views_sections
from ui.panels import class_parameters_panel, confusion_panel, interpretation_panel

page = fit_section(get_family("logistic_regression"))
data, fit = page.choice.dataset, page.fit
classes = tuple(str(c) for c in fit.model.classes_)
params = extract_linear_parameters(fit)
table = class_coefficient_table(params, reference=classes[0])
with page.learned_col:
    class_parameters_panel(params, table)
with page.set_col:
    confusion_panel(*confusion_table(fit, data), in_sample=fit.in_sample)

st.subheader("Interpretation", divider="gray")
interpretation_panel(
    logistic_sentences(
        table,
        classes,
        fit.metrics,
        vif_table(training_features(fit, data)),
        in_sample=fit.in_sample,
        unpenalised=math.isinf(page.values["C"]),
    )
)
views_sections(page, params)
st.subheader("Decision boundary on two features", divider="gray")
boundary_section(page.values, page.choice, page.key[:5])
closing_sections(page, params)
