"""Views only the linear families have: coefficient tables with per-unit and per-SD columns,
odds ratios for logistic regression, and their bar charts and heatmaps."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.learned import LearnedParameters
from core.linear.figures import coefficient_bar_figure, coefficient_heatmap_figure
from core.linear.parameters import LinearParameters
from core.links import COEFFICIENT_CHART, COEFFICIENT_UNITS, UNIT_COLUMNS
from core.text import escape_markdown, plural
from ui.family_page import PageFit
from ui.panels import confusion_panel
from ui.tables import hiding, more_columns_note, number_format, show_table
from ui.widgets import view_radio

#: A logistic table's columns for each choice of units: the coefficient and its odds
#: ratio. The table shows one pair: both pairs, the class and the text columns need more
#: than half of a 1280 px page, so the rest stay in the data and the table's column menu.
ODDS_COLUMNS = {"per SD": ("per SD", "odds ratio per SD"), "per unit": ("per unit", "odds ratio")}

#: The column help of each pair, in the units of its column.
ODDS_HELP = {
    "coefficient": "The change in the log-odds {units} of the feature.",
    "odds ratio": "e^coefficient: the factor on the odds {units} of the feature.",
}


def linear_parameters_panel(params: LinearParameters, table: pd.DataFrame, target: str) -> None:
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
    shown = _shown(table, {"true_coef": "true (per unit)", "true_coef_per_sd": "true (per SD)"})
    show_table(
        shown,
        hide_index=True,
        column_config={
            "per unit": st.column_config.NumberColumn(format="%.5g"),
            "per SD": st.column_config.NumberColumn(format="%.5g"),
            "true (per unit)": st.column_config.NumberColumn(format="%.5g"),
            "true (per SD)": st.column_config.NumberColumn(format="%.5g"),
        },
    )
    if not _chart_wanted():
        return
    column = UNIT_COLUMNS[view_radio(COEFFICIENT_UNITS)]
    st.plotly_chart(
        coefficient_bar_figure(table, column, top=_strongest(table)), key="coef_chart_figure"
    )
    st.caption(
        f"Coefficients for predicting {escape_markdown(target)}; blue raises the prediction, "
        "red lowers it, grey is exactly zero."
        + (" Diamonds mark the true coefficients." if "true_coef" in table else "")
    )


def class_parameters_panel(params: LinearParameters, table: pd.DataFrame) -> None:
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
    units = view_radio(COEFFICIENT_UNITS)
    column = UNIT_COLUMNS[units]
    several = len(params.outputs) > 1
    hidden = [c for u, pair in ODDS_COLUMNS.items() if u != units for c in pair]
    # The units picked are named by the control above: its pair reads "coefficient" and
    # "odds ratio", short enough to fit; the other pair names its units.
    shown = _odds_table(table)
    numbers = {
        name: st.column_config.NumberColumn(
            label if u == units else f"{label} {u}",
            format=number_format(shown[name]),
            help=ODDS_HELP[label].format(units=u.replace("SD", "standard deviation")),
        )
        for u, pair in ODDS_COLUMNS.items()
        for name, label in zip(pair, ("coefficient", "odds ratio"), strict=True)
    }
    # What the odds are against is said once in the caption, not on every row.
    text = ["odds against", "zero", *([] if several else ["class"])]
    show_table(shown, hide_index=True, column_config=hiding(numbers, hidden + text))
    zeros = int(table["zero"].sum())
    st.caption(
        _odds_sentence(params.outputs, table)
        + (
            f" {plural(zeros, 'coefficient')} {'is' if zeros == 1 else 'are'} exactly 0."
            if zeros
            else ""
        )
        + " "
        + more_columns_note([numbers[name]["label"] for name in hidden] + ["odds against", "zero"])
    )
    if several:
        show_table(
            pd.DataFrame({"class": params.outputs, "intercept": params.intercept}),
            hide_index=True,
        )
    if not _chart_wanted():
        return
    if not several:
        single = table.drop(columns=["output"])
        st.plotly_chart(
            coefficient_bar_figure(single, column, top=_strongest(single)),
            key="coef_chart_figure",
        )
        st.caption(
            f"Blue raises the log-odds of {escape_markdown(params.outputs[0])}, red lowers "
            "them, grey is exactly zero."
        )
    else:
        st.plotly_chart(coefficient_heatmap_figure(table, column), key="coef_chart_figure")
        st.caption("One row per class: blue raises that class's score, red lowers it.")


def _shown(table: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """A coefficient table as the page shows it: the coefficient columns named by their
    units (the link's ``units`` choices), the other columns by ``names``, and ``zero``
    as the words "exactly 0", last."""
    by_units = {column: units for units, column in UNIT_COLUMNS.items()}
    shown = table.rename(columns=by_units | names).drop(columns=["zero"])
    return shown.assign(zero=table["zero"].map({True: "exactly 0", False: ""}))


def _odds_table(table: pd.DataFrame) -> pd.DataFrame:
    """The class coefficient table with the page's column names, odds ratios beside their
    coefficients and the text columns last."""
    shown = _shown(
        table,
        {
            "output": "class",
            "versus": "odds against",
            "odds_ratio": "odds ratio",
            "odds_ratio_per_sd": "odds ratio per SD",
        },
    )
    # The reference class's own rows hold no odds ratio: say why the cells are empty.
    shown.loc[shown["class"] == shown["odds against"], "odds against"] = "(reference)"
    numbers = [c for pair in ODDS_COLUMNS.values() for c in pair]
    return shown[["class", "feature", *numbers, "odds against", "zero"]]


def _odds_sentence(outputs: tuple[str, ...], table: pd.DataFrame) -> str:
    """What the odds ratios compare: one class against the other, each class against a
    reference class (a multinomial model) or each against the rest (one-vs-rest)."""
    versus = escape_markdown(table["versus"].iloc[0])
    if len(outputs) == 1:
        return (
            f"Odds ratio = e^coefficient: the factor on the odds of "
            f"{escape_markdown(outputs[0])} against {versus}."
        )
    if table["versus"].iloc[0] in outputs:
        return (
            f"Odds ratio = e^(coefficient - {versus}'s): the factor on the odds of each class "
            f"against {versus}, whose own rows hold none."
        )
    return f"Odds ratio = e^coefficient: the factor on the odds of each class against {versus}."


def _chart_wanted() -> bool:
    """Whether to chart the coefficients: on a click (or a link), so a fresh page draws
    without the chart library (the slowest thing a first visit loads; the table says the
    same)."""
    return st.toggle(
        COEFFICIENT_CHART.label,
        key=COEFFICIENT_CHART.name,
        bind="query-params",
        help=COEFFICIENT_CHART.help,
    )


#: Charts of more features than this show the strongest, with a control for more.
CHART_FEATURES = 12


def _strongest(table: pd.DataFrame) -> int | None:
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
            key="coef_chart_top",
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
