"""The task part of a generated script: preparing the target, the split, naming outputs and
scoring, per task."""

from __future__ import annotations

from dataclasses import dataclass

from core.data.tables import Task


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

FIT_CODE = """# --- split: the same rows as the app (core.fitting.split_data) ---
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
