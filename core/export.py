"""Downloads for any family: learned parameters as CSV (spreadsheet-safe) and a Markdown
model card.

Everything here returns text for a download button; nothing reads or writes files.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from core.codegen import public_import, python_literal
from core.codegen_data import DATA_CODE
from core.data.catalogue import UPLOAD_ID, get_dataset_spec
from core.family import FamilySpec
from core.learned import LearnedParameters
from core.setting import DATA_SETTINGS, task_for
from core.setting_file import setting_json
from core.specs import ParamSpec, resolve
from core.text import escape_markdown

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
