"""The Predict tab of every family page: one row through the learned parameters, with
what-if edits of its feature values.

The row is picked by the link's ``row_set`` and ``row`` (:func:`ui.rows.pick_row`); the
edits live in number boxes and in the link's ``edit`` key (:data:`core.links.EDIT_KEY`,
read by :func:`core.links.parse_row_edits`). Everything shown comes from
:func:`core.row_predict.predict_row`, which asks the family what it can tell
(``FamilySpec.explain_row``) and never which family it is.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import streamlit as st

from core.fitting import training_features
from core.links import COMPARE_ROW, EDIT_KEY, edits_query_value, parse_row_edits
from core.row_predict import RowPrediction, predict_row
from core.row_story import RowStory
from core.text import escape_markdown, format_number
from ui.rows import pick_row
from ui.tables import show_table

if TYPE_CHECKING:  # the page frame imports this tab when it opens
    from ui.family_page import PageFit

#: Above this many features the editor asks which ones to show (a box per feature of a
#: 500-column upload would bury the page).
MAX_EDITOR_FEATURES = 24
#: Boxes per line in the editor.
EDITOR_COLUMNS = 4


def _box_key(j: int) -> str:
    """Session key of the what-if box of feature ``j`` (by position: names are user text)."""
    return f"whatif_{j}"


def _state_value(value: float) -> float | None:
    """A feature value as its number box holds it (an empty box for a missing value)."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _seed_edits(page: PageFit, which: str, position: int, original: pd.Series) -> None:
    """Give the what-if boxes their values before they are drawn.

    A link the page did not write itself (opened, pasted, the back button) seeds them from
    its ``edit`` (naming what it drops); another row resets them to that row's own values;
    a box whose state Streamlit dropped (the tab was closed) is seeded from the link, which
    always holds the current edits.
    """
    family = page.family.id
    owner_key, written_key = f"whatif_owner_{family}", f"whatif_written_{family}"
    owner = (page.choice.fitted_on, which, position)
    columns = [str(c) for c in original.index]
    linked = st.query_params.get(EDIT_KEY)
    from_link = linked is not None and linked != st.session_state.get(written_key)
    edits, problems = parse_row_edits(linked, columns) if linked else ({}, [])
    if from_link:
        for sentence in problems:
            st.warning(escape_markdown(sentence), icon=":material/link_off:")
    previous = st.session_state.get(owner_key)
    moved = previous is not None and previous != owner and not from_link
    if moved:
        edits = {}
    st.session_state[owner_key] = owner
    for j, column in enumerate(columns):
        key = _box_key(j)
        if from_link or moved or key not in st.session_state:
            st.session_state[key] = _state_value(float(edits.get(column, original.iloc[j])))


def _reset(original: list[float | None]) -> None:
    for j, value in enumerate(original):
        st.session_state[_box_key(j)] = value


def _step(sd: float) -> float:
    """A box's step: about a tenth of the feature's training spread, a round number."""
    if not np.isfinite(sd) or sd <= 0:
        return 0.1
    return float(10.0 ** math.floor(math.log10(sd / 10)))


def _editor(page: PageFit, original: pd.Series) -> dict[str, float]:
    """The what-if boxes; returns the edits (feature to value) that differ from the row."""
    columns = [str(c) for c in original.index]
    sd = training_features(page.fit, page.choice.dataset).std(axis=0, ddof=0).to_numpy()
    shown = list(range(len(columns)))
    if len(columns) > MAX_EDITOR_FEATURES:
        edited_now = [
            c
            for j, c in enumerate(columns)
            if st.session_state.get(_box_key(j)) != _state_value(float(original.iloc[j]))
        ]
        kept = [c for c in st.session_state.get("whatif_features", ()) if c in columns]
        if not kept:  # first drawn, or other data: the first features and any edited
            first = set(columns[:8]) | set(edited_now)
            kept = [c for c in columns if c in first]
        st.session_state["whatif_features"] = kept  # then the user's choice stands
        picked = st.multiselect(
            "Features to edit",
            columns,
            key="whatif_features",
            help=f"The data have {len(columns)} features; pick the ones to change.",
        )
        shown = [columns.index(c) for c in picked]
    grid = st.columns(EDITOR_COLUMNS)
    for n, j in enumerate(shown):
        with grid[n % EDITOR_COLUMNS]:
            st.number_input(
                escape_markdown(columns[j]),
                value=None,  # the state seeded above holds the value (None: missing)
                step=_step(float(sd[j])),
                format="%.6g",
                key=_box_key(j),
                help=f"In the data: {format_number(float(original.iloc[j]))}.",
            )
    values = [st.session_state.get(_box_key(j)) for j in range(len(columns))]
    first = [_state_value(float(v)) for v in original]
    st.button(
        "Back to the row's own values",
        key="whatif_reset",
        on_click=_reset,
        args=(first,),
        disabled=values == first,
    )
    return {
        columns[j]: float(v)
        for j, v in enumerate(values)
        if v is not None and v != first[j] and np.isfinite(v)
    }


def _write_link(page: PageFit, edits: dict[str, float]) -> None:
    """Keep the link's ``edit`` equal to the boxes' edits (left out when there are none)."""
    text = edits_query_value(edits) if edits else None
    if st.query_params.get(EDIT_KEY) != text:
        if text is None:
            del st.query_params[EDIT_KEY]
        else:
            st.query_params[EDIT_KEY] = text
    st.session_state[f"whatif_written_{page.family.id}"] = text


def _value_text(value: Any) -> str:
    """A metric's value: a number shortened, a class label escaped (metric values are
    Markdown, and labels come from users' files)."""
    if isinstance(value, float | np.floating):
        return format_number(float(value))
    return escape_markdown(value)


def _headline(result: RowPrediction) -> None:
    story = result.story
    cells = st.columns(2 + len(story.metrics))
    delta = None
    if result.original is not None and story.probabilities is None:
        # A number's move only: a class's change is said in words under the metrics.
        moved = float(story.prediction) - float(result.original.prediction)
        delta = f"{moved:+.4g} by the edits"
    cells[0].metric(
        "Prediction",
        _value_text(story.prediction),
        delta=delta,
        delta_color="off",
        help="What the fitted estimator predicts for this row"
        + (", edits included." if result.edits else "."),
    )
    cells[1].metric(
        "Actual",
        _value_text(result.actual),
        help="The row's target in the data"
        + (" (of the row as it is, before the edits)." if result.edits else "."),
    )
    for cell, metric in zip(cells[2:], story.metrics, strict=True):
        cell.metric(metric.label, _value_text(metric.value), help=metric.help or None)


def _probabilities(story: RowStory) -> None:
    if story.probabilities is None:
        return
    frame = pd.DataFrame(
        {"class": list(story.probabilities.index), "probability": story.probabilities.to_numpy()}
    )
    show_table(
        frame,
        hide_index=True,
        column_config={
            "probability": st.column_config.ProgressColumn(
                "predict_proba", format="%.3f", min_value=0.0, max_value=1.0
            )
        },
    )


def _figures(story: RowStory) -> None:
    if not story.figures:
        return
    shown = story.figures
    if story.choose and len(story.figures) > 1:
        labels = [f.label for f in story.figures]
        if st.session_state.get("predict_chart") not in labels:  # another model's views
            st.session_state.pop("predict_chart", None)
        picked = st.radio(
            "Chart", labels, horizontal=True, key="predict_chart", label_visibility="collapsed"
        )
        shown = [story.figures[labels.index(picked)]]
    for i, figure in enumerate(shown):
        st.plotly_chart(figure.figure, key=f"predict_figure_{i}", config={"displayModeBar": False})


def _tables(story: RowStory) -> None:
    for i, table in enumerate(story.tables):
        st.markdown(f"**{escape_markdown(table.title)}**")
        show_table(
            table.frame,
            hide_index=True,
            key=f"predict_table_{i}",
            column_config={
                c: st.column_config.NumberColumn(format="%.6g")
                for c in table.frame.columns
                if pd.api.types.is_float_dtype(table.frame[c])
            },
        )
        if table.caption:
            st.caption(escape_markdown(table.caption))


def _positions(result: RowPrediction) -> None:
    outside = result.features["where"].str.startswith("extrapolation").any()
    with st.expander("Where this row's values sit among the training rows", expanded=bool(outside)):
        show_table(
            result.features,
            hide_index=True,
            key="predict_positions",
            column_config={
                "value": st.column_config.NumberColumn(format="%.6g", help="As predicted."),
                "in the data": st.column_config.NumberColumn(format="%.6g"),
                "scaled": st.column_config.NumberColumn(
                    format="%.4g", help="As the model sees it: (value − mean) / SD of training."
                ),
                "training min": st.column_config.NumberColumn(format="%.6g"),
                "training max": st.column_config.NumberColumn(format="%.6g"),
                "percentile": st.column_config.ProgressColumn(
                    format="%.0f",
                    min_value=0.0,
                    max_value=100.0,
                    help="Share of training values at or below this one, in percent.",
                ),
            },
        )
        st.caption(
            "A value outside the training range is an extrapolation: the model never saw "
            "one like it."
        )


def predict_view(page: PageFit, learned: Any) -> None:
    """Pick a row, edit its values, and see it pass through the learned parameters."""
    st.caption(
        "One row through the learned parameters: how they turn its feature values into the "
        "prediction. Change any value below and everything redraws; the edits are in the "
        "link."
    )
    position = pick_row(page)
    if position is None:
        return
    dataset = page.choice.dataset
    which = str(st.session_state.get("row_set", "training"))
    original = dataset.X.iloc[position]
    _seed_edits(page, which, position, original)
    with st.expander("What if: change this row's values", expanded=True):
        edits = _editor(page, original)
    _write_link(page, edits)
    try:
        result = predict_row(page.family, page.fit, dataset, position, edits)
    except ValueError as exc:
        st.error(escape_markdown(str(exc)))
        return
    label = escape_markdown(dataset.X.index[position])
    st.caption(
        f"Row {position} of the data set (label {label}), a "
        + (
            "training row: the model saw it."
            if result.is_training
            else "test row: new to the model."
        )
        + (f" {len(edits)} value{'s' if len(edits) != 1 else ''} edited." if edits else "")
    )
    _headline(result)
    if result.changed:
        st.info(
            "**What changed.** " + " ".join(escape_markdown(s) for s in result.changed),
            icon=":material/compare_arrows:",
        )
    for note in result.notes:
        st.warning(escape_markdown(note), icon=":material/warning:")
    story = result.story
    left, right = st.columns([3, 2]) if story.probabilities is not None else (st.container(), None)
    with left:
        for sentence in story.sentences:
            st.markdown(escape_markdown(sentence))
    if right is not None:
        with right:
            _probabilities(story)
    _figures(story)
    if story.dot:
        st.graphviz_chart(story.dot, width="content")
    _tables(story)
    _positions(result)
    if story.method:
        st.caption(escape_markdown(story.method))


# --- Compare: one row under A and under B --------------------------------------------------
def _pinned_fit(page: PageFit) -> Any:
    """Setting A's fit on the page's data (a cache hit when A was pinned on this page), or
    ``None`` after a sentence when it cannot be had."""
    from core.fitting import FitError, FitTooSlow
    from core.links import parse_pinned, pinned_query_value
    from core.setting import Setting
    from ui.cache import cached_fit
    from ui.widgets import LONG_WORK_SECONDS

    pinned = st.session_state.get(page.pin_key)
    if pinned is None:
        return None
    if pinned.data_key != page.choice.fitted_on:
        st.caption("A was fitted on other data: one row can be compared only on the same data.")
        return None
    try:
        estimator_id, hyper, data = parse_pinned(
            page.family, pinned_query_value(page.family, pinned.setting)
        )
        key = Setting.of(
            page.family.id,
            estimator_id,
            hyper,
            data=page.choice.data,
            data_key=page.choice.data_key,
            target=page.choice.target,
            **data,
        )
        return cached_fit(key, page.choice.dataset, LONG_WORK_SECONDS)
    except FitTooSlow as exc:
        st.info(escape_markdown(f"Refitting A for this row would take too long: {exc}"))
    except (FitError, ValueError) as exc:
        st.warning(escape_markdown(f"A cannot be refitted for this row: {exc}"))
    return None


def compare_row_view(page: PageFit) -> None:
    """On the Compare tab, with A pinned: one row (the Predict tab's row keys) through A's
    fit and B's, and which terms moved its prediction."""
    from core.row_predict import compare_row

    if st.session_state.get(page.pin_key) is None:
        return
    if not st.toggle(
        COMPARE_ROW.label, key=COMPARE_ROW.name, bind="query-params", help=COMPARE_ROW.help
    ):
        return
    fit_a = _pinned_fit(page)
    if fit_a is None:
        return
    position = pick_row(page)
    if position is None:
        return
    dataset = page.choice.dataset
    try:
        a = predict_row(page.family, fit_a, dataset, position).story
        b = predict_row(page.family, page.fit, dataset, position).story
    except ValueError as exc:
        st.error(escape_markdown(str(exc)))
        return
    comparison = compare_row(a, b)
    cells = st.columns(3)
    cells[0].metric("Prediction under A", _value_text(a.prediction))
    cells[1].metric("Prediction under B", _value_text(b.prediction))
    cells[2].metric("Actual", _value_text(dataset.y.iloc[position]), help="The row's target.")
    for sentence in comparison.sentences:
        st.markdown(escape_markdown(sentence))
    if comparison.terms is not None:
        show_table(
            comparison.terms,
            hide_index=True,
            key="compare_row_terms",
            column_config={
                c: st.column_config.NumberColumn(format="%.6g") for c in ("A", "B", "B − A")
            },
        )
    else:
        left, right = st.columns(2)
        for column, name, story in ((left, "A", a), (right, "B", b)):
            with column:
                st.markdown(f"**Under {name}**")
                for sentence in story.sentences:
                    st.caption(escape_markdown(sentence))
