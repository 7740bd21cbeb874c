"""The all-families page: one data set, every family that serves its task, side by side.

What each family was given (its last setting on its own page this session, else the page's
start), what it learned, its scores and a link back to its page; then, on a click, every
family's capacity swept and drawn as score against effective parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from core.capacity import (
    PlannedPoint,
    complexity_sentences,
    cv_folds,
    fold_rows,
    sweep_plan,
    sweep_point,
    sweep_table,
)
from core.comparison import (
    FamilyRow,
    FamilySetting,
    compare_families,
    comparison_table,
    current_sentences,
    families_for,
    last_setting,
)
from core.comparison_figures import complexity_figure
from core.data.catalogue import DATASETS, UPLOAD_ID
from core.data.tables import Task
from core.fitting import FitResult, split_data
from core.links import data_link_problems_for, share_query
from core.registry import FAMILIES
from core.scoring import TASK_SCORING
from core.setting import DATA_SETTINGS, TASK, Setting
from core.text import escape_markdown
from ui.cache import cached_fit
from ui.data import DataChoice, data_section
from ui.widgets import LONG_WORK_SECONDS, drop_link_values, preset_key

#: Session-state key of the sweeps the user asked for (their ids), so returning is instant.
SWEEPS_DONE = "families_sweeps"
#: The sweep button's key.
SWEEP_BUTTON = "families_sweep"


@dataclass(frozen=True)
class PickerFamily:
    """What :func:`ui.data.data_section` reads of a family, for a page of every family:
    both tasks' data sets, diabetes first, standardised features by default."""

    id: str = "families"
    title: str = "All families"
    tasks: tuple[Task, ...] = ("regression", "classification")
    default_dataset: str = "diabetes"
    scale_default: bool = True


PICKER = PickerFamily()


def link_notes() -> None:
    """On the page's first run in a session, drop the link's invalid data values and say so
    (before any widget: Streamlit parses a bound widget's URL value itself)."""
    flag = f"link_checked_{PICKER.id}"
    if st.session_state.get(flag):
        return
    st.session_state[flag] = True
    drop_link_values(data_link_problems_for(PICKER, st.query_params.to_dict()))


def _data_keys() -> tuple[str, ...]:
    options = {o.name for spec in DATASETS for o in spec.options}
    return ("dataset", TASK.name, *(s.name for s in DATA_SETTINGS), *sorted(options))


def keep_data_values() -> None:
    """Carry the data values over a page switch: arriving from a family page, this page
    opens on the same data set, target, split and scaling (Streamlit would otherwise drop
    the page-scoped values and start from the defaults)."""
    for name in _data_keys():
        if name in st.session_state:
            preset_key(name, st.session_state[name])


def fit_key(setting: FamilySetting, choice: DataChoice) -> Setting:
    """The key the family's own page gives this fit, so opening it is a cache hit."""
    return choice.setting_for(setting.family.id, setting.estimator_id, setting.values)


def _rows(choice: DataChoice, settings: list[FamilySetting]) -> list[FamilyRow]:
    confirmed = st.session_state.setdefault("confirmed_work", set())

    def fitter(setting: FamilySetting) -> FitResult:
        key = fit_key(setting, choice)
        budget = None if repr(key) in confirmed else LONG_WORK_SECONDS
        return cached_fit(key, choice.dataset, budget)

    return compare_families(settings, choice.dataset, fitter=fitter)


def page_query(setting: FamilySetting, choice: DataChoice) -> str:
    """The query string that opens the family's page with this data and setting."""
    full = {**choice.setting, "estimator": setting.estimator_id, **setting.values}
    return share_query(setting.family, full, choice.default_target)


def _app_base() -> str:
    """The app's address without this page's path (``http://host:8501``), or ``""`` when
    unknown (tests), so links are relative then."""
    url = st.context.url
    if not url:
        return ""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if path.endswith(f"/{PICKER.id}"):
        path = path[: -len(PICKER.id) - 1]
    return f"{parts.scheme}://{parts.netloc}{path}"


def page_url(setting: FamilySetting, choice: DataChoice) -> str:
    """The address of the family's page with this data and setting."""
    query = page_query(setting, choice)
    path = f"{_app_base()}/{setting.family.id}"
    return f"{path}?{query}" if query else path


def _links(rows: list[FamilyRow], choice: DataChoice) -> None:
    # Links that load the page afresh (in a new tab), not st.page_link: in one session the
    # family page's data widgets hold this page's values under the same keys, and
    # Streamlit resets those on a page switch, so the link's dataset and seed were lost.
    links = " · ".join(
        f"[{escape_markdown(row.family.title)}]({page_url(row.setting, choice)})" for row in rows
    )
    st.markdown(f"**Open a family's page with this data and setting** (new tab): {links}")
    if choice.dataset_id == UPLOAD_ID:
        st.caption("Uploaded data cannot travel in a link: the page asks for the same file.")


def current_section(choice: DataChoice, rows: list[FamilyRow]) -> None:
    """The table of current fits, one row per family, and the links to their pages."""
    primary = TASK_SCORING[choice.task].primary
    st.subheader("Every family on this data", divider="blue")
    st.caption(
        "Each family with the hyperparameters last used on its page in this session (else "
        "the values its page starts from), fitted on the same rows. **Shape the model**: how "
        "many of those values change which model is learned; the rest only steer the "
        "optimiser. Nearest neighbours learns nothing and stores the training rows instead."
    )
    table = comparison_table(rows, choice.task)
    table["page"] = [page_url(row.setting, choice) for row in rows]

    def score(label: str, help: str) -> Any:
        return st.column_config.NumberColumn(label, help=help, format="%.3f", width="small")

    count = st.column_config.NumberColumn
    st.dataframe(
        table,
        hide_index=True,
        key="families_table",
        # The numbers first, then what produced them: the setting is the widest column.
        column_order=(
            "family",
            "learned parameters",
            "stored values",
            "effective parameters",
            f"train {primary}",
            f"test {primary}",
            "fit time",
            "page",
            "estimator",
            "hyperparameters",
            "shape the model",
            "from",
            "setting",
            "note",
        ),
        column_config={
            "family": st.column_config.TextColumn(pinned=True),
            "learned parameters": count("learned", help="Learned parameters.", width="small"),
            "stored values": count(
                "stored",
                help="Values the model stores instead of learning (rows × features).",
                width="small",
            ),
            "effective parameters": count(
                "effective",
                format="%.3g",
                help="Effective number of parameters, by each family's own definition (see "
                "the chart's caption).",
                width="small",
            ),
            # Short labels (the metric is in the help): "train accuracy" was cut to "train accura…".
            f"train {primary}": score("train", help=f"{primary} on the training rows."),
            f"test {primary}": score("test", help=f"{primary} on the test rows."),
            "fit time": st.column_config.TextColumn(width="small"),
            "page": st.column_config.LinkColumn(
                display_text="open ↗",
                help="The family's page with this data and setting, in a new tab.",
                width="small",
            ),
            "hyperparameters": count(
                "set", help="Hyperparameters this estimator takes.", width="small"
            ),
            "shape the model": count(
                "shape the model",
                help="How many of them change which model is learned; the rest only steer "
                "the optimiser.",
                width="small",
            ),
            "setting": st.column_config.TextColumn(width="large"),
            "note": st.column_config.TextColumn(width="large"),
        },
    )
    if choice.test_size == 0:
        st.caption(
            "The test share is 0: every row trained the models, so there are no test scores."
        )
    _links(rows, choice)


# --- the sweep -----------------------------------------------------------------------------
@st.cache_data(max_entries=512, show_spinner=False)
def cached_sweep_point(
    key: Setting,
    param: str | None,
    cv_param: str | None,
    folds: int,
    _setting: FamilySetting,
    _value: Any,
    _dataset,
) -> dict[str, Any]:
    """One point of a family's complexity sweep (one fit, ``folds`` cross-validation fits).

    ``key`` is the point's own fit key (the swept value in place), so a point shared by two
    sweeps (the current setting, a returning data set) is fitted once.
    """
    point = PlannedPoint(param, _value, False, cv_param)
    return sweep_point(_setting, point, _dataset, **key.split_settings(), folds=folds)


def _point_key(setting: FamilySetting, point: PlannedPoint, choice: DataChoice) -> Setting:
    key = fit_key(setting, choice)
    if point.param is None:
        return key
    return key.with_values({**setting.values, point.param: point.value})


#: A family's sweep is given about this many seconds: a slow family (a network) gets
#: fewer grid points, in tiers, so that a fit time that wobbles (a busy machine) keeps the
#: same grid, and with it the cached points. Fast fits (under about 0.2 s) get all 13.
FAMILY_SWEEP_SECONDS = 15.0
GRID_TIERS = (13, 9, 5, 3)


def grid_points(fit_seconds: float, folds: int) -> int:
    """Grid points for a family whose fit takes ``fit_seconds``: the most of
    :data:`GRID_TIERS` whose refits (one fit and ``folds`` cross-validation fits per point)
    fit in :data:`FAMILY_SWEEP_SECONDS`, at least the smallest tier."""
    per_point = max(fit_seconds, 1e-3) * (1 + max(folds, 0))
    for n in GRID_TIERS:
        if n * per_point <= FAMILY_SWEEP_SECONDS:
            return n
    return GRID_TIERS[-1]


def _estimate(rows: list[FamilyRow], plans: dict[str, list[PlannedPoint]], folds: int) -> float:
    seconds = 0.0
    for row in rows:
        per_fit = row.fit_seconds if row.fitted else 0.05
        seconds += len(plans[row.family.id]) * per_fit * (1 + max(folds, 0))
    return seconds


def sweep_section(choice: DataChoice, rows: list[FamilyRow]) -> pd.DataFrame | None:
    """The complexity chart: on a click, each family's capacity swept and cross-validated;
    returns the sweep's points (``None`` before the click)."""
    primary = TASK_SCORING[choice.task].primary
    st.subheader("Complexity against score", divider="orange")
    fitted = [r for r in rows if r.fitted]
    if not fitted:
        st.info("No family could be fitted on this data, so there is nothing to sweep.")
        return None
    try:
        n_train = len(split_data(choice.dataset, choice.test_size, choice.seed).train)
    except ValueError as exc:
        st.error(escape_markdown(str(exc)))
        return None
    folds = cv_folds(choice.dataset, choice.test_size, choice.seed)
    cap = fold_rows(n_train, max(folds, 2))
    plans = {
        r.family.id: sweep_plan(r.setting, cap, grid_points(r.fit_seconds, folds)) for r in fitted
    }
    work = [
        (row.setting, point, _point_key(row.setting, point, choice))
        for row in fitted
        for point in plans[row.family.id]
    ]
    sweep_id = repr((tuple(repr(k) for _, _, k in work), folds))
    done: set[str] = st.session_state.setdefault(SWEEPS_DONE, set())
    swept = [r.family.title for r in fitted if r.family.capacity]
    st.caption(
        "Each family's capacity hyperparameter ("
        + ", ".join(
            f"{r.family.title}: {r.family.capacity}"
            for r in fitted
            if r.family.capacity and len(plans[r.family.id]) > 1
        )
        + ") is swept with its other values as set; every point is refitted on the training "
        f"rows (test {primary}) and "
        + (
            f"cross-validated on them ({folds} folds)."
            if folds >= 2
            else "not cross-validated: too few training rows per class or fold."
        )
        + " Families without one show their current setting as one point."
        if swept
        else "No family here has a capacity hyperparameter: each shows its current setting."
    )
    if sweep_id not in done:
        seconds = _estimate(fitted, plans, folds)
        slot = st.empty()  # the button goes once clicked: the chart takes its place
        clicked = slot.button(
            f"Sweep every family ({len(work)} settings, about {max(seconds, 1):.0f} s)",
            key=SWEEP_BUTTON,
            icon=":material/play_arrow:",
            type="primary",
        )
        if not clicked:
            return None
        slot.empty()
        done.add(sweep_id)
    progress = st.progress(0.0, text="Sweeping…")
    points = []
    for i, (setting, point, key) in enumerate(work):
        progress.progress(
            i / len(work),
            text=f"{setting.family.title}: "
            + (f"{point.param} = {point.value}" if point.param else "current setting"),
        )
        result = cached_sweep_point(
            key, point.param, point.cv_param, folds, setting, point.value, choice.dataset
        )
        points.append({**result, "current": point.current})
    progress.empty()
    table = sweep_table(points)
    figure = complexity_figure(table, primary, [f.id for f in FAMILIES])
    st.plotly_chart(figure, key="families_complexity")
    definitions = "; ".join(
        f"**{escape_markdown(r.family.title)}**: {escape_markdown(r.family.effective_definition)}"
        for r in fitted
    )
    st.caption(
        "Effective number of parameters, by each family's textbook definition: "
        + definitions
        + ". Error bars: one fold-to-fold standard deviation of the cross-validated score."
    )
    warned = sorted({w for p in points for w in p.get("warnings", ())})
    with st.expander("The sweep's numbers" + (f" and {len(warned)} warnings" if warned else "")):
        shown = table.copy()
        shown["value"] = shown["value"].map(lambda v: "" if v is None else str(v))
        st.dataframe(
            shown.drop(columns=["family_id"]),
            hide_index=True,
            column_config={
                c: st.column_config.NumberColumn(format="%.3f")
                for c in ("train", "test", "cv_mean", "cv_std")
            }
            | {"effective": st.column_config.NumberColumn(format="%.3g")},
        )
        for text in warned:
            st.caption("scikit-learn warned: " + escape_markdown(text))
    return table


def interpretation_section(
    choice: DataChoice, rows: list[FamilyRow], sweep: pd.DataFrame | None
) -> None:
    """Which family does best here, at what complexity, and how close the simpler ones come."""
    st.subheader("Interpretation", divider="gray")
    if sweep is None:
        sentences = current_sentences(rows, choice.task)
    else:
        n_test = None
        if choice.test_size > 0:
            n_test = len(choice.dataset.y) - len(
                split_data(choice.dataset, choice.test_size, choice.seed).train
            )
        sentences = complexity_sentences(sweep, choice.task, n_test)
        for row in rows:
            if not row.fitted:
                sentences.append(f"{row.family.title} cannot be fitted here: {row.problem}")
    for sentence in sentences:
        st.markdown("- " + escape_markdown(sentence))


def families_page() -> None:
    """Draw the whole page."""
    st.title("All families")
    st.caption(
        "One data set, every model family that can learn from it: what each was set, what "
        "it learned, how well it scores, and how its score moves as it is given more room "
        "to fit."
    )
    link_notes()
    keep_data_values()
    choice = data_section(PICKER)
    if choice is None:
        st.stop()
    history = st.session_state.get("run_history", [])
    settings = [last_setting(f, choice.task, history) for f in families_for(choice.task, FAMILIES)]
    rows = _rows(choice, settings)
    current_section(choice, rows)
    sweep = sweep_section(choice, rows)
    interpretation_section(choice, rows, sweep)


__all__ = ["PICKER", "families_page", "fit_key", "page_query"]
