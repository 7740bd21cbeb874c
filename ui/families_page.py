"""The all-families page: one data set, every family that serves its task, side by side.

What each family was given (its last setting on its own page this session, else the page's
start), what it learned, its scores and a link back to its page; then, on a click, every
family's capacity swept by the one sweep engine and drawn as score against effective
parameters. Every fit is estimated before it runs: when all of them together would take
longer than ``LONG_WORK_SECONDS`` (a large upload), the page shows each family's estimate
and waits for a click, so a link to it never starts more than a few seconds of work.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from core.capacity import (
    CapacityPlan,
    capacity_points,
    capacity_sweep_seconds,
    complexity_sentences,
    cv_folds,
    fold_rows,
    sweep_plan,
    sweep_table,
)
from core.comparison import (
    FamilyRow,
    FamilySetting,
    compare_families,
    comparison_table,
    current_sentences,
    estimate_fit_seconds,
    families_for,
    last_setting,
)
from core.comparison_figures import complexity_figure
from core.data.catalogue import DATASETS, UPLOAD_ID
from core.data.tables import Dataset, Task
from core.family import FamilySpec
from core.fitting import FitError, FitResult, Split, split_data
from core.links import data_link_problems_for, share_query
from core.registry import FAMILIES
from core.scoring import TASK_SCORING
from core.setting import DATA_SETTINGS, TASK, Setting
from core.text import escape_markdown
from ui import widgets
from ui.cache import cached_fit
from ui.data import DataChoice, data_section
from ui.tables import hiding, show_table
from ui.widgets import confirm_long_work, drop_link_values, preset_key

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


@st.cache_data(max_entries=64, show_spinner=False)
def cached_fit_estimate(
    key: Setting, _family: FamilySpec, _dataset: Dataset, _split: Callable[[], Split]
) -> float:
    """Seconds the fit ``key`` would take (:func:`core.comparison.estimate_fit_seconds`);
    ``_split`` gives the page's split, made once for every family that needs it."""
    return estimate_fit_seconds(_family, key, _dataset, _split())


def fit_estimates(choice: DataChoice, settings: Sequence[FamilySetting]) -> list[float]:
    """Each family's estimated fit time; 0 for a fit already confirmed by a click (on its
    page or here) and when the split itself is refused (every fit then says so at once)."""
    confirmed = st.session_state.setdefault("confirmed_work", set())
    split = functools.cache(lambda: split_data(choice.dataset, choice.test_size, choice.seed))
    out = []
    for setting in settings:
        key = fit_key(setting, choice)
        if repr(key) in confirmed:
            out.append(0.0)
            continue
        try:
            out.append(cached_fit_estimate(key, setting.family, choice.dataset, split))
        except FitError:
            out.append(0.0)
    return out


def _rows(choice: DataChoice, settings: list[FamilySetting]) -> list[FamilyRow] | None:
    """Every family's current fit; ``None`` while long fits wait for a click.

    The fits are estimated first. Under ``LONG_WORK_SECONDS`` in all they run at once,
    each still within that time budget (an estimate can be wrong); longer, the page shows
    the estimates and a button, and after the click every fit runs to the end."""
    estimates = fit_estimates(choice, settings)
    keys = [fit_key(s, choice) for s in settings]
    work = repr(("families", tuple(repr(k) for k in keys)))
    total = sum(estimates)
    if not confirm_long_work(work, total, "Fitting every family on this data"):
        waiting_section(choice, settings, estimates)
        return None
    confirmed = st.session_state.setdefault("confirmed_work", set())
    if work in confirmed:  # clicked: no fit is held to the quick budget now
        confirmed.update(repr(k) for k in keys)
    bar = st.progress(0.0, text="Fitting…") if total > widgets.LONG_WORK_SECONDS else None
    fitted = 0
    eta = dict(zip(map(repr, keys), estimates, strict=True))

    def fitter(setting: FamilySetting) -> FitResult:
        nonlocal fitted
        key = fit_key(setting, choice)
        if bar is not None:
            seconds = eta[repr(key)]
            bar.progress(
                fitted / len(keys),
                text=f"Fitting {setting.family.title}"
                + (f" (about {seconds:.0f} s)…" if seconds >= 1 else "…"),
            )
        fitted += 1
        budget = None if repr(key) in confirmed else widgets.LONG_WORK_SECONDS
        return cached_fit(key, choice.dataset, budget)

    rows = compare_families(settings, choice.dataset, fitter=fitter)
    if bar is not None:
        bar.empty()
    return rows


def _about(seconds: float) -> str:
    if seconds <= 0:
        return "none (refused before fitting)"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:,.0f} s"


def waiting_section(
    choice: DataChoice, settings: Sequence[FamilySetting], estimates: Sequence[float]
) -> None:
    """Before long fits: what each family's fit is estimated to take, and the links to
    their pages (which estimate and ask for themselves)."""
    st.subheader("Every family on this data", divider="blue")
    table = pd.DataFrame(
        {
            "family": [s.family.title for s in settings],
            "estimator": [s.family.get_estimator(s.estimator_id).label for s in settings],
            "estimated time": [_about(e) for e in estimates],
            "setting": [s.text() for s in settings],
        }
    )
    show_table(
        table,
        hide_index=True,
        key="families_estimates",
        column_config=hiding({}, ["setting"]),
    )
    rows = len(choice.dataset.y)
    st.caption(
        f"Nothing has been fitted yet: on {rows:,} rows some fits take a while. Each "
        "estimate is the family's own where it has one (a network's epochs, the neighbour "
        "searches of predicting every row), else a fit on a sample of the training rows "
        "scaled up to all of them; a family whose setting these rows refuse costs nothing."
    )
    _links(
        settings,
        choice,
        [_detail(e, s) for e, s in zip(table["estimator"], table["setting"], strict=True)],
    )


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


def _links(settings: Sequence[FamilySetting], choice: DataChoice, details: Sequence[str]) -> None:
    """Each family's page link with what it was set (``details``, Markdown), as a list that
    wraps: in a table the setting and the fit's notes are text too wide to read beside
    the numbers."""
    # Links that load the page afresh (in a new tab), not st.page_link: in one session the
    # family page's data widgets hold this page's values under the same keys, and
    # Streamlit resets those on a page switch, so the link's dataset and seed were lost.
    items = [
        f"- [{escape_markdown(s.family.title)}]({page_url(s, choice)}): {detail}"
        for s, detail in zip(settings, details, strict=True)
    ]
    st.markdown(
        "**Open a family's page with this data and setting** (new tab), and what each was "
        "set:\n" + "\n".join(items)
    )
    if choice.dataset_id == UPLOAD_ID:
        st.caption("Uploaded data cannot travel in a link: the page asks for the same file.")


#: Where a family's values came from, as the list says it (the table's ``from`` column).
SOURCES = {"page start": "the values its page starts from", "your last run": "your last run"}


def _detail(estimator: str, setting: str, source: str | None = None, note: str = "") -> str:
    """One family's line after its link: estimator, where the values came from, the values
    as a link spells them, and what the fit said (a refusal or its warnings)."""
    text = escape_markdown(estimator) + (f", {SOURCES.get(source, source)}" if source else "")
    text += f": {escape_markdown(setting)}"
    return text + (f"  \n  :orange[{escape_markdown(note)}]" if note else "")


def current_section(choice: DataChoice, rows: list[FamilyRow]) -> None:
    """The table of current fits, one row per family, and the links to their pages."""
    primary = TASK_SCORING[choice.task].primary
    st.subheader("Every family on this data", divider="blue")
    st.caption(
        "Each family with the hyperparameters last used on its page in this session (else "
        "the values its page starts from), fitted on the same rows. **Shape the model**: how "
        "many of those values change which model is learned; the rest only steer the "
        "optimiser. Nearest neighbours learns nothing and stores the training rows instead. "
        "The list below the table says what each was set."
    )
    table = comparison_table(rows, choice.task)
    table["page"] = [page_url(row.setting, choice) for row in rows]

    def score(label: str, help: str) -> Any:
        return st.column_config.NumberColumn(label, help=help, format="%.3f", width="small")

    count = st.column_config.NumberColumn
    show_table(
        table,
        hide_index=True,
        key="families_table",
        # The numbers first; the links and text columns (estimator, setting, the fit's
        # notes) are the list below, which wraps, and stay in the data and the column menu.
        column_order=(
            "family",
            "learned parameters",
            "stored values",
            "effective parameters",
            f"train {primary}",
            f"test {primary}",
            "hyperparameters",
            # The caption above names this column: it stands where the page shows it whole.
            "shape the model",
            "fit time",
            "page",
            "estimator",
            "from",
            "setting",
            "note",
        ),
        column_config=hiding(
            {
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
                    help="Effective number of parameters, by each family's own definition "
                    "(see the chart's caption).",
                    width="small",
                ),
                # Short labels (the metric is in the help): "train accuracy" was cut.
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
                # Sized by its header, which the caption names: "small" cut it.
                "shape the model": count(
                    "shape the model",
                    help="How many of them change which model is learned; the rest only "
                    "steer the optimiser.",
                ),
            },
            ["page", "estimator", "from", "setting", "note"],
        ),
    )
    if choice.test_size == 0:
        st.caption(
            "The test share is 0: every row trained the models, so there are no test scores."
        )
    _links(
        [row.setting for row in rows],
        choice,
        [
            _detail(r["estimator"], r["setting"], r["from"], r["note"])
            for r in table.to_dict("records")
        ],
    )


# --- the sweep -----------------------------------------------------------------------------
@st.cache_data(max_entries=512, show_spinner=False)
def cached_capacity_point(
    key: Setting, param: str | None, capacity: bool, folds: int, _family: FamilySpec, _dataset
) -> dict[str, Any]:
    """One point of a family's complexity sweep, by the one sweep engine
    (:func:`core.capacity.capacity_points`: one fit, ``folds`` cross-validation fits).

    ``key`` is the point's own fit key (the swept value in place), so a point shared by two
    sweeps (the current setting, a returning data set, a grid of another size) is fitted
    once.
    """
    value = key.values.get(param) if param is not None else None
    (point,) = capacity_points(
        _family, key, _dataset, param, [value], folds=folds, capacity=capacity
    )
    return point


def _point_key(setting: FamilySetting, plan: CapacityPlan, value: Any, choice) -> Setting:
    key = fit_key(setting, choice)
    if plan.param is None:
        return key
    return key.with_values({**setting.values, plan.param: value})


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


def _sweep_seconds(
    choice: DataChoice, rows: list[FamilyRow], plans: dict[str, CapacityPlan], folds: int
) -> float:
    """The engine's estimate of every family's sweep, from each family's measured fit."""
    return sum(
        capacity_sweep_seconds(
            row.family,
            fit_key(row.setting, choice),
            choice.dataset,
            plans[row.family.id],
            folds,
            row.fit_seconds,
        )
        for row in rows
    )


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
        r.family.id: sweep_plan(
            r.family, fit_key(r.setting, choice), cap, grid_points(r.fit_seconds, folds)
        )
        for r in fitted
    }
    work = [
        (
            row.setting,
            plans[row.family.id],
            i,
            _point_key(row.setting, plans[row.family.id], v, choice),
        )
        for row in fitted
        for i, v in enumerate(plans[row.family.id].grid)
    ]
    sweep_id = repr((tuple(repr(k) for *_, k in work), folds))
    done: set[str] = st.session_state.setdefault(SWEEPS_DONE, set())
    swept = [r.family.title for r in fitted if r.family.capacity]
    st.caption(
        "Each family's capacity hyperparameter ("
        + ", ".join(
            f"{r.family.title}: {r.family.capacity}"
            for r in fitted
            if r.family.capacity and plans[r.family.id].capacity
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
        seconds = _sweep_seconds(choice, fitted, plans, folds)
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
    for done_points, (setting, plan, i, key) in enumerate(work):
        value = plan.grid[i]
        progress.progress(
            done_points / len(work),
            text=f"{setting.family.title}: "
            + (f"{plan.param} = {value}" if plan.capacity else "current setting"),
        )
        result = cached_capacity_point(
            key, plan.param, plan.capacity, folds, setting.family, choice.dataset
        )
        points.append({**result, "current": i == plan.current})
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
        show_table(
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
    if rows is None:  # long fits wait for a click
        return
    current_section(choice, rows)
    sweep = sweep_section(choice, rows)
    interpretation_section(choice, rows, sweep)


__all__ = ["PICKER", "families_page", "fit_key", "page_query"]
