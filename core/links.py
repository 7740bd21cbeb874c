"""The page address as a setting: which URL keys a family takes, the share link, checking a
link's values against the specs, and setting A pinned in the link."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from core.data.catalogue import UPLOAD_ID, get_dataset_spec
from core.family import FamilySpec
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
    for spec in setting_specs(family, dataset_id, estimator_id):
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
        problems[spec.name] = (
            f"The link's {spec.name}={quoted(query[spec.name])} was ignored ({problem}); "
            f"{spec.format(initial)} is used instead."
        )
    return problems


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
