"""A setting as a JSON file, and reading one back.

Settings are read back with :func:`json.loads` only (never pickle or ``eval``), bounded in
size, and every value is validated against the same specs that drive the widgets, so a shared
file can set no value the page itself would refuse.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

import core.registry as registry
from core.data.catalogue import UPLOAD_ID, dataset_choice_spec, get_dataset_spec
from core.data.prepare import load_table, target_candidates
from core.data.tables import DataError
from core.family import FamilySpec
from core.setting import DATA_SETTINGS, TASK, task_for
from core.specs import ParamSpec, resolve

pass
pass


#: Largest setting file read, in bytes: a setting is a few hundred bytes.
MAX_SETTING_BYTES = 100_000
#: The ``format`` field of a setting file, and its version.
SETTING_FORMAT = "parameter-lab/setting"
SETTING_VERSION = 1
#: Longest target name accepted from a setting file.
MAX_NAME_CHARS = 1_000


# --- setting JSON ------------------------------------------------------------------------------
def json_value(name: str, value: Any, spec: ParamSpec | None = None) -> Any:
    """A setting value as JSON: infinities as the text ``"inf"`` and, for a ``"layers"``
    spec, widths as the text ``"8,4"`` (as the URL spells them), which the specs parse."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | str):
        return value
    if spec is not None and spec.kind == "layers" and isinstance(value, tuple | list):
        return spec.format(spec.validate(value))
    if isinstance(value, float):
        if math.isnan(value):
            raise ValueError(f"The setting {name!r} is NaN, which cannot be shared.")
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    raise ValueError(
        f"The setting {name!r} holds a {type(value).__name__}; only numbers, text, "
        "true/false and null can be shared."
    )


def setting_json(family_id: str, setting: dict[str, Any]) -> str:
    """A setting as a small JSON document, to download and load again later.

    Parameters
    ----------
    family_id : str
        The page the setting belongs to.
    setting : dict
        Flat URL-style values (``dataset``, options, ``target``, ``scale``, ``test_size``,
        ``seed``, ``estimator``, hyperparameters).

    Returns
    -------
    str
        ``{"format": "parameter-lab/setting", "version": 1, "family": ..., "setting":
        {...}}``, indented. Infinite values (``C=inf``) are written as ``"inf"``, since
        JSON has no infinity, and layer widths as text (``"8,4"``), as a link spells them.

    Raises
    ------
    ValueError
        If ``family_id`` is unknown or a value is not a number, text, boolean or null.
    """
    families = {f.id: f for f in registry.ALL_FAMILIES}
    if family_id not in families:
        raise ValueError(f"There is no model family {family_id!r} to save a setting for.")
    specs = {s.name: s for s in families[family_id].every_hyperparameter()}
    document = {
        "format": SETTING_FORMAT,
        "version": SETTING_VERSION,
        "family": family_id,
        "setting": {str(k): json_value(str(k), v, specs.get(k)) for k, v in setting.items()},
    }
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def quoted(value: Any) -> str:
    """A value from the file, quoted and shortened for a note."""
    text = repr(value)
    return text if len(text) <= _QUOTE_CHARS else text[: _QUOTE_CHARS - 1] + "…"


def _check(spec: ParamSpec, value: Any) -> Any:
    """``spec.validate`` that also refuses true/false where a number is expected."""
    if spec.kind in ("int", "float") and isinstance(value, bool):
        raise ValueError(f"{spec.label}: expected a number, got {value!r}.")
    if isinstance(value, dict | list):
        raise ValueError(f"{spec.label}: expected a single value, got a {type(value).__name__}.")
    try:
        return spec.validate(value)
    except OverflowError:  # float() of an integer with hundreds of digits
        raise ValueError(f"{spec.label}: {quoted(value)} is far out of range.") from None


def _take(
    specs: Sequence[ParamSpec],
    raw: dict[str, Any],
    out: dict[str, Any],
    notes: list[str],
    used: set[str],
) -> None:
    """Validate the values of ``specs`` present in ``raw`` into ``out``; note the rejects."""
    for spec in specs:
        if spec.name not in raw:
            continue
        used.add(spec.name)
        try:
            out[spec.name] = _check(spec, raw[spec.name])
        except ValueError as exc:
            message = str(exc)
            if len(message) > 3 * _QUOTE_CHARS:
                message = message[: 3 * _QUOTE_CHARS] + "…"
            notes.append(f"Dropped {spec.name}: {message} Its default is used.")


def _read_document(text: str | bytes) -> dict[str, Any]:
    """Size-check, decode and parse the file into a JSON object, or raise ValueError."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_SETTING_BYTES:
        raise ValueError(
            f"The setting file is {size / 1000:.0f} kB; a setting is under 1 kB and the "
            f"limit is {MAX_SETTING_BYTES // 1000} kB. Is this the right file?"
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError(
                "The setting file is not UTF-8 text; save it as JSON from this app."
            ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ValueError("The setting file is empty.")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"The setting file is not valid JSON ({exc.msg} at line {exc.lineno}, column "
            f"{exc.colno})."
        ) from None
    except ValueError:  # such as an integer with thousands of digits
        raise ValueError(
            "The setting file holds a number too long to be a setting (thousands of digits)."
        ) from None
    except RecursionError:
        raise ValueError("The setting file is nested too deeply to be a setting.") from None
    if not isinstance(document, dict):
        raise ValueError(
            f"The setting file holds a JSON {type(document).__name__}; a setting is a JSON "
            'object such as {"estimator": "ridge", "alpha": 3}.'
        )
    return document


def _unwrap(document: dict[str, Any], family: FamilySpec, notes: list[str]) -> dict[str, Any]:
    """The flat setting from a saved document (or a bare flat object), for ``family``."""
    if "setting" not in document:
        return document  # a bare setting, like a page's query parameters
    fmt = document.get("format", SETTING_FORMAT)
    if fmt != SETTING_FORMAT:
        raise ValueError(f"The file's format is {quoted(fmt)}, not a Parameter Lab setting.")
    version = document.get("version", SETTING_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError(f"The setting file's version {quoted(version)} is not a number.")
    if version > SETTING_VERSION:
        notes.append(
            f"The file was written by a newer Parameter Lab (version {version}); values this "
            "version does not know are dropped."
        )
    family_id = document.get("family", family.id)
    if family_id != family.id:
        known = {f.id: f for f in registry.ALL_FAMILIES}
        if not isinstance(family_id, str) or family_id not in known:
            raise ValueError(
                f"The setting is for an unknown model family {quoted(family_id)}; this page "
                f"is {family.title}."
            )
        raise ValueError(
            f"The setting is for the {known[family_id].title} page, not {family.title}: "
            "open that page to load it."
        )
    setting = document["setting"]
    if not isinstance(setting, dict):
        raise ValueError("The file's setting is not a JSON object of names and values.")
    extra = sorted(set(document) - {"format", "version", "family", "setting"})
    if extra:
        notes.append("Ignored fields outside the setting: " + ", ".join(map(quoted, extra)) + ".")
    return setting


def _check_target(
    raw: dict[str, Any],
    out: dict[str, Any],
    family: FamilySpec,
    seed: int,
    notes: list[str],
    current_dataset: str | None = None,
) -> None:
    """Keep the target if it is text and, for a registered data set, a usable column."""
    if "target" not in raw:
        return
    target = raw["target"]
    if not isinstance(target, str) or not target or len(target) > MAX_NAME_CHARS:
        notes.append(
            f"Dropped target: expected a column name, got {quoted(target)}. The data set's "
            "default target is used."
        )
        return
    # A file that names no data set keeps the page's: check the target against that one.
    dataset_id = out.get("dataset", current_dataset or family.default_dataset)
    if dataset_id != UPLOAD_ID:
        # A registered table is cheap to rebuild, so a wrong column is caught here rather
        # than as an error on the page.
        spec = get_dataset_spec(dataset_id)
        options = {o.name: out[o.name] for o in spec.options if o.name in out}
        try:
            frame = load_table(dataset_id, seed=seed, **options).frame
        except DataError as exc:
            notes.append(f"The data-set options do not fit together: {exc}")
            out["target"] = target
            return
        if target not in frame.columns:
            notes.append(
                f"Dropped target: {spec.label} has no column {quoted(target)}. Its default "
                "target is used."
            )
            return
        if target not in target_candidates(frame, get_dataset_spec(dataset_id).task):
            notes.append(
                f"Dropped target: {quoted(target)} cannot be predicted on the {family.title} "
                "page (see the page's target list). The default target is used."
            )
            return
    out["target"] = target


def _check_combination(
    family: FamilySpec, estimator_id: str, hyper: dict[str, Any], notes: list[str]
) -> dict[str, Any]:
    """Drop optimizer settings (such as a solver) that clash with the model's values."""
    spec = family.get_estimator(estimator_id)
    specs = family.hyperparameters_for(estimator_id)

    def works(values: dict[str, Any]) -> bool:
        try:
            spec.estimator_params(resolve(specs, values).values)
        except ValueError:
            return False
        return True

    if works(hyper):
        return hyper
    for optimizer in (s.name for s in specs if s.role == "optimizer" and s.name in hyper):
        trimmed = {k: v for k, v in hyper.items() if k != optimizer}
        if works(trimmed):
            try:
                spec.estimator_params(resolve(specs, hyper).values)
            except ValueError as exc:
                notes.append(f"Dropped {optimizer}: {exc} Its default is used.")
            return trimmed
    notes.append(
        f"Dropped the hyperparameters: together they are not a valid {spec.label} setting, "
        "so the defaults are used."
    )
    return {}


def parse_setting_json(
    text: str | bytes, family: FamilySpec, current_dataset: str | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Read a setting file for a page, keeping only values the page accepts.

    Parameters
    ----------
    text : str or bytes
        The file's content: a document from :func:`setting_json`, or a bare JSON object
        of setting names and values (as in a page's URL). At most
        :data:`MAX_SETTING_BYTES`; parsed with :func:`json.loads` only.
    family : FamilySpec
        The page loading it.
    current_dataset : str, optional
        The page's data set now: a file that names none keeps it, so its target is
        checked against that data set's columns.

    Returns
    -------
    setting : dict
        The valid values, coerced to their spec's type, in the page's order (data set,
        its options, target, data settings, estimator, hyperparameters). Absent or
        dropped values are left out, so the page uses its defaults for them.
    notes : list of str
        One sentence per value dropped or ignored, saying why. Names and values from
        the file are quoted as text: escape them before rendering as Markdown.

    Raises
    ------
    ValueError
        With a sentence, when the file is too large, not UTF-8, not JSON, not an object,
        or a setting for another (or unknown) family.
    """
    notes: list[str] = []
    raw = _unwrap(_read_document(text), family, notes)
    out: dict[str, Any] = {}
    used: set[str] = set()

    _take((family_dataset_spec(family),), raw, out, notes, used)
    dataset_id = out.get("dataset", family.default_dataset)
    options = () if dataset_id == UPLOAD_ID else get_dataset_spec(dataset_id).options
    _take(options, raw, out, notes, used)
    # The seed shapes generated data, so it is read before the target is checked.
    data: dict[str, Any] = {}
    _take(DATA_SETTINGS, raw, data, notes, used)
    used.add("target")
    _check_target(raw, out, family, data.get("seed", 0), notes, current_dataset)
    out.update(data)

    if len(family.tasks) > 1 and out.get("dataset") == UPLOAD_ID:
        _take((TASK,), raw, out, notes, used)
    estimator_spec = family.estimator_spec(task_for(family, out))
    _take((estimator_spec,), raw, out, notes, used)
    estimator_id = out.get("estimator", estimator_spec.default)
    hyper: dict[str, Any] = {}
    _take(family.hyperparameters_for(estimator_id), raw, hyper, notes, used)
    out.update(_check_combination(family, estimator_id, hyper, notes))

    estimator = family.get_estimator(estimator_id)
    other = sorted(
        name
        for name in {p.name for p in family.every_hyperparameter()}
        if name in raw and name not in estimator.hyperparameters
    )
    if other:
        used |= set(other)
        notes.append(f"Ignored {', '.join(other)}: {estimator.label} does not take them.")
    unknown = [k for k in raw if k not in used]
    if unknown:
        shown = ", ".join(quoted(k) for k in unknown[:10])
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        notes.append(f"Ignored names this page does not use: {shown}{more}.")
    return out, notes


def family_dataset_spec(family: FamilySpec) -> ParamSpec:
    """The ``dataset`` picker of a family's page: its tasks' sets, then ``upload``; the
    family's own default data set first chosen."""
    return replace(dataset_choice_spec(family.tasks), default=family.default_dataset)


#: Notes quote at most this many characters of a value from the file.
_QUOTE_CHARS = 80
