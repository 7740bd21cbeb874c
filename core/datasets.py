"""Data sets: a registry of built-in and generated sets, and turning any table into X and y.

Every data set, built-in or uploaded, goes through :func:`make_dataset`, so the cleaning rules
(what is dropped, encoded, imputed or refused, and why) are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn import datasets as skdata

from core.family import Task
from core.specs import ParamSpec

#: Text columns with at most this many distinct values are one-hot encoded; more are refused.
MAX_CATEGORIES = 20
#: A classification target may have at most this many classes.
MAX_CLASSES = 20
#: Most feature columns a model may get after one-hot encoding (memory, and a readable page).
MAX_FEATURES = 500
#: Most feature cells (rows x features) after encoding: 10 million floats are 80 MB, which
#: keeps a few cached data sets inside Community Cloud's memory.
MAX_CELLS = 10_000_000
#: A text column is read as numbers when at least this share of its non-missing cells parse.
NUMERIC_SHARE = 0.8


class DataError(ValueError):
    """A data problem the user can fix; its message is a complete sentence for the page."""


@dataclass(frozen=True, eq=False)
class Table:
    """A raw table before a target is chosen.

    Parameters
    ----------
    frame : DataFrame
        The columns, as loaded.
    default_target : str
        The column predicted unless the user picks another.
    description : str
        One or two sentences on the source and units.
    true_coef : dict of str to float, optional
        For generated data: the coefficients that produced ``default_target``.
    true_intercept : float, optional
        For generated data: the intercept that produced ``default_target``.
    notes : tuple of str
        What loading did to the data (for uploads), to show the user.
    encoding, delimiter, decimal : str, optional
        How an uploaded file was read, so generated code can read it the same way.
    """

    frame: pd.DataFrame
    default_target: str
    description: str
    true_coef: dict[str, float] | None = None
    true_intercept: float | None = None
    notes: tuple[str, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str = "."
    skiprows: int = 0


@dataclass(frozen=True, eq=False)
class Dataset:
    """Features and target ready for scikit-learn.

    Parameters
    ----------
    name : str
        Display name.
    task : {"regression", "classification"}
        What the target is for.
    X : DataFrame of shape (n_samples, n_features)
        Numeric features (float); may hold NaN, which the fit pipeline imputes.
    y : Series of shape (n_samples,)
        Target: float for regression, class labels for classification.
    description : str
        Source and units.
    notes : tuple of str
        Every change made to the raw table, in plain sentences.
    true_coef : Series, optional
        Generating coefficients by feature, when known.
    true_intercept : float, optional
        Generating intercept, when known.
    """

    name: str
    task: Task
    X: pd.DataFrame
    y: pd.Series
    description: str
    notes: tuple[str, ...] = ()
    true_coef: pd.Series | None = None
    true_intercept: float | None = None

    @property
    def target(self) -> str:
        """Name of the target column."""
        return str(self.y.name)

    @property
    def has_missing(self) -> bool:
        """Whether any feature value is missing (the pipeline then imputes)."""
        return bool(self.X.isna().to_numpy().any())


@dataclass(frozen=True)
class DatasetSpec:
    """A built-in or generated data set in the registry.

    Parameters
    ----------
    id : str
        Stable id, the ``dataset`` URL value.
    label : str
        Display name.
    task : {"regression", "classification"}
        Which pages offer it.
    loader : callable
        ``loader(seed, **options) -> Table``.
    options : tuple of ParamSpec
        Generator controls (synthetic sets only); widget and URL keys.
    source : str
        Which package ships or generates it.
    """

    id: str
    label: str
    task: Task
    loader: Callable[..., Table] = field(repr=False)
    options: tuple[ParamSpec, ...] = ()
    source: str = ""


# --- data settings shared by every page ------------------------------------------------
SCALE = ParamSpec(
    name="scale",
    label="Standardise",
    kind="bool",
    default=True,
    role="data",
    help="Centre each feature and divide by its standard deviation (fitted on the training "
    "rows only) before fitting. Penalties then treat all features alike. Coefficients are "
    "always also reported back in the features' own units.",
)
TEST_SIZE = ParamSpec(
    name="test_size",
    label="Test share",
    kind="float",
    default=0.25,
    low=0.0,
    high=0.9,
    step=0.05,
    role="data",
    help="Share of rows held out to score the model. 0 fits on all rows; the metrics are "
    "then in-sample only.",
)
SEED = ParamSpec(
    name="seed",
    label="Random seed",
    kind="int",
    default=0,
    low=0,
    high=2**31 - 1,
    step=1,
    role="data",
    help="Seeds the train/test split and any generated data, so a setting is reproducible.",
)
DATA_SETTINGS: tuple[ParamSpec, ...] = (SCALE, TEST_SIZE, SEED)
#: What an uploaded file's target is for, on a page whose family serves both tasks.
TASK = ParamSpec(
    name="task",
    label="Task",
    kind="choice",
    default="classification",
    choices=("classification", "regression"),
    choice_labels=("Classification (predict a class)", "Regression (predict a number)"),
    role="data",
    help="Whether the target holds classes or numbers; built-in data sets know their task.",
)


# --- loaders ---------------------------------------------------------------------------
def load_diabetes_table(seed: int = 0) -> Table:
    """scikit-learn's diabetes data in raw units (age in years, BMI, blood pressure...)."""
    bunch = skdata.load_diabetes(as_frame=True, scaled=False)
    frame = bunch.frame.rename(columns={"target": "progression"})
    return Table(
        frame=frame,
        default_target="progression",
        description="442 diabetes patients (scikit-learn): age, sex, BMI, blood pressure and "
        "six blood serum measurements; the target is disease progression one year later.",
    )


def load_longley_table(seed: int = 0) -> Table:
    """statsmodels' Longley data: 16 years of strongly collinear US macro-economic series."""
    from statsmodels.datasets import longley

    frame = longley.load_pandas().data.astype(float)
    return Table(
        frame=frame,
        default_target="TOTEMP",
        description="US economy 1947-1962 (statsmodels' copy of Longley, 1967): total "
        "employment against GNP, its deflator, unemployment, armed forces, population and "
        "year. The features are almost perfectly collinear: a classic test of numerical "
        "accuracy and of coefficient stability.",
    )


def _equicorrelated(X: np.ndarray, rho: float) -> np.ndarray:
    """Mix independent standard-normal columns so every pair has correlation ``rho``."""
    p = X.shape[1]
    if rho == 0 or p == 1:
        return X
    cov = np.full((p, p), rho) + (1 - rho) * np.eye(p)
    return X @ np.linalg.cholesky(cov).T


def make_synthetic_regression_table(
    seed: int = 0,
    n_samples: int = 200,
    n_features: int = 5,
    n_informative: int = 3,
    noise: float = 10.0,
    correlation: float = 0.0,
) -> Table:
    """Regression data with known coefficients, from ``make_regression(coef=True)``.

    Parameters
    ----------
    seed : int
        Random state for features, coefficients and noise.
    n_samples, n_features, n_informative : int
        Rows, feature columns, and how many features have a non-zero true coefficient.
    noise : float
        Standard deviation of the Gaussian noise added to the target.
    correlation : float in [0, 1)
        Pairwise correlation between the features, to show how collinearity makes
        coefficients unstable. The target is built from the correlated features.

    Returns
    -------
    Table
        Features ``x1..xp``, target ``y``, and the true coefficients and intercept.
    """
    if n_informative > n_features:
        raise DataError(
            f"Informative features ({n_informative}) cannot exceed features ({n_features})."
        )
    intercept = 5.0
    X, y, coef = skdata.make_regression(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_informative,
        noise=noise,
        bias=intercept,
        coef=True,
        random_state=seed,
    )
    if correlation > 0:
        # Rebuild the target from the correlated features with fresh noise of the same size,
        # so the generating coefficients stay exactly ``coef``.
        X = _equicorrelated(X, correlation)
        rng = np.random.default_rng(seed)
        y = X @ coef + intercept + noise * rng.standard_normal(n_samples)
    names = [f"x{j + 1}" for j in range(n_features)]
    frame = pd.DataFrame(X, columns=names)
    frame["y"] = y
    return Table(
        frame=frame,
        default_target="y",
        description=f"Generated with scikit-learn's make_regression: {n_samples} rows, "
        f"{n_features} features of which {n_informative} matter, noise sd {noise:g}, "
        f"pairwise feature correlation {correlation:g}. The true coefficients are known.",
        true_coef=dict(zip(names, coef.astype(float), strict=True)),
        true_intercept=intercept,
    )


def _bunch_table(loader: Callable[..., Any], description: str) -> Table:
    bunch = loader(as_frame=True)
    frame = bunch.frame.copy()
    names = np.asarray(bunch.target_names)
    frame["target"] = names[bunch.target.to_numpy()]
    frame = frame.rename(columns={"target": "class"})
    return Table(frame=frame, default_target="class", description=description)


def load_breast_cancer_table(seed: int = 0) -> Table:
    """scikit-learn's Wisconsin breast-cancer data: 30 cell-nucleus measurements, 2 classes."""
    return _bunch_table(
        skdata.load_breast_cancer,
        "569 breast tumour biopsies (scikit-learn): 30 measurements of cell nuclei; "
        "the class is malignant or benign.",
    )


def load_iris_table(seed: int = 0) -> Table:
    """scikit-learn's iris flowers: 4 measurements in cm, 3 species."""
    return _bunch_table(
        skdata.load_iris,
        "150 iris flowers (scikit-learn): sepal and petal length and width in cm; the "
        "class is one of three species.",
    )


def load_wine_table(seed: int = 0) -> Table:
    """scikit-learn's wine data: 13 chemical measurements, 3 cultivars."""
    return _bunch_table(
        skdata.load_wine,
        "178 Italian wines (scikit-learn): 13 chemical measurements; the class is one of "
        "three cultivars.",
    )


def make_synthetic_classification_table(
    seed: int = 0,
    n_samples: int = 200,
    n_features: int = 4,
    n_informative: int = 2,
    n_classes: int = 2,
    class_sep: float = 1.0,
) -> Table:
    """Classification data from scikit-learn's ``make_classification``."""
    if n_informative > n_features:
        raise DataError(
            f"Informative features ({n_informative}) cannot exceed features ({n_features})."
        )
    if n_classes > 2**n_informative:
        raise DataError(
            f"{n_classes} classes need at least {int(np.ceil(np.log2(n_classes)))} "
            "informative features."
        )
    X, y = skdata.make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_informative,
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        class_sep=class_sep,
        random_state=seed,
    )
    frame = pd.DataFrame(X, columns=[f"x{j + 1}" for j in range(n_features)])
    frame["class"] = y
    return Table(
        frame=frame,
        default_target="class",
        description=f"Generated with scikit-learn's make_classification: {n_samples} rows, "
        f"{n_features} features ({n_informative} informative), {n_classes} classes, class "
        f"separation {class_sep:g}.",
    )


def make_moons_table(seed: int = 0, n_samples: int = 200, noise: float = 0.2) -> Table:
    """Two interleaving half circles: a boundary no straight line can draw."""
    X, y = skdata.make_moons(n_samples=n_samples, noise=noise, random_state=seed)
    frame = pd.DataFrame(X, columns=["x1", "x2"])
    frame["class"] = y
    return Table(
        frame=frame,
        default_target="class",
        description=f"Two interleaving half moons (scikit-learn's make_moons), noise "
        f"{noise:g}: linear models cannot separate them.",
    )


def make_circles_table(seed: int = 0, n_samples: int = 200, noise: float = 0.2) -> Table:
    """A circle inside a circle: separable only by a non-linear boundary."""
    X, y = skdata.make_circles(n_samples=n_samples, noise=noise, factor=0.5, random_state=seed)
    frame = pd.DataFrame(X, columns=["x1", "x2"])
    frame["class"] = y
    return Table(
        frame=frame,
        default_target="class",
        description=f"A circle inside a circle (scikit-learn's make_circles), noise {noise:g}.",
    )


N_SAMPLES = ParamSpec(
    "n_samples", "Rows", "int", 200, "Number of generated rows.", low=20, high=5000, step=10
)
NOISE_2D = ParamSpec(
    "noise",
    "Noise",
    "float",
    0.2,
    "Standard deviation of the jitter.",
    low=0.0,
    high=1.0,
    step=0.05,
)

DATASETS: tuple[DatasetSpec, ...] = (
    DatasetSpec(
        "diabetes", "Diabetes progression", "regression", load_diabetes_table, source="scikit-learn"
    ),
    DatasetSpec(
        "longley", "Longley economic series", "regression", load_longley_table, source="statsmodels"
    ),
    DatasetSpec(
        "synthetic_regression",
        "Synthetic regression (known coefficients)",
        "regression",
        make_synthetic_regression_table,
        options=(
            N_SAMPLES,
            ParamSpec("n_features", "Features", "int", 5, "Feature columns.", low=1, high=50),
            ParamSpec(
                "n_informative",
                "Informative features",
                "int",
                3,
                "How many features have a non-zero true coefficient.",
                low=0,
                high=50,
            ),
            ParamSpec(
                "noise",
                "Noise sd",
                "float",
                10.0,
                "Standard deviation of the noise added to the target.",
                low=0.0,
                high=1000.0,
                step=1.0,
            ),
            ParamSpec(
                "correlation",
                "Feature correlation",
                "float",
                0.0,
                "Correlation between every pair of features; high values make single "
                "coefficients unstable.",
                low=0.0,
                high=0.99,
                step=0.05,
            ),
        ),
        source="scikit-learn make_regression",
    ),
    DatasetSpec(
        "breast_cancer",
        "Breast cancer",
        "classification",
        load_breast_cancer_table,
        source="scikit-learn",
    ),
    DatasetSpec("iris", "Iris", "classification", load_iris_table, source="scikit-learn"),
    DatasetSpec("wine", "Wine", "classification", load_wine_table, source="scikit-learn"),
    DatasetSpec(
        "synthetic_classification",
        "Synthetic classification",
        "classification",
        make_synthetic_classification_table,
        options=(
            N_SAMPLES,
            ParamSpec("n_features", "Features", "int", 4, "Feature columns.", low=2, high=20),
            ParamSpec(
                "n_informative",
                "Informative features",
                "int",
                2,
                "Features that carry class information.",
                low=1,
                high=20,
            ),
            ParamSpec("n_classes", "Classes", "int", 2, "Number of classes.", low=2, high=6),
            ParamSpec(
                "class_sep",
                "Class separation",
                "float",
                1.0,
                "Larger values push the classes apart.",
                low=0.1,
                high=5.0,
                step=0.1,
            ),
        ),
        source="scikit-learn make_classification",
    ),
    DatasetSpec(
        "moons",
        "Two moons",
        "classification",
        make_moons_table,
        options=(N_SAMPLES, NOISE_2D),
        source="scikit-learn make_moons",
    ),
    DatasetSpec(
        "circles",
        "Circles",
        "classification",
        make_circles_table,
        options=(N_SAMPLES, NOISE_2D),
        source="scikit-learn make_circles",
    ),
)

#: The id of the uploaded-CSV choice in the data-set picker.
UPLOAD_ID = "upload"


def dataset_choice_spec(task: Task | tuple[Task, ...]) -> ParamSpec:
    """The ``dataset`` picker of a page: the task's (or tasks') registered sets, then
    ``upload``."""
    specs = datasets_for(task)
    return ParamSpec(
        name="dataset",
        label="Data set",
        kind="choice",
        default=specs[0].id,
        choices=(*(s.id for s in specs), UPLOAD_ID),
        choice_labels=(*(s.label for s in specs), "Upload a CSV file"),
        role="data",
        help="A built-in data set, a generated one with known true parameters, or your own "
        "CSV file.",
    )


def get_dataset_spec(dataset_id: str) -> DatasetSpec:
    """Return the registry entry with this id; raise ``KeyError`` if there is none."""
    for spec in DATASETS:
        if spec.id == dataset_id:
            return spec
    raise KeyError(f"no data set {dataset_id!r}")


def datasets_for(task: Task | tuple[Task, ...]) -> tuple[DatasetSpec, ...]:
    """The registry entries whose task matches (any of several), in registry order."""
    tasks = (task,) if isinstance(task, str) else tuple(task)
    return tuple(spec for spec in DATASETS if spec.task in tasks)


def load_table(dataset_id: str, seed: int = 0, **options: Any) -> Table:
    """Load or generate a registered data set.

    Parameters
    ----------
    dataset_id : str
        A registry id (not ``"upload"``).
    seed : int
        Random state for generated sets (ignored by fixed ones).
    **options
        Generator controls, validated against the spec's option specs.

    Raises
    ------
    DataError
        If an option is invalid.
    """
    spec = get_dataset_spec(dataset_id)
    values = {}
    for option in spec.options:
        try:
            values[option.name] = option.validate(options.get(option.name, option.default))
        except ValueError as exc:
            raise DataError(str(exc)) from None
    return spec.loader(seed=seed, **values)


def target_problem(frame: pd.DataFrame, column: str, task: Task) -> str | None:
    """Why ``column`` cannot be the target for ``task``, as a sentence; ``None`` if it can."""
    try:
        _prepare_target(frame, column, task, [])
    except DataError as exc:
        return str(exc)
    return None


def target_candidates(frame: pd.DataFrame, task: Task) -> list[str]:
    """Columns that can serve as the target for ``task``, in table order.

    Regression needs a column of numbers with at least three distinct values; classification
    a column with 2 to ``MAX_CLASSES`` classes, each with at least two rows.
    """
    return [str(c) for c in frame.columns if target_problem(frame, str(c), task) is None]


def _as_numeric(column: pd.Series) -> pd.Series | None:
    """Read a text column as numbers if nearly all of its cells are numbers, else None."""
    present = column.dropna()
    if present.empty:
        return None
    parsed = pd.to_numeric(present.astype(str).str.strip(), errors="coerce")
    if parsed.notna().mean() < NUMERIC_SHARE:
        return None
    return pd.to_numeric(column.astype("string").str.strip(), errors="coerce").astype(float)


def _prepare_target(frame: pd.DataFrame, target: str, task: Task, notes: list[str]) -> pd.Series:
    if target not in frame.columns:
        raise DataError(f"There is no column named {target!r} to predict.")
    y = frame[target]
    if y.isna().all():
        raise DataError(f"The target column {target!r} is empty.")
    if task == "regression":
        if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
            converted = _as_numeric(y)
            if converted is None:
                raise DataError(
                    f"The target {target!r} holds text, and regression predicts numbers. "
                    "Pick a numeric column, or use a classification page for labels."
                )
            bad = int(converted.isna().sum() - y.isna().sum())
            notes.append(f"Read the target {target!r} as numbers ({bad} cells were not).")
            y = converted
        y = y.astype(float)
        infinite = int(np.isinf(y).sum())
        if infinite:
            # An infinite target cannot be fitted or scored: such rows count as missing.
            y = y.where(np.isfinite(y) | y.isna())
            notes.append(
                f"Dropped {infinite} row(s) whose target {target!r} is infinite (inf or -inf)."
            )
        if y.nunique(dropna=True) < 2:
            raise DataError(
                f"The target {target!r} has the same value in every row, so there is nothing "
                "to learn. Pick another column."
            )
        if y.nunique(dropna=True) == 2:
            raise DataError(
                f"The target {target!r} takes only two values: it is a class label, which a "
                "classification page models properly."
            )
    else:
        classes = y.nunique(dropna=True)
        if classes < 2:
            raise DataError(
                f"The target {target!r} has only one class, so there is nothing to tell "
                "apart. Pick a column with at least two classes."
            )
        if classes > MAX_CLASSES:
            raise DataError(
                f"The target {target!r} has {classes} distinct values; classification here "
                f"allows at most {MAX_CLASSES}. It looks like a number to predict: use a "
                "regression page."
            )
        if y.value_counts().min() < 2:
            rare = y.value_counts()
            rare = ", ".join(map(str, rare[rare < 2].index))
            raise DataError(
                f"Each class of {target!r} needs at least two rows to be split into training "
                f"and test rows; too rare: {rare}."
            )
    return y


def make_dataset(
    frame: pd.DataFrame,
    target: str,
    task: Task,
    name: str,
    description: str = "",
    notes: tuple[str, ...] = (),
    true_coef: dict[str, float] | None = None,
    true_intercept: float | None = None,
) -> Dataset:
    """Turn a table into numeric features and a target, explaining every change.

    Columns entirely missing or constant are dropped; text columns are read as numbers when
    nearly all cells are numbers, one-hot encoded when they have at most ``MAX_CATEGORIES``
    levels (first level as the reference), and dropped otherwise. Rows with a missing target
    are dropped. Missing feature values stay NaN: the fit pipeline imputes them with
    training-set medians, and a note says so.

    Parameters
    ----------
    frame : DataFrame
        The raw table.
    target : str
        The column to predict.
    task : {"regression", "classification"}
        What the target must be.
    name, description : str
        Shown on the page.
    notes : tuple of str
        Notes from loading, kept in front of the new ones.
    true_coef : dict, optional
        Generating coefficients by column, kept for the features that survive.
    true_intercept : float, optional
        Generating intercept.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        With a complete sentence, when the table cannot serve ``task``.
    """
    notes_out = list(notes)
    y = _prepare_target(frame, target, task, notes_out)
    keep = y.notna()
    if not keep.all():
        notes_out.append(f"Dropped {int((~keep).sum())} rows whose target {target!r} is missing.")
    features = frame.loc[keep].drop(columns=[target])
    y = y.loc[keep]
    if task == "classification":
        # Plain labels for scikit-learn: whole numbers as int64 (1.0 -> 1), anything else text.
        # Only numbers int64 holds exactly become integers: 1e308 would wrap around, and
        # every such label would become the same class.
        numeric = pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)
        whole = numeric and (y % 1 == 0).all() and (y.abs() < 2**53).all()
        y = y.astype(np.int64) if whole else y.astype(str)

    columns: dict[str, pd.Series] = {}
    dropped_empty, dropped_constant, dropped_text, encoded, coerced = [], [], [], [], []
    dropped_infinite: list[str] = []
    for col in features.columns:
        column = features[col]
        label = str(col)
        if column.isna().all():
            dropped_empty.append(label)
            continue
        if column.nunique(dropna=True) < 2:
            dropped_constant.append(label)
            continue
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            values = column.astype(float)
            infinite = np.isinf(values)
            if infinite.any():
                # An infinite cell cannot be fitted; treat it as missing and say so.
                values = values.mask(infinite)
                dropped_infinite.append(f"{label} ({int(infinite.sum())})")
            columns[label] = values
        else:
            numeric = _as_numeric(column)
            if numeric is not None:
                coerced.append(label)
                columns[label] = numeric
            elif column.nunique(dropna=True) <= MAX_CATEGORIES:
                levels = sorted(column.dropna().astype(str).unique())
                encoded.append(f"{label} (reference level {levels[0]!r})")
                text = column.astype("string")
                for level in levels[1:]:
                    dummy = (text == level).astype(float)
                    dummy[text.isna()] = np.nan
                    name = f"{label}={level}"
                    while name in columns or name in features.columns:
                        name += "'"  # a real column already has this name
                    columns[name] = dummy
            else:
                dropped_text.append(label)
    if dropped_empty:
        notes_out.append("Dropped columns with no values: " + ", ".join(dropped_empty) + ".")
    if dropped_constant:
        notes_out.append(
            "Dropped constant columns (they carry no information): "
            + ", ".join(dropped_constant)
            + "."
        )
    if coerced:
        notes_out.append(
            "Read as numbers, with the few non-numeric cells treated as missing: "
            + ", ".join(coerced)
            + "."
        )
    if encoded:
        notes_out.append("One-hot encoded text columns: " + ", ".join(encoded) + ".")
    if dropped_text:
        notes_out.append(
            f"Dropped text columns with more than {MAX_CATEGORIES} distinct values (names, "
            "ids or free text cannot be coefficients): " + ", ".join(dropped_text) + "."
        )
    if dropped_infinite:
        notes_out.append("Treated infinite values as missing: " + ", ".join(dropped_infinite) + ".")
    if len(columns) > MAX_FEATURES:
        raise DataError(
            f"After encoding text columns there are {len(columns)} features; the limit is "
            f"{MAX_FEATURES}. Drop columns with many categories, or upload fewer columns."
        )
    if len(columns) * len(features) > MAX_CELLS:
        raise DataError(
            f"{len(features):,} rows by {len(columns)} features is more than this app holds "
            f"({MAX_CELLS:,} values after encoding). Upload a sample of the rows or fewer "
            "columns."
        )
    if not columns:
        raise DataError(
            f"No usable feature columns are left besides the target {target!r}. A model needs "
            "at least one numeric or categorical column."
        )
    X = pd.DataFrame(columns, index=features.index)
    if len(X) < 5:
        raise DataError(f"Only {len(X)} usable rows: at least 5 are needed to fit and score.")
    missing = X.isna().sum()
    if missing.any():
        cols = ", ".join(f"{c} ({n})" for c, n in missing[missing > 0].items())
        notes_out.append(
            "Missing feature values are imputed with the training rows' median of each "
            f"column: {cols}."
        )
    X = X.reset_index(drop=True)
    y = y.reset_index(drop=True).rename(target)
    truth = None
    if true_coef is not None:
        known = {c: true_coef[c] for c in X.columns if c in true_coef}
        if len(known) == X.shape[1]:
            truth = pd.Series(known, name="true_coef")
    return Dataset(
        name=name,
        task=task,
        X=X,
        y=y,
        description=description,
        notes=tuple(notes_out),
        true_coef=truth,
        true_intercept=true_intercept if truth is not None else None,
    )


def load_dataset(
    dataset_id: str, task: Task, target: str | None = None, seed: int = 0, **options: Any
) -> Dataset:
    """Load a registered data set and prepare it for ``task``.

    The true coefficients of a generated set are kept only when its own target is predicted.
    """
    spec = get_dataset_spec(dataset_id)
    table = load_table(dataset_id, seed=seed, **options)
    target = target or table.default_target
    is_default = target == table.default_target
    return make_dataset(
        table.frame,
        target,
        task,
        name=spec.label,
        description=table.description,
        true_coef=table.true_coef if is_default else None,
        true_intercept=table.true_intercept if is_default else None,
    )
