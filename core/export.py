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
from typing import Any
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from core.codegen import DATA_CODE, public_import, python_literal
from core.datasets import (
    DATA_SETTINGS,
    UPLOAD_ID,
    DataError,
    dataset_choice_spec,
    datasets_for,
    get_dataset_spec,
    load_table,
    target_candidates,
)
from core.parameters import LinearParameters
from core.registry import ALL_FAMILIES, FamilySpec
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


def parameters_table(params: LinearParameters, family_id: str) -> pd.DataFrame:
    """Tidy table of every learned parameter, one row each, in the model's order.

    Parameters
    ----------
    params : LinearParameters
        From :func:`core.parameters.extract_linear_parameters`.
    family_id : str
        The family the model belongs to (a column, so files from several pages can be
        stacked).

    Returns
    -------
    DataFrame
        Columns ``family``, ``output`` (the target, or the class), ``kind`` (``"coef"``
        or ``"intercept"``), ``feature`` (empty for the intercept), ``value`` (raw units:
        per unit of the feature), ``value_per_sd`` (per standard deviation of the feature;
        NaN for the intercept), ``value_fitted`` (as the estimator holds it, per SD when
        the features were standardised) and ``learned`` (False for an intercept fixed by
        ``fit_intercept=False``). Per output: its coefficients, then its intercept.
    """
    rows = []
    per_sd = params.coef_per_sd
    for i, output in enumerate(params.outputs):
        for j, feature in enumerate(params.feature_names):
            rows.append(
                {
                    "family": family_id,
                    "output": output,
                    "kind": "coef",
                    "feature": feature,
                    "value": float(params.coef[i, j]),
                    "value_per_sd": float(per_sd[i, j]),
                    "value_fitted": float(params.coef_fitted[i, j]),
                    "learned": True,
                }
            )
        rows.append(
            {
                "family": family_id,
                "output": output,
                "kind": "intercept",
                "feature": "",
                "value": float(params.intercept[i]),
                "value_per_sd": np.nan,
                "value_fitted": float(params.intercept_fitted[i]),
                "learned": params.fit_intercept,
            }
        )
    return pd.DataFrame(rows)


def parameters_csv(params: LinearParameters, family_id: str) -> str:
    """The learned parameters as CSV text, one row per parameter (see :func:`parameters_table`).

    Floats are written in full precision (``repr``), so ``pandas.read_csv`` gives back the
    exact values. Text cells that a spreadsheet would run as a formula (a feature named
    ``=HYPERLINK(...)``) are prefixed with ``'``; plain numbers such as a class ``-1`` are
    left alone.

    Parameters
    ----------
    params : LinearParameters
        The learned parameters.
    family_id : str
        The family id, written in every row.

    Returns
    -------
    str
        CSV with a header row and ``\\n`` line ends.
    """
    table = parameters_table(params, family_id)
    for column in ("output", "feature"):
        table[column] = table[column].map(_spreadsheet_safe)
    return table.to_csv(index=False, lineterminator="\n")


# --- setting JSON ------------------------------------------------------------------------------
def _json_value(name: str, value: Any) -> Any:
    """A setting value as JSON: infinities as the text ``"inf"``, which the specs parse."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | str):
        return value
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
        JSON has no infinity.

    Raises
    ------
    ValueError
        If ``family_id`` is unknown or a value is not a number, text, boolean or null.
    """
    if family_id not in {f.id for f in ALL_FAMILIES}:
        raise ValueError(f"There is no model family {family_id!r} to save a setting for.")
    document = {
        "format": SETTING_FORMAT,
        "version": SETTING_VERSION,
        "family": family_id,
        "setting": {str(k): _json_value(str(k), v) for k, v in setting.items()},
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
    except ValueError as exc:  # such as an integer with thousands of digits
        raise ValueError(f"The setting file holds a value that cannot be read ({exc}).") from None
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
        known = {f.id: f for f in ALL_FAMILIES}
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
    raw: dict[str, Any], out: dict[str, Any], family: FamilySpec, seed: int, notes: list[str]
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
    dataset_id = out.get("dataset", family.default_dataset)
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
        if target not in target_candidates(frame, family.task):
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


def parse_setting_json(text: str | bytes, family: FamilySpec) -> tuple[dict[str, Any], list[str]]:
    """Read a setting file for a page, keeping only values the page accepts.

    Parameters
    ----------
    text : str or bytes
        The file's content: a document from :func:`setting_json`, or a bare JSON object
        of setting names and values (as in a page's URL). At most
        :data:`MAX_SETTING_BYTES`; parsed with :func:`json.loads` only.
    family : FamilySpec
        The page loading it.

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

    offered = tuple(d.id for d in datasets_for(family.task))
    picker = ParamSpec(
        "dataset", "Data set", "choice", family.default_dataset, "", choices=(*offered, UPLOAD_ID)
    )
    _take((picker,), raw, out, notes, used)
    dataset_id = out.get("dataset", family.default_dataset)
    options = () if dataset_id == UPLOAD_ID else get_dataset_spec(dataset_id).options
    _take(options, raw, out, notes, used)
    # The seed shapes generated data, so it is read before the target is checked.
    data: dict[str, Any] = {}
    _take(DATA_SETTINGS, raw, data, notes, used)
    used.add("target")
    _check_target(raw, out, family, data.get("seed", 0), notes)
    out.update(data)

    _take((family.estimator_spec,), raw, out, notes, used)
    estimator_id = out.get("estimator", family.estimator_spec.default)
    hyper: dict[str, Any] = {}
    _take(family.hyperparameters_for(estimator_id), raw, hyper, notes, used)
    out.update(_check_combination(family, estimator_id, hyper, notes))

    estimator = family.get_estimator(estimator_id)
    other = sorted(
        name
        for name in {p.name for p in family.hyperparameters}
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


#: What one coefficient means, by task.
_COEF_MEANING = {
    "regression": "Each coefficient is the change in the predicted {target} for one more "
    "unit of its feature (per SD: one more standard deviation), the other features held "
    "fixed. The intercept is the prediction when every feature is 0.",
    "classification": "Each coefficient is the change in an output class's log-odds score "
    "for one more unit of its feature (per SD: one more standard deviation), the other "
    "features held fixed. With two classes there is one row, for the second class against "
    "the first.",
}


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
    params: LinearParameters,
    metrics: pd.DataFrame,
    notes: Sequence[str] = (),
    warnings: Sequence[str] = (),
) -> str:
    """A Markdown model card: data, hyperparameters, learned parameters, scores, caveats.

    Parameters
    ----------
    family : FamilySpec
        The model family.
    setting : dict
        The flat setting that was fitted (absent values are the spec defaults).
    params : LinearParameters
        The learned parameters.
    metrics : DataFrame
        Index metric name, columns ``train`` and ``test`` (NaN without test rows), as
        :attr:`core.fitting.FitResult.metrics`.
    notes : sequence of str
        What data preparation did (:attr:`core.datasets.Dataset.notes`).
    warnings : sequence of str
        What scikit-learn warned while fitting (:attr:`core.fitting.FitResult.warnings`).

    Returns
    -------
    str
        Markdown. Every user-supplied string (target, feature and class names, notes,
        warnings) is escaped, so a column named ``a | b`` or holding a newline cannot
        break a table or inject markup.
    """
    estimator_id = setting.get("estimator", family.estimator_spec.default)
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
    lines.append(f"- Features: {len(params.feature_names)}")
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

    count = params.n_parameters
    lines += ["", "## Learned parameters", "", f"{count} learned parameters."]
    lines.append(_COEF_MEANING[family.task].format(target=markdown_text(target)))
    lines.append("")
    table = parameters_table(params, family.id)
    rows = [
        [
            markdown_text(row.output),
            row.kind if row.learned else f"{row.kind} (fixed, not learned)",
            markdown_text(row.feature),
            _number(row.value),
            _number(row.value_per_sd),
        ]
        for row in table.itertuples(index=False)
    ]
    lines += _table(["output", "parameter", "feature", "per unit", "per SD"], rows)

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
        "- These coefficients describe associations in this data set, not causes: changing "
        "a feature in the world need not change the outcome as its coefficient suggests."
    )
    lines.append(
        "- Each coefficient holds the other features fixed. Correlated features share and "
        "trade weight, so single coefficients can be unstable across samples."
    )
    lines.append(
        "- A penalty, where the estimator has one, shrinks coefficients toward zero: their "
        "size reflects the hyperparameters as well as the data."
    )
    if in_sample:
        lines.append(
            "- The test share is 0: every row trained the model, so the scores are in-sample "
            "and cannot show over-fitting."
        )
    if not params.fit_intercept:
        lines.append("- fit_intercept is off: the intercept was fixed at 0, not learned.")

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


def setting_specs(family: FamilySpec, dataset_id: str | None = None) -> tuple[ParamSpec, ...]:
    """Every spec whose value a page's URL carries: the data-set picker, the data set's
    generator options, the data settings, the estimator and all of the family's
    hyperparameters (``target`` is free text and is not among them)."""
    options = ()
    if dataset_id is not None and dataset_id != UPLOAD_ID:
        options = get_dataset_spec(dataset_id).options
    return (
        dataset_choice_spec(family.task),
        *options,
        *DATA_SETTINGS,
        family.estimator_spec,
        *family.hyperparameters,
    )


def share_query(
    family: FamilySpec, setting: dict[str, Any], default_target: str | None = None
) -> str:
    """The URL query string that restores ``setting`` on the family's page.

    Values equal to their defaults are left out (as Streamlit does for bound widgets), so
    links stay short; keys are the specs' names and values are spelled as the widgets parse
    them (``C=inf``, ``scale=false``). ``target`` is left out when it is the data set's
    ``default_target``.
    """
    pairs = []
    for spec in setting_specs(family, setting.get("dataset")):
        if spec.name in setting and setting[spec.name] != spec.default:
            pairs.append((spec.name, spec.format(setting[spec.name])))
    target = setting.get("target")
    if target is not None and target != default_target:
        pairs.append(("target", str(target)))
    return urlencode(pairs)


def link_problems(family: FamilySpec, query: dict[str, str]) -> list[str]:
    """Sentences for the values in a page's URL that its widgets will ignore.

    Streamlit drops a bound widget's URL value when it is not a valid option or is out of
    range and uses the default instead; this says so in words, checking the same specs.

    Parameters
    ----------
    family : FamilySpec
        The page's family.
    query : dict of str to str
        The URL's query parameters, as text.
    """
    picker = dataset_choice_spec(family.task)
    dataset_id = query.get("dataset", picker.default)
    if dataset_id not in picker.choices:
        dataset_id = None
    problems = []
    values: dict[str, Any] = {}
    for spec in setting_specs(family, dataset_id):
        # A free-text number (C, which may be inf) keeps its text and explains itself.
        if spec.name not in query or spec.unbounded:
            continue
        try:
            value = spec.validate(query[spec.name])
            if spec.allowed is not None and value not in spec.allowed(values):
                raise ValueError(f"{spec.label}: {value} does not fit the other values.")
            values[spec.name] = value
        except ValueError as exc:
            problems.append(
                f"The link's {spec.name}={_quote(query[spec.name])} was ignored ({exc}); "
                f"the default {spec.format(spec.default)} is used."
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
    names = {s.name for s in (*DATA_SETTINGS, family.estimator_spec, *family.hyperparameters)}
    kept = {k: _json_value(k, v) for k, v in setting.items() if k in names}
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
    if not isinstance(raw, dict):
        raise ValueError("the pinned setting in the link is not a set of values")
    estimator_id = family.estimator_spec.validate(
        raw.get("estimator", family.estimator_spec.default)
    )
    hyper = resolve(family.hyperparameters_for(estimator_id), raw).values
    family.get_estimator(estimator_id).estimator_params(hyper)  # a valid combination?
    data = resolve(DATA_SETTINGS, raw).values
    return estimator_id, hyper, data
