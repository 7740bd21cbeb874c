"""How hyperparameters move parameters: coefficient paths and validation curves, linked to
the current setting (pick a swept value and it becomes the setting)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from core.data.tables import Dataset
from core.export import safe_csv
from core.family import FamilySpec
from core.fitting import FitError, FitResult, max_folds
from core.linear.path_figures import coefficient_path_figure
from core.linear.paths import entry_table, has_penalty_path, path_table, penalty_param
from core.links import PATH_UNITS, UNIT_COLUMNS
from core.registry import get_family
from core.scoring import TASK_SCORING
from core.setting import Setting
from core.specs import ParamSpec
from core.sweep_diagnosis import best_value, fit_diagnosis
from core.sweep_figures import measures_figure, validation_curve_figure
from core.sweep_grids import (
    DEFAULT_SWEEP_POINTS,
    default_sweep_param,
    is_log_sweep,
    sweep_range,
    sweep_values,
)
from core.sweeps import CURVE_COLUMNS, measure_columns, sweep, sweep_seconds
from core.text import escape_markdown
from ui.cache import cached_warm_fit_seconds
from ui.data import DataChoice
from ui.linear.cache import cached_path_curve, cached_paths
from ui.tables import show_table
from ui.widgets import confirm_long_work, grid_value, request_setting, view_radio


def use_value_button(
    name: str,
    value: Any,
    *,
    key: str,
    label: str | None = None,
    current: Any = None,
    help: str | None = None,
    icon: str = ":material/ads_click:",
    disabled: bool | None = None,
) -> None:
    """The one "use this value" control of every chart that picks a value: a button that
    makes ``value`` the setting of ``name`` on the next run (disabled when it already is:
    equal to ``current``, or as ``disabled`` says)."""
    st.button(
        label or f"Use {name} = {value}",
        key=key,
        on_click=request_setting,
        args=(name, value),
        icon=icon,
        disabled=(current is not None and value == current) if disabled is None else disabled,
        help=help,
    )


def _swept_specs(family: FamilySpec, estimator_id: str) -> list[ParamSpec]:
    """Every hyperparameter of the estimator that a validation curve can sweep."""
    # A choice whose options depend on the other values (a solver on the penalty) cannot be
    # swept alone, and layer widths are no scalar: a family's own view sweeps those.
    return [
        s
        for s in family.hyperparameters_for(estimator_id)
        if s.allowed is None and s.kind != "layers"
    ]


def _sweep_settings(
    spec: ParamSpec, fold_limit: int, n_train: int
) -> tuple[int, float | None, float | None, int]:
    with st.expander("Sweep settings"):
        c1, c2, c3, c4 = st.columns(4)
        points = c1.number_input(
            "Points",
            min_value=3,
            max_value=60,
            value=DEFAULT_SWEEP_POINTS,
            step=1,
            key="sweep_points",
            help="How many values of the hyperparameter to try.",
        )
        most = max(2, min(10, fold_limit))
        folds = c4.number_input(
            "Folds",
            min_value=2,
            max_value=most,
            value=min(5, most),
            step=1,
            key="sweep_folds",
            help="Cross-validation folds of the training rows, for the validation curve "
            f"(at most {most} here: every fold needs rows of every class).",
        )
        low = high = None
        if spec.kind in ("int", "float"):
            default_low, default_high = sweep_range(spec)
            if spec.kind == "int" and spec.role == "model":
                # A whole-number knob of the model (n_neighbors, min_samples_leaf) means
                # nothing past the rows one fold trains on, and n_neighbors fails there.
                fold_rows = n_train - -(-n_train // int(folds))
                default_high = max(min(default_high, fold_rows), default_low)
            # Streamlit wants every bound of one box in one type: whole numbers for an int
            # spec (max_depth, n_neighbors), floats otherwise.
            number = int if spec.kind == "int" else float
            fmt = "%d" if spec.kind == "int" else "%g"
            top = spec.high if spec.high is not None and math.isfinite(spec.high) else None
            low = c2.number_input(
                "From",
                min_value=number(spec.low) if spec.low is not None else None,
                max_value=number(default_high),
                value=number(default_low),
                format=fmt,
                key=f"sweep_low_{spec.name}",
            )
            high = c3.number_input(
                "To",
                min_value=low,
                max_value=number(top) if top is not None else None,
                value=max(number(default_high), low),
                format=fmt,
                key=f"sweep_high_{spec.name}",
            )
        st.caption("Log-scaled hyperparameters are swept on a log grid.")
    return int(points), low, high, int(folds)


def _path_view(family, estimator_id, values, choice: DataChoice, fit_key, fit) -> None:
    param = penalty_param(family, estimator_id)
    if not has_penalty_path(family, estimator_id):
        st.caption(
            f"{family.get_estimator(estimator_id).label} has no penalty, so its coefficients "
            "do not move with a hyperparameter: pick a penalised estimator to see a path."
        )
        return
    # The path's grid spans a fixed range around the default; the current value is only
    # marked on it. So unless the current value lies outside that range, the path is
    # computed (and cached) without it, and moving the penalty redraws from the cache.
    spec = next(p for p in family.hyperparameters_for(estimator_id) if p.name == param)
    low, high = sweep_range(spec)
    current = values.get(param)
    inside = current is not None and math.isfinite(current) and low <= current <= high
    path_key = fit_key.with_values({**values, param: spec.default}) if inside else fit_key

    # About 20 full fits: warm starts make a path's 40 or 100 fits cheaper than cold ones.
    def warm() -> float:
        return 20 * cached_warm_fit_seconds(fit_key, choice.dataset)

    if not confirm_long_work(
        repr(path_key), 20 * fit.fit_seconds, "The coefficient path", recheck=warm
    ):
        return
    try:
        paths, shown = cached_paths(path_key, choice.dataset)
    except (FitError, ValueError) as exc:
        st.info(escape_markdown(str(exc)), icon=":material/info:")
        return
    for text in shown:
        st.warning(escape_markdown(text), icon=":material/warning:")
    path = paths[0]
    if len(paths) > 1:
        output = st.selectbox("Class", [p.output for p in paths], key="path_class")
        path = next(p for p in paths if p.output == output)
    column = UNIT_COLUMNS[view_radio(PATH_UNITS)]
    version = st.session_state.get("path_chart_version", 0)
    event = st.plotly_chart(
        coefficient_path_figure(
            path, column, choice.dataset.true_coef if len(paths) == 1 else None, current=current
        ),
        key=f"path_chart_{version}",
        on_select="rerun",
        selection_mode="points",
    )
    points = (event or {}).get("selection", {}).get("points", [])
    if points and points[0].get("customdata") is not None:
        # A clicked point becomes the setting; a new chart key clears the selection so the
        # click is not applied again after the user changes the setting by other means.
        st.session_state["path_chart_version"] = version + 1
        request_setting(param, float(points[0]["customdata"]), rerun=True)
    swept = [float(v) for v in path.values]
    labels = {v: f"{v:.4g}" for v in swept}
    current = values.get(param)
    nearest = swept[path.index_of(current)] if current is not None else swept[-1]
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    chosen = c1.select_slider(
        f"Snap {param} to a swept value",
        swept,
        value=nearest,
        format_func=labels.get,
        key=f"path_snap_{param}",
    )
    with c2:
        use_value_button(param, chosen, key="path_use", label="Use this value")
    st.caption(
        f"Each line is one coefficient across the swept values of {param}, which grow to the "
        "right as on every chart here. "
        + (
            f"A larger {param} is a stronger penalty, so coefficients shrink toward zero to "
            "the right. "
            if path.penalty_grows
            else f"A larger {param} is a weaker penalty, so coefficients grow away from zero "
            "to the right. "
        )
        + f"Click a point or snap the slider and press the button to make that {param} the "
        "current setting; the dotted line marks the current one."
    )
    entries = entry_table(path)
    if len(entries):
        with st.expander("Where each feature enters the model"):
            show_table(entries, hide_index=True)
    st.download_button(
        "Path (CSV)",
        safe_csv(path_table(path)),
        f"{family.id}_{param}_path.csv",
        "text/csv",
        key="path_download",
        icon=":material/download:",
    )


@st.cache_data(max_entries=512, show_spinner=False)
def cached_sweep_point(
    curve_key: Setting, param: str, value: Any, folds: int, _dataset: Dataset
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """One value of :func:`core.sweeps.sweep` (scores, cross-validation and the family's
    measures), cached one by one so a longer sweep reuses the points it shares with a
    shorter one; ``curve_key`` leaves the swept hyperparameter out. Returns the row and
    its measure names."""
    table = sweep(get_family(curve_key.family_id), curve_key, _dataset, param, [value], cv=folds)
    return table, tuple(measure_columns(table))


def _engine_sweep(curve_key, spec_name, grid, folds, choice):
    """The sweep engine over the grid, point by point from the cache, with a progress bar."""
    frames: list[pd.DataFrame] = []
    names: list[str] = []
    shown: list[str] = []
    progress = st.progress(0.0, text=f"Sweeping {spec_name}…") if len(grid) > 1 else None
    try:
        for i, value in enumerate(grid):
            value = value.item() if isinstance(value, np.generic) else value
            row, measured = cached_sweep_point(curve_key, spec_name, value, folds, choice.dataset)
            frames.append(row)
            names += [n for n in measured if n not in names]
            shown.extend(w for w in row["warnings"].iloc[0] if w not in shown)
            if progress is not None:
                progress.progress((i + 1) / len(grid), text=f"Sweeping {spec_name}…")
    finally:
        if progress is not None:
            progress.empty()
    table = pd.concat(frames, ignore_index=True)
    table.attrs["measures"] = names
    return table, shown, names


def _sweep_plan(family, estimator_id, values, choice: DataChoice, fit):
    """The hyperparameter to sweep, its grid and the folds: the controls above the charts."""
    specs = _swept_specs(family, estimator_id)
    if not specs:
        st.caption(
            f"{family.get_estimator(estimator_id).label} has no hyperparameter a sweep can "
            "vary on its own."
        )
        return None
    names = [s.name for s in specs]
    preferred = penalty_param(family, estimator_id) or default_sweep_param(family, estimator_id)
    spec_name = st.selectbox(
        "Hyperparameter to sweep",
        names,
        index=names.index(preferred) if preferred in names else 0,
        key="curve_param",
    )
    spec = next(s for s in specs if s.name == spec_name)
    fold_limit = max_folds(fit, choice.dataset)
    if fold_limit < 2:
        st.info(
            "Too few training rows (of the rarest class) for cross-validation: a validation "
            "curve needs at least two per fold. Lower the test share or use more data."
        )
        return None
    points, low, high, folds = _sweep_settings(spec, fold_limit, len(fit.split.train))
    try:
        # A whole-number grid holds the current value, so the sentence below and the
        # "use the best" button read the same swept values.
        grid = sweep_values(spec, points, low, high, current=values.get(spec_name))
    except ValueError as exc:
        st.error(escape_markdown(str(exc)))
        return None
    return spec, grid, folds


def _curve_view(family, estimator_id, values, choice, fit, spec, folds, table, shown) -> None:
    """The validation curve of a swept table, its reading and the "use the best" button."""
    spec_name = spec.name
    score = TASK_SCORING[fit.task].primary
    current = values.get(spec_name)
    if not np.isfinite(table["cv_mean"].to_numpy(dtype=float)).any():
        notes = sorted({n for n in table["note"] if n})
        st.info(
            f"No value of {spec_name} could be scored with {folds} folds of "
            f"{len(fit.split.train)} training rows"
            + (f": {escape_markdown(notes[0])}" if notes else ".")
            + " Lower the test share, use fewer folds, or more data.",
            icon=":material/info:",
        )
        return
    st.plotly_chart(
        validation_curve_figure(table, spec, current, score_name=score), key="curve_chart"
    )
    unscored = table[~np.isfinite(table["cv_mean"].to_numpy(dtype=float))]
    if len(unscored):
        reasons = sorted({n for n in unscored["note"] if n})
        st.caption(
            escape_markdown(
                f"{len(unscored)} of {len(table)} values of {spec_name} could not be scored "
                "and are left out of the chart"
                + (f": {reasons[0]}" if reasons else " (scikit-learn's reason is below).")
            )
        )
    st.markdown(
        escape_markdown(fit_diagnosis(table, current, param_name=spec_name, score_name=score))
    )
    if shown:
        st.caption(
            escape_markdown(
                "scikit-learn warned during the sweep"
                + (f" ({len(shown)} kinds of warning; the first)" if len(shown) > 1 else "")
                + ": "
                + shown[0]
            )
        )
    best = best_value(table)
    best_score = float(table["cv_mean"].max())
    if fit.task == "regression" and best_score < 0:
        # Below zero, every value predicts worse than the training mean would: there is no
        # best value to recommend, only a model that does not fit these rows.
        st.warning(
            f"Even the best {spec_name} scores a cross-validated {score} of {best_score:.3g}: "
            "below 0 means predicting the training mean for every row would do better. "
            "The setting, not this hyperparameter, is the problem: try other features, "
            "standardisation, or an intercept.",
            icon=":material/trending_down:",
        )
        best = None
    if best is not None:
        typed = spec.validate(best)
        if typed != current:
            use_value_button(
                spec_name,
                typed,
                key="curve_use_best",
                label=f"Use the best {spec_name} = " + spec.format(grid_value(typed)),
                icon=":material/star:",
            )
    est_spec = family.get_estimator(estimator_id)
    inverse = spec_name == est_spec.penalty and not est_spec.penalty_grows
    st.caption(
        f"Training and {folds}-fold cross-validated {score} on the training rows, each fold "
        "refitting the whole pipeline"
        + (" (scaling included)" if choice.scale else "")
        + "; bands are ±1 standard deviation "
        "over folds."
        + (" Log axis." if spec.kind == "float" and is_log_sweep(spec) else "")
        + (f" A larger {spec_name} is a weaker penalty." if inverse else "")
    )


def _measures_view(family, values, spec, table, names) -> None:
    """What each refit learned against the swept value, and a control to pick one."""
    spec_name = spec.name
    current = values.get(spec_name)
    fitted = table[table["note"] == ""]
    if not names or fitted.empty:
        st.caption(
            f"{family.title} reports nothing measurable about its learned parameters at "
            f"these values of {spec_name}."
        )
        return
    st.plotly_chart(measures_figure(table, spec, names, current), key="measures_chart")
    swept = [v.item() if isinstance(v, np.generic) else v for v in fitted["value"]]
    if len(swept) > 1:
        typed = [spec.validate(v) for v in swept]
        labels = {i: spec.format(grid_value(v)) for i, v in enumerate(typed)}
        at = next((i for i, v in enumerate(typed) if v == current), 0)
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        chosen = c1.select_slider(
            f"Pick {spec_name} from the sweep",
            list(labels),
            value=at,
            format_func=labels.get,
            key=f"measures_snap_{spec_name}",
        )
        with c2:
            use_value_button(
                spec_name,
                typed[chosen],
                key="measures_use",
                label="Use this value",
                current=current,
            )
    st.caption(
        f"Each point is one refit on the page's training rows at that {spec_name}, every "
        "other setting kept: what the model learned there ("
        + ", ".join(names[:6])
        + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        + "). The dotted line marks the current setting."
    )


def sweep_section(family: FamilySpec, choice: DataChoice, fit_key: Setting, fit: FitResult) -> None:
    """For the chosen hyperparameter: the learned parameters moving beside the validation
    curve, both linked to the current setting.

    For a penalty with a coefficient path (the linear families), the path stands for the
    parameters: exact and cheap. Otherwise every value is refitted by the one sweep engine
    (:func:`core.sweeps.sweep`), whose measures are the family's ``sweep_measures``. The
    engine's estimate (fitting and predicting) decides whether the sweep waits for a click.
    """
    estimator_id, values = fit_key.estimator_id, fit_key.values
    plan = _sweep_plan(family, estimator_id, values, choice, fit)
    if plan is None:
        return
    spec, grid, folds = plan
    spec_name = spec.name
    # The curve does not depend on the swept hyperparameter's current value: leave it out
    # of the key, so moving along the curve reuses every point.
    curve_key = fit_key.without(spec_name)
    on_path = spec_name == penalty_param(family, estimator_id) and has_penalty_path(
        family, estimator_id
    )
    left, right = st.columns(2, gap="large")
    if on_path:
        with left:
            st.markdown("**Coefficient path**")
            _path_view(family, estimator_id, values, choice, fit_key, fit)
        # The penalty's curve comes from one regularisation path per fold.
        fits = len(grid) * (folds - 1)

        def warm() -> float:
            return fits * cached_warm_fit_seconds(fit_key, choice.dataset)

        seconds = fits * fit.fit_seconds
    else:

        def estimate(fit_seconds: float) -> float:
            return sweep_seconds(
                family,
                fit_key,
                choice.dataset,
                spec_name,
                grid,
                cv=folds,
                fit_seconds=fit_seconds,
            )

        def warm() -> float:
            return estimate(cached_warm_fit_seconds(fit_key, choice.dataset))

        seconds = estimate(fit.fit_seconds)
    work = repr((curve_key, spec_name, tuple(grid), folds))
    with right:
        st.markdown("**Validation curve**")
        if not confirm_long_work(work, seconds, "This sweep", warm):
            return
        try:
            if on_path:
                table, shown = cached_path_curve(
                    curve_key, tuple(float(v) for v in grid), folds, values, choice.dataset
                )
                shown, names = list(shown), []
            else:
                table, shown, names = _engine_sweep(curve_key, spec_name, grid, folds, choice)
        except (FitError, ValueError) as exc:
            st.error(escape_markdown(str(exc)))
            return
        _curve_view(
            family,
            estimator_id,
            values,
            choice,
            fit,
            spec,
            folds,
            table[list(CURVE_COLUMNS)],
            shown,
        )
    if not on_path:
        with left:
            st.markdown(f"**Learned parameters over {spec_name}**")
            if any(e.path is not None for e in family.estimators) and not has_penalty_path(
                family, estimator_id
            ):
                st.caption(
                    f"{family.get_estimator(estimator_id).label} has no penalty, so its "
                    "coefficients have no path: each point below is a refit."
                )
            _measures_view(family, values, spec, table, names)
