"""Code generation: a standalone Python script that refits exactly the model the app fitted.

The script is assembled from the registry, never from ``if family == ...`` branches:

* the **data part** comes from :data:`DATA_CODE`, one template per data-set id (plus
  :data:`UPLOAD_ID`), each a copy of the scikit-learn or statsmodels calls its loader in
  :mod:`core.data` makes, followed by a compact copy of the cleaning rules of
  :func:`core.data.prepare.make_dataset`;
* the **task part** (how the target is prepared, whether the split is stratified, how the
  outputs are named and the model scored) comes from :data:`TASK_CODE`, keyed by the
  family's task;
* the **model part** is the estimator spec's scikit-learn class, imported from its public
  module, called with :meth:`core.registry.EstimatorSpec.estimator_params`.

Every value the user chose is written as a Python literal built by :func:`python_literal`
(``repr`` of a validated ``str``, ``int``, ``float`` or ``bool``), in one settings block at
the top of the script. User strings (target, file name, separator, encoding) therefore only
ever appear inside string literals, and never in comments, so a column named
``x"; import os #`` stays data. Column names of an upload never enter the script at all: the
script reads them from the file.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Sequence
from typing import Any

from core.codegen_data import CLEAN_CODE, DATA_CODE
from core.codegen_task import FIT_CODE, TASK_CODE
from core.data.catalogue import UPLOAD_ID, datasets_for, get_dataset_spec
from core.family import FamilySpec
from core.setting import DATA_SETTINGS, task_for
from core.specs import resolve


def python_literal(value: Any) -> str:
    """Return Python source that evaluates to ``value``.

    Parameters
    ----------
    value : None, bool, int, float, str, or tuple of int
        A validated setting value. Infinite floats become ``float("inf")``; a tuple of
        whole numbers (a network's layer widths) becomes a tuple literal.

    Returns
    -------
    str
        A literal expression; strings go through ``repr``, so quotes, newlines and
        backslashes in them are escaped and can never end the literal early.

    Raises
    ------
    TypeError
        For any other type (a container or object could carry arbitrary ``repr`` text).
    ValueError
        For NaN, which no setting may hold.
    """
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float):
        if math.isnan(value):
            raise ValueError("A setting value is NaN, which cannot be reproduced.")
        if math.isinf(value):
            return 'float("inf")' if value > 0 else '-float("inf")'
        return repr(float(value))
    if isinstance(value, str):
        # str.__str__ and str.__repr__ ignore any override in a str subclass. repr escapes
        # quotes, backslashes and newlines; its single quotes become double quotes (ruff
        # format's style) only when the text holds no quote, so nothing else needs escaping.
        plain = str.__str__(value)
        text = str.__repr__(plain)
        if text.startswith("'") and '"' not in plain and "'" not in plain:
            text = '"' + text[1:-1] + '"'
        return text
    if isinstance(value, tuple) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        inner = ", ".join(repr(int(v)) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    raise TypeError(f"Cannot write a {type(value).__name__} value into a script.")


def _comment(text: str) -> str:
    """One comment line from registry text: control characters (newlines) become spaces."""
    return "# " + re.sub(r"[\x00-\x1f\x7f]", " ", text).strip()


def constant_name(name: str) -> str:
    """The script's constant for a setting name: ``n_samples`` -> ``N_SAMPLES``."""
    return name.upper()


def public_import(cls: type) -> tuple[str, str]:
    """The shortest public module that exposes ``cls``: ``Ridge`` -> ``sklearn.linear_model``.

    Parameters
    ----------
    cls : type
        A class, such as a scikit-learn estimator.

    Returns
    -------
    (module, name) : tuple of str
        ``from module import name`` imports ``cls``.
    """
    parts = cls.__module__.split(".")
    for stop in range(1, len(parts) + 1):
        if any(part.startswith("_") for part in parts[:stop]):
            break
        module_name = ".".join(parts[:stop])
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # pragma: no cover - a parent package always imports
            continue
        if getattr(module, cls.__name__, None) is cls:
            return module_name, cls.__name__
    return cls.__module__, cls.__name__


#: Standard-library imports a script may need besides json (isort's first group).
_STDLIB_IMPORTS = frozenset({"import hashlib"})


def _sorted_imports(lines: set[str]) -> str:
    """Import lines in isort order: stdlib, then ``import x`` before ``from x import y``."""
    stdlib = sorted({"import json"} | {line for line in lines if line in _STDLIB_IMPORTS})
    plain = sorted(
        line for line in lines if line.startswith("import ") and line not in _STDLIB_IMPORTS
    )
    from_lines = sorted(line for line in lines if line.startswith("from "))
    return "\n".join(stdlib) + "\n\n" + "\n".join(plain + from_lines) + "\n"


def _validated(spec: Any, setting: dict[str, Any]) -> Any:
    """The setting's value for ``spec`` (its default when absent), validated."""
    return spec.validate(setting[spec.name]) if spec.name in setting else spec.default


def python_script(
    family: FamilySpec,
    setting: dict[str, Any],
    *,
    upload_name: str | None = None,
    upload_sep: str = ",",
    upload_encoding: str = "utf-8",
    upload_decimal: str = ".",
    upload_skiprows: int = 0,
    upload_features: Sequence[str] | None = None,
) -> str:
    """A complete Python script that refits the app's model and prints what it learned.

    The script loads the same data, cleans it with the same rules, splits the same rows,
    builds the same pipeline (median imputation only when features have missing values,
    standardisation when ``scale`` is on) and the same estimator with the same
    hyperparameters, then prints as JSON: the coefficients and intercepts in the
    features' own units (as :func:`core.linear.parameters.extract_linear_parameters`), per
    standard deviation, as the estimator holds them, and the train and test scores.

    Parameters
    ----------
    family : FamilySpec
        The model family.
    setting : dict
        Flat URL-style values: ``dataset``, the data set's options, ``target``, ``scale``,
        ``test_size``, ``seed``, ``estimator`` and its hyperparameters. Absent values take
        their spec default; other keys are ignored.
    upload_name : str, optional
        The CSV file's name, required when ``setting["dataset"]`` is ``"upload"``; the
        script reads the file from its working directory.
    upload_sep : str, default=","
        The CSV delimiter the app detected.
    upload_encoding : str, default="utf-8"
        The text encoding the app detected.
    upload_decimal : str, default="."
        The decimal mark the app detected ("," in many European files).
    upload_skiprows : int, default=0
        Lines before the header (1 for Excel's ``sep=;`` line).
    upload_features : sequence of str, optional
        The feature columns chosen on the page (after cleaning); all when ``None``.

    Returns
    -------
    str
        The script's source code.

    Raises
    ------
    ValueError
        If a value is invalid for its spec, the data set does not suit the family's task,
        the estimator rejects the combination, or an upload has no file name.

    Notes
    -----
    Solvers that shuffle (``saga``, ``sag``) use NumPy's global random state when the
    estimator's ``random_state`` is unset, as it is in the app, so such fits match the app
    only up to the solver's tolerance; the script says so in a comment.
    """
    dataset_ids = (*(d.id for d in datasets_for(family.tasks)), UPLOAD_ID)
    dataset_id = setting.get("dataset", family.default_dataset)
    if dataset_id not in dataset_ids:
        raise ValueError(
            f"The data set {dataset_id!r} is not offered on the {family.title} page; "
            f"choose one of {', '.join(dataset_ids)}."
        )
    data_code = DATA_CODE[dataset_id]

    constants: list[tuple[str, Any]] = []
    if dataset_id == UPLOAD_ID:
        if not upload_name:
            raise ValueError("An uploaded data set needs its file name to be reproduced.")
        constants += [("FILE_NAME", upload_name), ("SEP", upload_sep)]
        constants += [("ENCODING", upload_encoding), ("DECIMAL", upload_decimal)]
        constants += [("SKIP_ROWS", int(upload_skiprows))]
    else:
        options = get_dataset_spec(dataset_id).options
        constants += [(constant_name(o.name), _validated(o, setting)) for o in options]
    target = setting.get("target", data_code.default_target)
    if target is not None and not isinstance(target, str):
        raise ValueError(f"The target must be a column name, not {type(target).__name__}.")
    data_values = {spec.name: _validated(spec, setting) for spec in DATA_SETTINGS}

    task = task_for(family, setting)
    estimator_choice = family.estimator_spec(task)
    estimator_id = estimator_choice.validate(setting.get("estimator", estimator_choice.default))
    estimator_spec = family.get_estimator(estimator_id)
    specs = family.hyperparameters_for(estimator_id)
    resolved = resolve(specs, setting)
    kwargs = estimator_spec.estimator_params(resolved.values)
    defaults = {spec.name: spec.default for spec in specs}

    module, class_name = public_import(estimator_spec.estimator)
    task_code = TASK_CODE[task]
    imports = {
        "import numpy as np",
        "import pandas as pd",
        "from sklearn.impute import SimpleImputer",
        "from sklearn.model_selection import train_test_split",
        "from sklearn.pipeline import Pipeline",
        "from sklearn.preprocessing import StandardScaler",
        f"from {module} import {class_name}",
        *data_code.imports,
        *task_code.imports,
    }

    title = family.title
    if estimator_spec.label != family.title:
        title += f", {estimator_spec.label}"
    lines = [
        _comment(f"Parameter Lab: {title}."),
        "# Refits the model the app fitted and prints, as JSON, the learned parameters in the",
        "# features' own units and per standard deviation, and the train and test scores.",
        "# Needs numpy, pandas and scikit-learn"
        + (" and statsmodels." if any("statsmodels" in i for i in data_code.imports) else "."),
        "",
        _sorted_imports(imports),
        "# --- the setting: edit a value and run again ---",
        f"DATASET = {python_literal(dataset_id)}",
    ]
    lines += [f"{name} = {python_literal(value)}" for name, value in constants]
    target_code = python_literal(target) if target is not None else "None  # None: the last column"
    lines += [f"TARGET = {target_code}"]
    lines += [f"{constant_name(k)} = {python_literal(v)}" for k, v in data_values.items()]
    lines += ["", _comment(f"{estimator_spec.label}, with the hyperparameters the app used.")]
    lines += [f"estimator = {class_name}("]
    for name, value in kwargs.items():
        note = ""
        if name in resolved.changed:
            note = f"  # default: {python_literal(defaults[name])}"
        lines.append(f"    {name}={python_literal(value)},{note}")
    lines.append(")")
    if "random_state" in estimator_spec.estimator().get_params() and "random_state" not in kwargs:
        lines += [
            "# random_state stays unset, as in the app. It matters only to randomised solvers",
            "# (saga, sag), which then shuffle with NumPy's global state: their fits can",
            "# differ slightly between runs, within the solver's tolerance.",
        ]
    lines += ["", "# --- data ---", data_code.code.rstrip("\n")]
    if target is None:
        lines.append("TARGET = frame.columns[-1] if TARGET is None else TARGET")
    lines += [
        "",
        CLEAN_CODE.replace("$prepare_target", task_code.prepare_target)
        .replace("$target_labels", task_code.target_labels)
        .rstrip("\n"),
        "",
        "",
        "X, y = prepare(frame, TARGET)",
        *(
            [
                "FEATURES = ["
                + ", ".join(python_literal(str(name)) for name in upload_features)
                + "]  # the columns chosen on the page",
                "X = X[FEATURES]",
            ]
            if upload_features
            else []
        ),
        "",
    ]
    fit_code = (
        FIT_CODE.replace("$stratify", task_code.stratify)
        .replace("$outputs", task_code.outputs.rstrip("\n"))
        .replace("$parameters", family.script_parameters.rstrip("\n"))
        .replace("$scores", task_code.scores.rstrip("\n"))
    )
    return "\n".join(lines) + "\n" + fit_code
