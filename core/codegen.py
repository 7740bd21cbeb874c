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
from dataclasses import dataclass
from typing import Any

from core.data.catalogue import UPLOAD_ID, datasets_for, get_dataset_spec
from core.data.tables import MAX_CATEGORIES, NUMERIC_SHARE, Task
from core.data.uploads import MAX_NAME_CHARS, MAX_ROWS
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


@dataclass(frozen=True)
class DataCode:
    """How a generated script builds one data set's raw table.

    Parameters
    ----------
    imports : tuple of str
        Import lines the code needs besides numpy (``np``) and pandas (``pd``).
    code : str
        Statements that define ``frame``, the raw table. They read the user's values from
        the settings block: ``SEED`` and one upper-case constant per option of the data
        set (``N_SAMPLES``...), or ``FILE_NAME``, ``SEP``, ``ENCODING`` and ``DECIMAL`` for
        an upload.
    default_target : str or None
        The target when the setting names none; ``None`` means the table's last column
        (as for an upload).
    """

    imports: tuple[str, ...]
    code: str
    default_target: str | None


def _bunch_code(loader: str) -> DataCode:
    """A scikit-learn bunch with class names as labels, as ``core.data.catalogue._bunch_table``."""
    return DataCode(
        imports=(f"from sklearn.datasets import {loader}",),
        code=f"""bunch = {loader}(as_frame=True)
frame = bunch.frame.copy()
# Class names as labels, in a column named "class".
frame["target"] = np.asarray(bunch.target_names)[bunch.target.to_numpy()]
frame = frame.rename(columns={{"target": "class"}})
""",
        default_target="class",
    )


#: The data part of a script, by data-set id: a copy of what each loader in
#: :mod:`core.data` does. A test checks every registered data set has one and that each
#: generated script reproduces the loader's table.
DATA_CODE: dict[str, DataCode] = {
    "diabetes": DataCode(
        imports=("from sklearn.datasets import load_diabetes",),
        code="""# Raw units (age in years, BMI...), not scikit-learn's pre-scaled copy.
frame = load_diabetes(as_frame=True, scaled=False).frame
frame = frame.rename(columns={"target": "progression"})
""",
        default_target="progression",
    ),
    "longley": DataCode(
        imports=("from statsmodels.datasets import longley",),
        code="frame = longley.load_pandas().data.astype(float)\n",
        default_target="TOTEMP",
    ),
    "synthetic_regression": DataCode(
        imports=("from sklearn.datasets import make_regression",),
        code="""INTERCEPT = 5.0  # the true intercept
X_raw, y_raw, true_coef = make_regression(
    n_samples=N_SAMPLES,
    n_features=N_FEATURES,
    n_informative=N_INFORMATIVE,
    noise=NOISE,
    bias=INTERCEPT,
    coef=True,
    random_state=SEED,
)
if CORRELATION > 0:
    # Mix the columns so every pair has correlation CORRELATION, then rebuild the target
    # from the mixed columns with fresh noise, so the true coefficients stay true_coef.
    p = X_raw.shape[1]
    if p > 1:
        cov = np.full((p, p), CORRELATION) + (1 - CORRELATION) * np.eye(p)
        X_raw = X_raw @ np.linalg.cholesky(cov).T
    rng = np.random.default_rng(SEED)
    y_raw = X_raw @ true_coef + INTERCEPT + NOISE * rng.standard_normal(N_SAMPLES)
frame = pd.DataFrame(X_raw, columns=[f"x{j + 1}" for j in range(N_FEATURES)])
frame["y"] = y_raw
""",
        default_target="y",
    ),
    "breast_cancer": _bunch_code("load_breast_cancer"),
    "iris": _bunch_code("load_iris"),
    "wine": _bunch_code("load_wine"),
    "synthetic_classification": DataCode(
        imports=("from sklearn.datasets import make_classification",),
        code="""X_raw, y_raw = make_classification(
    n_samples=N_SAMPLES,
    n_features=N_FEATURES,
    n_informative=N_INFORMATIVE,
    n_redundant=0,
    n_classes=N_CLASSES,
    n_clusters_per_class=1,
    class_sep=CLASS_SEP,
    random_state=SEED,
)
frame = pd.DataFrame(X_raw, columns=[f"x{j + 1}" for j in range(N_FEATURES)])
frame["class"] = y_raw
""",
        default_target="class",
    ),
    "moons": DataCode(
        imports=("from sklearn.datasets import make_moons",),
        code="""X_raw, y_raw = make_moons(n_samples=N_SAMPLES, noise=NOISE, random_state=SEED)
frame = pd.DataFrame(X_raw, columns=["x1", "x2"])
frame["class"] = y_raw
""",
        default_target="class",
    ),
    "circles": DataCode(
        imports=("from sklearn.datasets import make_circles",),
        code="""X_raw, y_raw = make_circles(
    n_samples=N_SAMPLES, noise=NOISE, factor=0.5, random_state=SEED
)
frame = pd.DataFrame(X_raw, columns=["x1", "x2"])
frame["class"] = y_raw
""",
        default_target="class",
    ),
    UPLOAD_ID: DataCode(
        imports=("import hashlib",),
        code=f"""# Read as the app does (core.data.uploads.read_csv_upload): at most MAX_ROWS rows,
# spaces after the separator skipped, column names stripped.
MAX_ROWS = {MAX_ROWS}
MAX_NAME_CHARS = {MAX_NAME_CHARS}
frame = pd.read_csv(
    FILE_NAME,
    sep=SEP,
    encoding=ENCODING,
    decimal=DECIMAL,
    skiprows=SKIP_ROWS,  # 1 when the file starts with Excel's "sep=" line
    skipinitialspace=True,
    nrows=MAX_ROWS + 1,
)


def short_name(name):
    # Names longer than MAX_NAME_CHARS are shortened as the app does (core.data.uploads).
    if len(name) <= MAX_NAME_CHARS:
        return name
    digest = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{{name[: MAX_NAME_CHARS - 9]}}…{{digest}}"


frame.columns = [short_name(str(c).strip()) for c in frame.columns]
frame = frame.iloc[:MAX_ROWS]
""",
        default_target=None,
    ),
}

#: A compact copy of :func:`core.data.prepare.make_dataset`'s cleaning (without its notes and
#: refusals): same order of checks, so the same columns come out for any table.
_CLEAN_CODE = f'''MAX_CATEGORIES = {MAX_CATEGORIES}  # text columns with more levels are dropped
NUMERIC_SHARE = {NUMERIC_SHARE!r}  # a text column is numeric when this share of cells parse


def as_numeric(column):
    """The column as numbers if nearly all of its cells are numbers, else None."""
    present = column.dropna()
    if present.empty:
        return None
    parsed = pd.to_numeric(present.astype(str).str.strip(), errors="coerce")
    if parsed.notna().mean() < NUMERIC_SHARE:
        return None
    return pd.to_numeric(column.astype("string").str.strip(), errors="coerce").astype(float)


$prepare_target

def prepare(frame, target):
    """Numeric features and the target, cleaned as Parameter Lab cleans any table."""
    y = prepare_target(frame[target])
    keep = y.notna()  # rows without a target are dropped
    features = frame.loc[keep].drop(columns=[target])
    y = y.loc[keep]
$target_labels    columns = {{}}
    for name in features.columns:
        column, label = features[name], str(name)
        if column.isna().all() or column.nunique(dropna=True) < 2:
            continue  # empty or constant: nothing to learn from
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            values = column.astype(float)
            columns[label] = values.mask(np.isinf(values))  # infinite cells count as missing
            continue
        numeric = as_numeric(column)
        if numeric is not None:
            columns[label] = numeric
        elif column.nunique(dropna=True) <= MAX_CATEGORIES:
            # One-hot encoding; the first level in sorted order is the reference.
            levels = sorted(column.dropna().astype(str).unique())
            text = column.astype("string")
            for level in levels[1:]:
                dummy = (text == level).astype(float)
                dummy[text.isna()] = np.nan
                name = f"{{label}}={{level}}"
                while name in columns or name in features.columns:
                    name += "'"  # a real column already has this name
                columns[name] = dummy
        # Text with more levels (names, ids, free text) cannot be coefficients: dropped.
    X = pd.DataFrame(columns, index=features.index).reset_index(drop=True)
    return X, y.reset_index(drop=True).rename(target)
'''


@dataclass(frozen=True)
class TaskCode:
    """The parts of a script that depend on the family's task.

    Parameters
    ----------
    imports : tuple of str
        Import lines for the metrics.
    prepare_target : str
        Defines ``prepare_target(y)``, run before rows without a target are dropped: the
        conversions of ``core.data.prepare._prepare_target``.
    target_labels : str
        Statements (indented for ``prepare``) run on ``y`` after those rows are dropped,
        as ``core.data.prepare.make_dataset`` does.
    stratify : str
        Statements (indented for the split's ``else`` branch) defining ``stratify``, as
        :func:`core.fitting.split_data` decides it.
    outputs : str
        Statements defining ``outputs``, one name per row of ``coef``, as
        :func:`core.linear.parameters.extract_linear_parameters` names them.
    scores : str
        Defines ``scores(model, X, y) -> dict``, a copy of the task's entry in
        :data:`core.fitting.TASK_SCORING`.
    """

    imports: tuple[str, ...]
    prepare_target: str
    target_labels: str
    stratify: str
    outputs: str
    scores: str


TASK_CODE: dict[Task, TaskCode] = {
    "regression": TaskCode(
        imports=(
            "from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error",
        ),
        prepare_target='''def prepare_target(y):
    """The target as floats; a text column is read as numbers."""
    if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        y = as_numeric(y)
    y = y.astype(float)
    return y.mask(np.isinf(y))  # an infinite target counts as missing: its row is dropped
''',
        target_labels="",
        stratify="    stratify = None  # regression: a plain shuffle\n",
        outputs="outputs = [TARGET]\n",
        scores='''def scores(model, X, y):
    """R², RMSE and MAE of the fitted model on some rows."""
    y_true, y_pred = y.to_numpy(dtype=float), model.predict(X)
    r2 = r2_score(y_true, y_pred) if len(y_true) > 1 else np.nan
    return {
        "R²": float(r2),
        "RMSE": float(root_mean_squared_error(y_true, y_pred)),
        "MAE": float(mean_absolute_error(y_true, y_pred)),
    }
''',
    ),
    "classification": TaskCode(
        imports=("from sklearn.metrics import accuracy_score, log_loss, roc_auc_score",),
        prepare_target='''def prepare_target(y):
    """Class labels stay as read until the rows without a label are dropped."""
    return y
''',
        target_labels="""    # Plain labels: whole numbers as int64 (1.0 -> 1), else text.
    numeric = pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)
    whole = numeric and (y % 1 == 0).all() and (y.abs() < 2**53).all()
    y = y.astype(np.int64) if whole else y.astype(str)
""",
        stratify="""    # Stratify by class when both parts can hold every class.
    n_test, n_classes = int(np.ceil(TEST_SIZE * len(y))), y.nunique()
    stratify = y if n_test >= n_classes and len(y) - n_test >= n_classes else None
""",
        outputs="""# Several classes: a row each. Two: one row, the log-odds of the second class.
classes = [str(c) for c in model.classes_]
outputs = classes if len(classes) > 2 else classes[1:]
""",
        scores='''def scores(model, X, y):
    """Accuracy, ROC AUC (one-vs-rest macro average) and log loss on some rows."""
    out = {"accuracy": float(accuracy_score(y, model.predict(X)))}
    auc = loss = np.nan
    if hasattr(model, "predict_proba"):
        proba = model.predict_proba(X)
        classes = model.classes_
        if len(set(pd.unique(y))) == len(classes):
            if len(classes) == 2:
                auc = roc_auc_score(y == classes[1], proba[:, 1])
            else:
                auc = roc_auc_score(y, proba, multi_class="ovr", labels=classes)
        loss = log_loss(y, proba, labels=classes)
    out["ROC AUC"] = float(auc)
    out["log loss"] = float(loss)
    return out
''',
    ),
}

_FIT_CODE = """# --- split: the same rows as the app (core.fitting.split_data) ---
positions = np.arange(len(y))
if TEST_SIZE == 0:
    train, test = positions, None  # every row trains; the scores are in-sample
else:
$stratify    train, test = train_test_split(
        positions, test_size=TEST_SIZE, random_state=SEED, stratify=stratify
    )
X_train, y_train = X.iloc[train], y.iloc[train]

# --- fit: imputation and scaling are learned from the training rows only ---
steps = []
if X.isna().to_numpy().any():
    steps.append(("impute", SimpleImputer(strategy="median")))
if SCALE:
    # Centre only with an intercept: without one the model passes through the origin.
    with_mean = estimator.get_params().get("fit_intercept", True)
    steps.append(("scale", StandardScaler(with_mean=with_mean)))
steps.append(("model", estimator))
pipeline = Pipeline(steps).fit(X_train, y_train)

model = pipeline.named_steps["model"]
feature_names = [str(c) for c in X.columns]
$outputs
report = {}  # what the family adds to the printout beside its fitted attributes
$parameters


# --- scores ---
$scores


train_scores = scores(pipeline, X_train, y_train)
if test is None:
    test_scores = dict.fromkeys(train_scores, np.nan)
else:
    test_scores = scores(pipeline, X.iloc[test], y.iloc[test])


def number(value):
    \"\"\"A float for JSON: None stands for NaN or infinity.\"\"\"
    return float(value) if np.isfinite(value) else None


print(
    json.dumps(
        {
            "estimator": type(model).__name__,
            "target": TARGET,
            "features": feature_names,
            "learned": learned,
            **report,
            "metrics": {
                name: {"train": number(train_scores[name]), "test": number(test_scores[name])}
                for name in train_scores
            },
        },
        indent=2,
    )
)
"""


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
        _CLEAN_CODE.replace("$prepare_target", task_code.prepare_target)
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
        _FIT_CODE.replace("$stratify", task_code.stratify)
        .replace("$outputs", task_code.outputs.rstrip("\n"))
        .replace("$parameters", family.script_parameters.rstrip("\n"))
        .replace("$scores", task_code.scores.rstrip("\n"))
    )
    return "\n".join(lines) + "\n" + fit_code
