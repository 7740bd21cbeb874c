"""Views only the linear families have: coefficient tables with per-unit and per-SD columns,
odds ratios for logistic regression, and their bar charts and heatmaps."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.learned import LearnedParameters
from core.linear.figures import coefficient_bar_figure, coefficient_heatmap_figure
from core.linear.parameters import LinearParameters
from core.text import escape_markdown
from ui.family_page import PageFit
from ui.panels import confusion_panel
from ui.tables import show_table

UNITS = {
    "coef_per_sd": "per standard deviation (comparable across features)",
    "coef": "per unit of each feature (its own units)",
}


def linear_parameters_panel(
    params: LinearParameters, table: pd.DataFrame, target: str, key: str = "units"
) -> None:
    """Count, intercept, coefficient table and bar chart of a linear model."""
    intercept = params.intercept[0]
    c1, c2 = st.columns(2)
    c1.metric("Learned parameters", params.n_parameters)
    c2.metric(
        "Intercept (raw units)",
        f"{intercept:.4g}",
        help="The prediction when every feature is 0, in the target's units."
        + ("" if params.fit_intercept else " Not learned: fit_intercept is off."),
    )
    shown = table.rename(
        columns={
            "coef": "per unit",
            "coef_per_sd": "per SD",
            "true_coef": "true (per unit)",
            "true_coef_per_sd": "true (per SD)",
        }
    )
    show_table(
        shown.drop(columns=["zero"]).assign(zero=table["zero"].map({True: "exactly 0", False: ""})),
        hide_index=True,
        column_config={
            "per unit": st.column_config.NumberColumn(format="%.5g"),
            "per SD": st.column_config.NumberColumn(format="%.5g"),
            "true (per unit)": st.column_config.NumberColumn(format="%.5g"),
            "true (per SD)": st.column_config.NumberColumn(format="%.5g"),
        },
    )
    if not _chart_wanted(key):
        return
    column = st.radio(
        "Chart units",
        list(UNITS),
        format_func=UNITS.get,
        horizontal=True,
        key=key,
    )
    st.plotly_chart(
        coefficient_bar_figure(table, column, top=_strongest(table, key)), key=f"{key}_chart"
    )
    st.caption(
        f"Coefficients for predicting {escape_markdown(target)}; blue raises the prediction, "
        "red lowers it, grey is exactly zero."
        + (" Diamonds mark the true coefficients." if "true_coef" in table else "")
    )


def class_parameters_panel(
    params: LinearParameters, table: pd.DataFrame, key: str = "units"
) -> None:
    """Count, intercepts, per-class coefficients with odds ratios, and a chart."""
    c1, c2 = st.columns(2)
    c1.metric("Learned parameters", params.n_parameters)
    if len(params.outputs) == 1:
        c2.metric(
            # The class is named in the help: the label must fit a quarter of the page.
            "Intercept (log-odds)",
            f"{params.intercept[0]:.4g}",
            help=f"The log-odds that a row is {escape_markdown(params.outputs[0])} when every "
            "feature is 0.",
        )
    else:
        c2.metric("Classes", len(params.outputs), help="One row of coefficients per class.")
    shown = table.rename(
        columns={
            "output": "class",
            "coef": "per unit",
            "coef_per_sd": "per SD",
            "versus": "odds against",
            "odds_ratio": "odds ratio",
            "odds_ratio_per_sd": "odds ratio per SD",
        }
    ).assign(zero=table["zero"].map({True: "exactly 0", False: ""}))
    # The reference class's own rows hold no odds ratio: say why the cells are empty.
    shown.loc[shown["class"] == shown["odds against"], "odds against"] = "(reference)"
    numbers = ("per SD", "odds ratio per SD", "per unit", "odds ratio")
    # Odds ratios beside their coefficients and before the long text columns, so a
    # half-width column shows them without scrolling.
    order = ["class", "feature", *numbers, "odds against", "zero"]
    show_table(
        shown[[c for c in order if c in shown.columns]],
        hide_index=True,
        column_config={
            name: st.column_config.NumberColumn(format="%.4g", width="small") for name in numbers
        },
    )
    if len(params.outputs) > 1:
        show_table(
            pd.DataFrame({"class": params.outputs, "intercept": params.intercept}),
            hide_index=True,
        )
    if not _chart_wanted(key):
        return
    column = st.radio("Chart units", list(UNITS), format_func=UNITS.get, horizontal=True, key=key)
    if len(params.outputs) == 1:
        single = table.drop(columns=["output"])
        st.plotly_chart(
            coefficient_bar_figure(single, column, top=_strongest(single, key)),
            key=f"{key}_chart",
        )
        st.caption(
            f"Blue raises the log-odds of {escape_markdown(params.outputs[0])}, red lowers "
            "them, grey is exactly zero."
        )
    else:
        st.plotly_chart(coefficient_heatmap_figure(table, column), key=f"{key}_chart")
        st.caption("One row per class: blue raises that class's score, red lowers it.")


def _chart_wanted(key: str) -> bool:
    """Whether to chart the coefficients: on a click, so a fresh page draws without the
    chart library (the slowest thing a first visit loads; the table says the same)."""
    return st.toggle(
        "Chart the coefficients",
        key=f"{key}_chart_on",
        help="Bars, strongest first, per standard deviation or per unit.",
    )


#: Charts of more features than this show the strongest, with a control for more.
CHART_FEATURES = 12


def _strongest(table: pd.DataFrame, key: str) -> int | None:
    """How many of the strongest features to chart: all when few, else the user's choice."""
    n = len(table)
    if n <= CHART_FEATURES:
        return None
    return int(
        st.slider(
            "Features in the chart (strongest first)",
            min_value=3,
            max_value=n,
            value=CHART_FEATURES,
            key=f"{key}_top",
        )
    )


def regression_panel(page: PageFit, learned: LearnedParameters) -> None:
    """A linear regression's learned parameters: count, intercept, coefficients, chart."""
    from core.linear.parameters import coefficient_table

    params = learned.detail
    table = coefficient_table(params, page.choice.dataset.true_coef)
    linear_parameters_panel(params, table, page.choice.dataset.target)


def classifier_panel(page: PageFit, learned: LearnedParameters) -> None:
    """A logistic regression's learned parameters: odds ratios per class, and the scores'
    confusion matrix in the setting's column."""
    from core.fitting import confusion_table
    from core.linear.parameters import class_coefficient_table

    params = learned.detail
    classes = tuple(str(c) for c in page.fit.model.classes_)
    class_parameters_panel(params, class_coefficient_table(params, reference=classes[0]))
    with page.set_col:
        confusion_panel(
            *confusion_table(page.fit, page.choice.dataset), in_sample=page.fit.in_sample
        )
