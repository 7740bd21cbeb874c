"""Linear regression page: OLS, Ridge, Lasso and elastic net, set versus learned."""

import streamlit as st

from core.fitting import training_features
from core.interpretation import linear_sentences, vif_table
from core.parameters import coefficient_table, extract_linear_parameters
from core.registry import get_family
from ui.family_page import closing_sections, fit_section, views_sections
from ui.panels import interpretation_panel, linear_parameters_panel

page = fit_section(get_family("linear_regression"))
data, fit = page.choice.dataset, page.fit
params = extract_linear_parameters(fit)
table = coefficient_table(params, data.true_coef)
with page.learned_col:
    linear_parameters_panel(params, table, data.target)

st.subheader("Interpretation", divider="gray")
interpretation_panel(
    linear_sentences(
        table,
        data.target,
        float(params.intercept[0]),
        fit.metrics,
        vif_table(training_features(fit, data)),
        in_sample=fit.in_sample,
    )
)
views_sections(page, params)
closing_sections(page, params)
