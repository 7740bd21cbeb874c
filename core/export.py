"""Share and reproduce: learned parameters as CSV, settings as JSON, a Markdown model card.

Everything here returns text for a download button; nothing reads or writes files. Settings
are read back with :func:`json.loads` only (never pickle or ``eval``), bounded in size, and
every value is validated against the same specs that drive the widgets, so a shared file can
set no value the page itself would refuse.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import numpy as np
import pandas as pd

import core.registry as registry
from core.codegen import DATA_CODE, public_import, python_literal
from core.data.catalogue import UPLOAD_ID, dataset_choice_spec, get_dataset_spec
from core.data.prepare import load_table, target_candidates
from core.data.tables import DataError
from core.family import FamilySpec
from core.learned import LearnedParameters
from core.setting import DATA_SETTINGS, TASK, task_for
from core.specs import ParamSpec, resolve
from core.text import escape_markdown

#: Largest setting file read, in bytes: a setting is a few hundred bytes.
MAX_SETTING_BYTES = 100_000
#: The ``format`` field of a setting file, and its version.
SETTING_FORMAT = "parameter-lab/setting"
SETTING_VERSION = 1
#: Longest target name accepted from a setting file.
MAX_NAME_CHARS = 1_000
#: Notes quote at most this many characters of a value from the file.
_QUOTE_CHARS = 80

# --- CSV -------------------------------------------------------------------------------------
#: Spreadsheets run a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _spreadsheet_safe(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would run as a formula; numbers stay as they are."""
    if not text.startswith(_FORMULA_START):
        return text
    try:
        float(text)
    except ValueError:
        return "'" + text
    return text


def parameters_table(learned: LearnedParameters, family_id: str) -> pd.DataFrame:
    """Tidy table of every learned parameter, one row each, in the model's order.

    Parameters
    ----------
    learned : LearnedParameters
        From the family's ``extract``.
    family_id : str
        The family the model belongs to (a column, so files from several pages can be
        stacked).

    Returns
    -------
    DataFrame
        Columns ``family``, ``group`` (scikit-learn's attribute: ``coef_``, ``coefs_[0]``),
        ``term`` (the value's label), one column per axis of the groups (``output`` and
        ``feature`` for a linear model; ``from`` and ``to`` for a network's weights),
        ``value`` (raw units: per unit of the feature where that means something),
        ``value_per_sd`` (per standard deviation of the feature; NaN where it means
        nothing), ``value_fitted`` (as the estimator holds it) and ``learned`` (False for a
        value fixed by a hyperparameter, such as an intercept with ``fit_intercept=False``).
    """
    return (
        learned.table(axes=True)
        .assign(family=family_id)
        .pipe(lambda t: t[["family", *[c for c in t.columns if c != "family"]]])
    )


def parameters_csv(learned: LearnedParameters, family_id: str) -> str:
    """The learned parameters as CSV text, one row per parameter (see :func:`parameters_table`).

    Floats are written in full precision (``repr``), so ``pandas.read_csv`` gives back the
    exact values. Text cells that a spreadsheet would run as a formula (a feature named
    ``=HYPERLINK(...)``) are prefixed with ``'``; plain numbers such as a class ``-1`` are
    left alone.

    Parameters
    ----------
    learned : LearnedParameters
        The learned parameters.
    family_id : str
        The family id, written in every row.

    Returns
    -------
    str
        CSV with a header row and ``\\n`` line ends.
    """
    table = parameters_table(learned, family_id)
    return safe_csv(table)


def safe_csv(table: pd.DataFrame) -> str:
    """Any table as CSV text a spreadsheet opens safely: every text cell that would run as
    a formula gets a leading ``'``; floats in full precision (``repr``)."""
    table = table.copy()
    for column in table.columns:
        if table[column].dtype == object or pd.api.types.is_string_dtype(table[column]):
            table[column] = table[column].map(
                lambda v: _spreadsheet_safe(v) if isinstance(v, str) else v
            )
    table.columns = [_spreadsheet_safe(str(c)) for c in table.columns]
    return table.to_csv(index=False, lineterminator="\n")


# --- setting JSON ------------------------------------------------------------------------------
def _json_value(name: str, value: Any, spec: ParamSpec | None = None) -> Any:
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
        "setting": {str(k): _json_value(str(k), v, specs.get(k)) for k, v in setting.items()},
    }
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _quote(value: Any) -> str:
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
        raise ValueError(f"{spec.label}: {_quote(value)} is far out of range.") from None


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
        raise ValueError(f"The file's format is {_quote(fmt)}, not a Parameter Lab setting.")
    version = document.get("version", SETTING_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError(f"The setting file's version {_quote(version)} is not a number.")
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
                f"The setting is for an unknown model family {_quote(family_id)}; this page "
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
        notes.append("Ignored fields outside the setting: " + ", ".join(map(_quote, extra)) + ".")
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
            f"Dropped target: expected a column name, got {_quote(target)}. The data set's "
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
                f"Dropped target: {spec.label} has no column {_quote(target)}. Its default "
                "target is used."
            )
            return
        if target not in target_candidates(frame, get_dataset_spec(dataset_id).task):
            notes.append(
                f"Dropped target: {_quote(target)} cannot be predicted on the {family.title} "
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
        shown = ", ".join(_quote(k) for k in unknown[:10])
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        notes.append(f"Ignored names this page does not use: {shown}{more}.")
    return out, notes


# --- model card ------------------------------------------------------------------------------
#: User text made inert for Markdown (kept under this name for the card's helpers).
markdown_text = escape_markdown


def _number(value: Any) -> str:
    """A number for a table: 6 significant digits; NaN as a dash."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return markdown_text(value)
    if math.isnan(number):
        return "—"
    return f"{number:.6g}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A Markdown table from cells that are already escaped."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _fence(text: str) -> str:
    """A backtick fence longer than any run of backticks in ``text``."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


#: Rows of learned values a model card lists (a network has thousands; the CSV has all).
CARD_ROWS = 200


def _value_text(spec: ParamSpec, value: Any) -> str:
    """A spec value for a table: numbers as they are (``0.5``, ``inf``), labels escaped."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return f"{value:g}"
    return markdown_text(spec.label_for(value))


def model_card_markdown(
    family: FamilySpec,
    setting: dict[str, Any],
    learned: LearnedParameters,
    metrics: pd.DataFrame,
    notes: Sequence[str] = (),
    warnings: Sequence[str] = (),
    n_features: int | None = None,
) -> str:
    """A Markdown model card: data, hyperparameters, learned parameters, scores, caveats.

    Parameters
    ----------
    family : FamilySpec
        The model family.
    setting : dict
        The flat setting that was fitted (absent values are the spec defaults).
    learned : LearnedParameters
        The learned parameters (the first :data:`CARD_ROWS` rows are listed).
    metrics : DataFrame
        Index metric name, columns ``train`` and ``test`` (NaN without test rows), as
        :attr:`core.fitting.FitResult.metrics`.
    notes : sequence of str
        What data preparation did (:attr:`core.data.tables.Dataset.notes`).
    warnings : sequence of str
        What scikit-learn warned while fitting (:attr:`core.fitting.FitResult.warnings`).
    n_features : int, optional
        How many features the model saw.

    Returns
    -------
    str
        Markdown. Every user-supplied string (target, feature and class names, notes,
        warnings) is escaped, so a column named ``a | b`` or holding a newline cannot
        break a table or inject markup.
    """
    task = task_for(family, setting)
    estimator_id = setting.get("estimator", family.estimator_spec(task).default)
    estimator = family.get_estimator(estimator_id)
    specs = family.hyperparameters_for(estimator_id)
    resolved = resolve(specs, setting)
    kwargs = estimator.estimator_params(resolved.values)
    data = resolve(DATA_SETTINGS, setting).values
    dataset_id = setting.get("dataset", family.default_dataset)
    target = setting.get("target", DATA_CODE[dataset_id].default_target or "the last column")
    in_sample = data["test_size"] == 0

    title = (
        family.title if estimator.label == family.title else f"{family.title}, {estimator.label}"
    )
    lines = [f"# Model card: {title}", ""]
    lines += [
        "Generated by Parameter Lab. Hyperparameters are what was set before training; "
        "parameters are what the model learned from the data.",
        "",
        "## Data",
        "",
    ]
    if dataset_id == UPLOAD_ID:
        lines.append("- Data set: an uploaded CSV file")
    else:
        spec = get_dataset_spec(dataset_id)
        lines.append(f"- Data set: {spec.label} ({spec.source})")
        for option in spec.options:
            value = resolve((option,), setting).values[option.name]
            lines.append(f"- {option.label}: {_value_text(option, value)}")
    lines.append(f"- Target: {markdown_text(target)}")
    if n_features is not None:
        lines.append(f"- Features: {n_features}")
    share = "0 (every row trains; scores are in-sample)" if in_sample else f"{data['test_size']:g}"
    lines += [
        f"- Test share: {share}; random seed: {data['seed']}",
        f"- Features standardised before fitting: {'yes' if data['scale'] else 'no'}",
    ]
    lines += [f"- Note: {markdown_text(note)}" for note in notes]

    lines += ["", "## Hyperparameters", ""]
    rows = [
        [
            f"`{spec.name}`",
            _value_text(spec, resolved.values[spec.name]),
            _value_text(spec, spec.default),
            "changed" if spec.name in resolved.changed else "default",
        ]
        for spec in specs
    ]
    if rows:
        lines += _table(["hyperparameter", "value", "default", "changed?"], rows)
    else:
        lines.append(f"{estimator.label} takes no hyperparameters here.")
    module, name = public_import(estimator.estimator)
    call = ", ".join(f"{k}={python_literal(v)}" for k, v in kwargs.items())
    lines += ["", f"Passed to scikit-learn: `{module}.{name}({call})`"]

    count = learned.n_parameters
    lines += ["", "## Learned parameters", "", f"{count:,} learned parameters."]
    if learned.stored is not None:
        lines.append(f"Stored instead: {markdown_text(learned.stored.description)}")
    meaning = family.parameter_meaning.get(task)
    if meaning:
        lines.append(meaning.format(target=markdown_text(target)))
    lines += [f"- {markdown_text(note)}" for note in learned.notes]
    table = learned.table()
    if len(table):
        lines.append("")
        rows = [
            [
                f"`{row.group}`" + ("" if row.learned else " (fixed, not learned)"),
                markdown_text(row.term),
                _number(row.value),
                _number(row.value_per_sd),
            ]
            for row in table.head(CARD_ROWS).itertuples(index=False)
        ]
        lines += _table(["parameter", "term", "value", "per SD"], rows)
        if len(table) > CARD_ROWS:
            lines.append(
                f"The first {CARD_ROWS} of {len(table):,} values; the parameters CSV holds all."
            )

    lines += ["", "## Scores", ""]
    parts = ["train"] if in_sample else ["train", "test"]
    header = ["metric", "all rows (in-sample)"] if in_sample else ["metric", "train", "test"]
    rows = [
        [markdown_text(metric), *(_number(metrics.at[metric, part]) for part in parts)]
        for metric in metrics.index
    ]
    lines += _table(header, rows)

    if warnings:
        lines += ["", "## Warnings while fitting", ""]
        lines += [f"- {markdown_text(text)}" for text in warnings]

    lines += ["", "## Caveats", ""]
    lines.append(
        "- The learned parameters describe associations in this data set, not causes: "
        "changing a feature in the world need not change the outcome as the model suggests."
    )
    lines += [f"- {caveat}" for caveat in family.caveats]
    if in_sample:
        lines.append(
            "- The test share is 0: every row trained the model, so the scores are in-sample "
            "and cannot show over-fitting."
        )
    for group in learned.groups:
        if not group.learned:
            lines.append(f"- {group.label} ({group.name}) was fixed by a setting, not learned.")

    document = setting_json(family.id, setting).rstrip("\n")
    fence = _fence(document)
    lines += [
        "",
        "## Reproduce",
        "",
        "Load this setting file on the page to fit the same model again; the page's Python "
        "script holds the same values.",
        "",
        f"{fence}json",
        document,
        fence,
    ]
    return "\n".join(lines) + "\n"


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


def family_dataset_spec(family: FamilySpec) -> ParamSpec:
    """The ``dataset`` picker of a family's page: its tasks' sets, then ``upload``; the
    family's own default data set first chosen."""
    return replace(dataset_choice_spec(family.tasks), default=family.default_dataset)


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
            f"The link's {spec.name}={_quote(query[spec.name])} was ignored ({problem}); "
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
    kept = {k: _json_value(k, v, specs[k]) for k, v in setting.items() if k in specs}
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
