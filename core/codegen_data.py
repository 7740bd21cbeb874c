"""The data part of a generated script: one template per data-set id (and uploads), each a
copy of its loader's calls, and a compact copy of the cleaning rules."""

from __future__ import annotations

from dataclasses import dataclass

from core.data.catalogue import UPLOAD_ID
from core.data.tables import MAX_CATEGORIES, NUMERIC_SHARE
from core.data.uploads import MAX_NAME_CHARS, MAX_ROWS


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
CLEAN_CODE = f'''MAX_CATEGORIES = {MAX_CATEGORIES}  # text columns with more levels are dropped
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
