"""The built-in and generated data sets: one registry entry per set, with its loader."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn import datasets as skdata

from core.data.tables import DataError, DatasetSpec, Table, Task
from core.specs import ParamSpec


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
