"""The page address as a setting: which URL keys a family takes, the share link, checking a
link's values against the specs, and setting A pinned in the link.

It is the one link registry (:func:`link_registry`): every URL key a page reads is declared
here with its parser and bounds, and checked here, in two phases called from the page
frame: :func:`link_problems` before any widget is drawn (every key whose bounds are known
statically, in every version a page may draw it in, not only the current estimator's and
data set's), and :func:`data_link_problems` once the data are loaded (columns, tabs, row
sets). Both return the one sentence a dropped value gets (:func:`dropped_sentence`)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from core.data.catalogue import DATASETS, UPLOAD_ID, get_dataset_spec
from core.families.gradient_descent.view_specs import (
    DESCENT_SETTINGS,
    GD_COMPARE,
    GD_ETA0,
    variant_specs,
)
from core.family import FamilySpec
from core.risk.settings import CAPACITY_PAGE_SPECS
from core.search_specs import NO_SECOND, SEARCH_SPECS, TUNE2_KEY, TUNE_KEY
from core.setting import DATA_SETTINGS, TASK, task_for
from core.setting_file import family_dataset_spec, json_value, quoted
from core.specs import ParamSpec, resolve


def setting_specs(
    family: FamilySpec, dataset_id: str | None = None, estimator_id: str | None = None
) -> tuple[ParamSpec, ...]:
    """Every spec whose value a page's URL carries: the data-set picker, the data set's
    generator options, the data settings, the estimator and the hyperparameters (those of
    ``estimator_id`` when given, each estimator's own version of a shared name; else all
    of the family's). ``target`` is free text and is not among them."""
    hyper = (
        family.hyperparameters_for(estimator_id) if estimator_id else family.every_hyperparameter()
    )
    options = ()
    if dataset_id is not None and dataset_id != UPLOAD_ID:
        options = get_dataset_spec(dataset_id).options
    task = () if len(family.tasks) == 1 else (TASK,)
    return (
        family_dataset_spec(family),
        *options,
        *task,
        *DATA_SETTINGS,
        family.estimator_spec(),
        *hyper,
    )


def _url_default(family: FamilySpec, spec: ParamSpec) -> Any:
    """The value a page's widget starts from, which its URL leaves out."""
    if spec.name == "scale":
        return family.scale_default
    return spec.initial


def share_query(
    family: FamilySpec, setting: dict[str, Any], default_target: str | None = None
) -> str:
    """The URL query string that restores ``setting`` on the family's page.

    Values equal to their defaults are left out (as Streamlit does for bound widgets), so
    links stay short; keys are the specs' names and values are spelled as the widgets parse
    them (``C=inf``, ``scale=false``). ``target`` is left out when it is the data set's
    ``default_target``. A value that may be ``None`` is written ``none`` (the page reads
    ``none``, ``None`` and an empty value alike).
    """
    # The estimator box offers the data's task's estimators and starts from that task's
    # default, which the page's own address leaves out (tree_regressor on diabetes).
    estimator_default = family.estimator_spec(task_for(family, setting)).default
    pairs = []
    for spec in setting_specs(family, setting.get("dataset"), setting.get("estimator")):
        default = estimator_default if spec.name == "estimator" else _url_default(family, spec)
        if spec.name in setting and setting[spec.name] != default:
            pairs.append((spec.name, spec.format(setting[spec.name])))
    target = setting.get("target")
    if target is not None and target != default_target:
        pairs.append(("target", str(target)))
    return urlencode(pairs)


_WHOLE_NUMBER = re.compile(r"[+-]?\d{1,12}")


def link_value_problem(spec: ParamSpec, text: str) -> str | None:
    """Why a link's text is no valid value for ``spec``'s widget, or ``None``.

    Stricter than :meth:`ParamSpec.validate`, because Streamlit parses a bound widget's URL
    value itself, before the page's code runs: a whole number must be written as digits
    (``seed=inf`` or ``1e309`` overflow inside Streamlit), a boolean as ``true``/``false``.
    """
    text = str(text).strip()
    empty = spec.nullable and text.lower() in ("", "none")
    if spec.kind == "int" and not empty and not _WHOLE_NUMBER.fullmatch(text):
        return f"{spec.label}: expected a whole number written in digits" + (
            ", or none" if spec.nullable else ""
        )
    if spec.kind == "bool" and text.lower() not in ("true", "false"):
        return f"{spec.label}: expected true or false"
    try:
        spec.validate(text)
    except ValueError as exc:
        return str(exc).rstrip(".")
    return None


def link_problems(family: FamilySpec, query: dict[str, str]) -> dict[str, str]:
    """The values in a page's URL that its widgets cannot take, each with a sentence.

    Parameters
    ----------
    family : FamilySpec
        The page's family.
    query : dict of str to str
        The URL's query parameters, as text.

    Returns
    -------
    dict of str to str
        Query key to a sentence saying what was wrong and which value is used instead.
    """
    picker = family_dataset_spec(family)
    dataset_id = query.get("dataset", picker.default)
    if dataset_id not in picker.choices:
        dataset_id = None
    estimator_spec = family.estimator_spec(task_for(family, {"dataset": dataset_id, **query}))
    estimator_id = query.get("estimator", estimator_spec.default)
    if estimator_id not in estimator_spec.choices:
        estimator_id = estimator_spec.default
    problems: dict[str, str] = {}
    values: dict[str, Any] = {}
    current = setting_specs(family, dataset_id, estimator_id)
    for spec in current:
        if spec.name not in query:
            continue
        problem = link_value_problem(spec, query[spec.name])
        if problem is None and spec.allowed is not None:
            value = spec.validate(query[spec.name])
            if value not in spec.allowed(values):
                problem = f"{spec.label}: {spec.format(value)} does not fit the other values"
        if problem is None:
            values[spec.name] = spec.validate(query[spec.name])
            continue
        initial = estimator_spec.default if spec.name == "estimator" else _url_default(family, spec)
        problems[spec.name] = dropped_sentence(spec.name, query[spec.name], problem, initial, spec)
    # Every other key the link may carry is checked now too, in each version a page may draw
    # it in: a value kept for later (max_iter=inf on OLS, n_samples=inf on diabetes) would
    # otherwise raise inside Streamlit once the user switches to lasso or a synthetic set.
    checked = {spec.name for spec in current}
    others = {
        name: versions
        for name, versions in static_link_specs(family).items()
        if name not in checked and name in query
    }
    problems.update(other_link_problems(others, query))
    return problems


def data_link_problems_for(family: Any, query: Mapping[str, str]) -> dict[str, str]:
    """The link check of a page that has data but no estimator (the all-families page):
    the data-set picker, the task, the data settings and every data set's generator options
    (each version: another set may be chosen later). ``family`` needs ``tasks``,
    ``default_dataset`` and ``scale_default``."""
    picker = family_dataset_spec(family)
    specs = [picker, TASK, *DATA_SETTINGS]
    problems: dict[str, str] = {}
    for spec in specs:
        if spec.name in query:
            problem = link_value_problem(spec, query[spec.name])
            if problem is not None:
                instead = family.scale_default if spec.name == "scale" else spec.initial
                problems[spec.name] = dropped_sentence(
                    spec.name, query[spec.name], problem, instead, spec
                )
    options: dict[str, list[ParamSpec]] = {}
    for dataset in DATASETS:
        if dataset.task in family.tasks:
            for option in dataset.options:
                options.setdefault(option.name, []).append(option)
    problems.update(other_link_problems(options, query))
    return problems


def dropped_sentence(
    name: str, text: str, problem: str, instead: Any, spec: ParamSpec | None = None
) -> str:
    """The one sentence for a link value the page drops: the key, the text (quoted short),
    why, and what the page uses instead (``spec`` spells it, else ``str``)."""
    if spec is not None and spec.fallback is not None:
        shown = spec.fallback
    else:
        shown = spec.format(instead) if spec is not None else str(instead)
    return f"The link's {name}={quoted(text)} was ignored ({problem}); {shown} is used instead."


def other_link_problems(
    versions: Mapping[str, Sequence[ParamSpec]], query: Mapping[str, str]
) -> dict[str, str]:
    """Sentences for the link values that some version of their key's spec cannot take.

    A key not drawn now may be drawn later (another estimator, data set or tab), by any of
    its versions: a value one of them cannot parse is dropped at once, with a sentence.
    """
    problems: dict[str, str] = {}
    for name, specs in versions.items():
        if name not in query:
            continue
        for spec in specs:
            problem = link_value_problem(spec, query[name])
            if problem is not None:
                problems[name] = dropped_sentence(name, query[name], problem, spec.initial, spec)
                break
    return problems


# --- the link registry ------------------------------------------------------------------------
#: Row numbers a link may carry (Streamlit cannot hold a larger whole number).
MAX_ROW_LINK = 10**9

#: The row a tree or k-NN view explains, by its position among the training or test rows.
ROW = ParamSpec(
    name="row",
    label="Row",
    kind="int",
    default=0,
    low=0,
    high=MAX_ROW_LINK - 1,
    role="data",
    help="A row's position among the training or test rows.",
    fallback="the row the tab opens on",
)

#: Stability's resampling method and count (the Stability tab of a family that resamples).
RESAMPLE_METHOD = ParamSpec(
    name="resample",
    label="Resampling",
    kind="choice",
    default="bootstrap",
    choices=("bootstrap", "kfold"),
    role="data",
    help="bootstrap: refit on training rows drawn with replacement. kfold: refit on the "
    "training part of repeated 5-fold splits. Either shows how much each coefficient moves "
    "when the data change a little.",
)
N_RESAMPLES = ParamSpec(
    name="n_resamples",
    label="Resamples",
    kind="int",
    default=50,
    low=10,
    high=1000,
    step=10,
    role="data",
    help="More resamples give steadier interval ends and take proportionally longer; 50 "
    "keeps a redraw fast, 200 or more suits a final look.",
)

#: The Epochs tab's scrubber: the epoch whose weights the views show (bounded by the
#: training's kept epochs, known once it is traced).
EPOCH_KEY = "epoch"
#: The Epochs tab's coefficient units (radio labels) and its intercept box.
EPOCH_UNITS = ParamSpec(
    name="epoch_units",
    label="Coefficient units",
    kind="choice",
    default="per SD",
    choices=("per SD", "per unit", "as fitted"),
    role="data",
    help="Per SD compares features; per unit is each feature's own units; as fitted is what "
    "the estimator holds.",
)
EPOCH_INTERCEPT = ParamSpec(
    name="epoch_intercept",
    label="Intercept too",
    kind="bool",
    default=False,
    role="data",
    help="Draw the intercept's path beside the coefficients'.",
)

#: The linear families' coefficient units: the logistic table and both families' charts.
COEFFICIENT_UNITS = ParamSpec(
    name="units",
    label="Units",
    kind="choice",
    default="per SD",
    choices=("per SD", "per unit"),
    role="data",
    help="Per SD: the change for one standard deviation of the feature, comparable across "
    "features. Per unit: for one unit of the feature's own scale (cm, years, ...).",
)
#: The coefficient-table column each choice of units reads.
UNIT_COLUMNS = {"per SD": "coef_per_sd", "per unit": "coef"}
#: Whether the linear families' first screen charts its coefficients (off: the first
#: screen loads no chart library).
COEFFICIENT_CHART = ParamSpec(
    name="coef_chart",
    label="Chart the coefficients",
    kind="bool",
    default=False,
    role="data",
    help="Bars, strongest first, per standard deviation or per unit.",
)
#: The Sweeps tab's coefficient path units.
PATH_UNITS = ParamSpec(
    name="path_units",
    label="Path units",
    kind="choice",
    default="per SD",
    choices=COEFFICIENT_UNITS.choices,
    role="data",
    help=COEFFICIENT_UNITS.help,
)
#: The network's Epochs tab: its weights as a diagram or as one matrix's heatmap.
EPOCH_DRAWING = ParamSpec(
    name="epoch_drawing",
    label="Draw the weights as",
    kind="choice",
    default="diagram",
    choices=("diagram", "heatmap"),
    role="data",
    help="The diagram draws every layer's strongest weights; the heatmap one matrix whole.",
)
#: Predict's comparison of one row under the pinned setting A and the current B.
COMPARE_ROW = ParamSpec(
    name="compare_row",
    label="One row under A and under B",
    kind="bool",
    default=False,
    role="data",
    help="Follow the same row through the pinned model A and the current model B.",
)

_DESCENT_OPTIMISER = [s for s in DESCENT_SETTINGS if s.role == "optimizer"]
#: The descent view's step size opens on a value that depends on the data's task, so its
#: sentence can name the value used instead only in the view (which checks it).
_BY_TASK = (GD_ETA0, *variant_specs([GD_ETA0], "_b"))

#: Keys of views whose parser and bounds are known before the data load.
VIEW_SPECS: tuple[ParamSpec, ...] = (
    *(s for s in DESCENT_SETTINGS if s is not GD_ETA0),
    GD_COMPARE,
    *(s for s in variant_specs(_DESCENT_OPTIMISER, "_b") if s.name != "gd_eta0_b"),
    RESAMPLE_METHOD,
    N_RESAMPLES,
    EPOCH_UNITS,
    EPOCH_INTERCEPT,
    COEFFICIENT_UNITS,
    COEFFICIENT_CHART,
    PATH_UNITS,
    EPOCH_DRAWING,
    COMPARE_ROW,
    ROW,
    *SEARCH_SPECS,
)


#: The Predict tab's what-if edits of its row: a JSON object of feature name to number
#: (``edit={"bmi":0.05}``), read by :func:`parse_row_edits` once the columns are known.
EDIT_KEY = "edit"
#: Longest ``edit`` text read, and the largest size of an edited value (a number box holds
#: doubles, but past this the page's arithmetic is meaningless anyway).
MAX_EDIT_CHARS = 4000
MAX_EDIT_VALUE = 1e15


def edits_query_value(edits: Mapping[str, float]) -> str:
    """What-if edits as the link writes them: compact JSON, feature order kept."""
    return json.dumps(
        {str(k): float(v) for k, v in edits.items()},
        separators=(",", ":"),
        allow_nan=False,
        ensure_ascii=False,
    )


def parse_row_edits(text: str, columns: Sequence[str]) -> tuple[dict[str, float], list[str]]:
    """Read the Predict tab's edits from a link, against the data's feature columns.

    Returns
    -------
    edits : dict of str to float
        The valid edits (a known column, a finite number within ±:data:`MAX_EDIT_VALUE`).
    problems : list of str
        One sentence per value dropped (:func:`dropped_sentence`): the whole text when it
        is not a JSON object of numbers, else each bad entry.
    """
    instead = "each feature's own value"
    if len(text) > MAX_EDIT_CHARS:
        return {}, [dropped_sentence(EDIT_KEY, text, "too long", instead)]
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return {}, [dropped_sentence(EDIT_KEY, text, "not a JSON object", instead)]
    if not isinstance(raw, dict):
        return {}, [dropped_sentence(EDIT_KEY, text, "not a JSON object", instead)]
    known = {str(c) for c in columns}
    edits: dict[str, float] = {}
    problems = []
    for name, value in raw.items():
        entry = f"{name}:{value}"
        if name not in known:
            problem = "not a feature of these data"
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problem = "not a number"
        elif not math.isfinite(float(value)) or abs(float(value)) > MAX_EDIT_VALUE:
            problem = f"not a finite number within ±{MAX_EDIT_VALUE:g}"
        else:
            edits[name] = float(value)
            continue
        problems.append(dropped_sentence(EDIT_KEY, entry, problem, "the row's own value"))
    return edits, problems


@dataclass(frozen=True)
class LinkKey:
    """One URL key: how its text is read and what bounds it.

    ``specs`` are the key's versions with a static parser and bounds (a hyperparameter
    each estimator spells its own way, a generator option each data set bounds its own
    way); ``bound`` names what bounds a key known only once the data load (``columns``,
    ``tabs``, ``row sets``, ``outputs``, ``targets``), and ``fallback`` is the position of
    the option used instead of a bad value. ``parser`` says how the text is read.
    """

    name: str
    parser: str
    specs: tuple[ParamSpec, ...] = ()
    bound: str | None = None
    fallback: int = 0


#: Keys whose bounds come from the data or the page (phase two, after the data section).
DATA_BOUND_KEYS: tuple[LinkKey, ...] = (
    LinkKey("view", "choice", bound="tabs"),
    LinkKey("row_set", "choice", bound="row sets"),
    LinkKey("boundary_x", "choice", bound="columns"),
    LinkKey("boundary_y", "choice", bound="columns", fallback=1),
    LinkKey("regions_x", "choice", bound="columns"),
    LinkKey("regions_y", "choice", bound="columns", fallback=1),
    LinkKey(EPOCH_KEY, "choice", bound="epochs"),
    LinkKey("epoch_class", "choice", bound="outputs"),
    LinkKey("gd_feature", "choice", bound="numeric columns"),
    LinkKey("gd_class", "choice", bound="classes"),
    *(LinkKey(s.name, s.kind, (s,), bound="task") for s in _BY_TASK),
    LinkKey("target", "choice", bound="targets"),
    LinkKey(EDIT_KEY, "json", bound="columns"),
    LinkKey(TUNE_KEY, "choice", bound="tunable"),
    LinkKey(TUNE2_KEY, "choice", bound="second tunable"),
)


def tune_bounds(names: Sequence[str]) -> dict[str, list[str]]:
    """The Tune tab's data-bound options: the hyperparameters the current estimator can
    tune (``tune``), and the same or ``none`` for the optional second (``tune2``)."""
    return {"tunable": list(names), "second tunable": [NO_SECOND, *names]}


def static_link_specs(family: FamilySpec) -> dict[str, tuple[ParamSpec, ...]]:
    """Every version of every key a family page may read whose parser and bounds are known
    before the data load: the data-set picker, every data set's generator options, the data
    settings, the estimator, every estimator's hyperparameters, and the views' keys."""
    versions: dict[str, list[ParamSpec]] = {}

    def add(specs: Iterable[ParamSpec]) -> None:
        for spec in specs:
            same = versions.setdefault(spec.name, [])
            if spec not in same:
                same.append(spec)

    add(setting_specs(family))
    for dataset in DATASETS:
        if dataset.task in family.tasks:
            add(dataset.options)
    for estimator in family.estimators:
        add(family.hyperparameters_for(estimator.id))
    add(VIEW_SPECS)
    return {name: tuple(specs) for name, specs in versions.items()}


def link_registry(family: FamilySpec) -> dict[str, LinkKey]:
    """Every URL key a family page reads, declared once: static keys with their specs (every
    version), data-bound keys with what bounds them, and the pinned setting ``A`` (JSON)."""
    keys = {key.name: key for key in DATA_BOUND_KEYS}
    keys.update(
        {
            name: LinkKey(name, specs[0].kind, specs)
            for name, specs in static_link_specs(family).items()
        }
    )
    keys[PINNED_KEY] = LinkKey(PINNED_KEY, "json")
    return keys


def data_link_problems(
    query: Mapping[str, str], bounds: Mapping[str, Sequence[Any]], held: Container[str] = ()
) -> dict[str, str]:
    """Phase two: sentences for the data-bound link values (a column, a tab, a row set) that
    are not among the options the data or the page offer.

    ``bounds`` maps a bound (``columns``, ``tabs``...) to its options; keys whose bound is
    not given, or that a widget already holds (``held``), are not checked. Streamlit would
    drop such a value silently; the sentence names the option used instead.
    """
    problems: dict[str, str] = {}
    for key in DATA_BOUND_KEYS:
        if key.parser != "choice":
            continue  # read by its spec in its view (view_link_problems)
        options = bounds.get(key.bound or "")
        if options is None or key.name not in query or key.name in held or not len(options):
            continue
        text = query[key.name]
        if text in [str(o) for o in options]:
            continue
        shown = ", ".join(str(o) for o in list(options)[:6]) + (", …" if len(options) > 6 else "")
        instead = options[min(key.fallback, len(options) - 1)]
        problems[key.name] = dropped_sentence(key.name, text, f"not one of: {shown}", instead)
    return problems


def view_link_problems(
    specs: Iterable[ParamSpec], query: Mapping[str, str], held: Container[str] = ()
) -> dict[str, str]:
    """Sentences for a view's link values its widgets cannot take (specs known only inside
    the view, such as the descent view's feature); values a widget holds are not checked."""
    return other_link_problems(
        {s.name: (s,) for s in specs if s.name in query and s.name not in held}, query
    )


#: A pinned setting A travels in a link as JSON under this query key.
PINNED_KEY = "A"
_PINNED_MAX_CHARS = 2000


def pinned_query_value(family: FamilySpec, setting: dict[str, Any]) -> str:
    """Setting A (estimator, its hyperparameters and the data settings) as compact JSON.

    The data set itself is B's: a link carries A only when both were fitted on the same
    data, so A is refitted on the data the link opens.
    """
    specs = {
        s.name: s for s in (*DATA_SETTINGS, family.estimator_spec(), *family.every_hyperparameter())
    }
    kept = {k: json_value(k, v, specs[k]) for k, v in setting.items() if k in specs}
    return json.dumps(kept, separators=(",", ":"), allow_nan=False)


def parse_pinned(family: FamilySpec, text: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Read setting A from a link: the estimator, its hyperparameters, the data settings.

    Returns
    -------
    estimator_id : str
    hyperparameters : dict
        Validated by the family's specs (those the estimator takes).
    data_settings : dict
        ``scale``, ``test_size``, ``seed``, validated.

    Raises
    ------
    ValueError
        With a sentence, if the text is too long, not a JSON object, or holds an invalid
        value.
    """
    if len(text) > _PINNED_MAX_CHARS:
        raise ValueError("the pinned setting in the link is too long")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError:
        raise ValueError("the pinned setting in the link is not valid JSON") from None
    except RecursionError:
        raise ValueError("the pinned setting in the link is nested too deeply") from None
    if not isinstance(raw, dict):
        raise ValueError("the pinned setting in the link is not a set of values")
    estimator_spec = family.estimator_spec()
    estimator_id = estimator_spec.validate(raw.get("estimator", estimator_spec.default))
    hyper = resolve(family.hyperparameters_for(estimator_id), raw).values
    family.get_estimator(estimator_id).estimator_params(hyper)  # a valid combination?
    data = resolve(DATA_SETTINGS, raw).values
    return estimator_id, hyper, data


# --- pages without a family ---------------------------------------------------------------
#: The URL keys of each page that has no family, by its url path: ``capacity`` (/capacity).
PAGE_LINK_SPECS: dict[str, tuple[ParamSpec, ...]] = {"capacity": CAPACITY_PAGE_SPECS}


def page_link_registry(page: str) -> dict[str, LinkKey]:
    """Every URL key such a page reads, declared once with its spec."""
    return {s.name: LinkKey(s.name, s.kind, (s,)) for s in PAGE_LINK_SPECS[page]}


def page_link_problems(page: str, query: Mapping[str, str]) -> dict[str, str]:
    """Sentences for the link values such a page's widgets cannot take, checked before any
    widget is drawn (Streamlit would raise on ``bv_seed=inf`` itself): each names the key,
    the text, why, and the value used instead (:func:`dropped_sentence`)."""
    keys = page_link_registry(page)
    return other_link_problems({k: key.specs for k, key in keys.items()}, query)
