"""Shared code asks what a family can do and never which family it is.

The shared modules (``core``'s top level, ``core/linear``, ``core/data``, ``ui``'s top level
and ``ui/linear``) must not name a family (its id as a string, or an import of its package),
compare against a path tracer's name (a capability is an object to call, not a tag to switch
on), or name a scikit-learn estimator class (an estimator is built through its
``EstimatorSpec``). Docstrings and comments may name anything. Each exception below says why.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from core.linear.tracers import PATH_METHODS
from core.registry import ALL_FAMILIES

ROOT = Path(__file__).resolve().parents[2]
SHARED = ("core", "core/linear", "core/data", "core/risk", "ui", "ui/linear")

#: The family ids, and the names of the family packages (the same today).
FAMILY_IDS = frozenset(
    {f.id for f in ALL_FAMILIES}
    | {p.name for p in (ROOT / "core" / "families").iterdir() if (p / "__init__.py").is_file()}
)
#: The tracers' names: stable keys for a path's ``method``, never to compare against.
PATH_KINDS = frozenset(PATH_METHODS)
#: scikit-learn estimator classes of the families.
ESTIMATOR_CLASS = re.compile(
    r"^(Ridge|Lasso|ElasticNet|LinearRegression|LogisticRegression)(CV)?$"
    r"|^MLP(Classifier|Regressor)$|^DecisionTree|^KNeighbors|^SGD(Classifier|Regressor)"
)

#: Modules that name families by design.
EXEMPT: dict[str, str] = {"core/registry.py": "the registry lists the families, one line each"}
#: (module, what it names) pairs that are allowed, with the reason.
ALLOWED: dict[tuple[str, str], str] = {
    # The descent page's view keys (surface, optimiser, epochs) are declared in its package
    # and imported by the link registry; they belong in the family's own link declarations.
    ("core/links.py", "import core.families.gradient_descent"): "descent view keys (to move)",
    # Double descent checks what scikit-learn's own least squares returns when p > n (the
    # minimum-norm solution): the class itself is the subject, not a family's estimator.
    ("core/risk/double_descent.py", "estimator LinearRegression"): "scikit-learn's lstsq checked",
}


def shared_modules(root: Path = ROOT) -> list[Path]:
    return sorted(p for folder in SHARED for p in (root / folder).glob("*.py"))


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string nodes that are docstrings."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                found.add(id(first.value))
    return found


def _family_in(text: str) -> str | None:
    for name in sorted(FAMILY_IDS):
        if re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text):
            return name
    return None


def findings(source: str) -> list[tuple[int, str]]:
    """(line, what) for every place the source names a family, a path kind or an estimator
    class, outside docstrings."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            name = _family_in(node.value) if id(node) not in docstrings else None
            if name:
                out.append((node.lineno, f"family {name}"))
        elif isinstance(node, ast.Compare):
            for part in ast.walk(node):
                if isinstance(part, ast.Constant) and part.value in PATH_KINDS:
                    out.append((node.lineno, f"path kind {part.value}"))
        elif isinstance(node, ast.ImportFrom | ast.Import):
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            modules += [a.name for a in node.names if isinstance(node, ast.Import)]
            for module in modules:
                parts = module.split(".")
                if parts[:2] == ["core", "families"] and len(parts) > 2:
                    out.append((node.lineno, f"import core.families.{parts[2]}"))
            for alias in node.names:
                if ESTIMATOR_CLASS.search(alias.name.split(".")[-1]):
                    out.append((node.lineno, f"estimator {alias.name}"))
        else:
            name = (
                node.id
                if isinstance(node, ast.Name)
                else node.attr
                if isinstance(node, ast.Attribute)
                else None
            )
            if name and ESTIMATOR_CLASS.search(name):
                out.append((node.lineno, f"estimator {name}"))
    return out


def violations(root: Path = ROOT) -> list[str]:
    out = []
    for path in shared_modules(root):
        module = path.relative_to(root).as_posix()
        if module in EXEMPT:
            continue
        for line, what in findings(path.read_text(encoding="utf-8")):
            if (module, what) not in ALLOWED:
                out.append(f"{module}:{line}: names {what}")
    return out


def test_the_shared_modules_are_found():
    names = {p.relative_to(ROOT).as_posix() for p in shared_modules()}
    assert {"core/linear/paths.py", "core/sweeps.py", "ui/family_page.py"} <= names
    assert {"core/data/prepare.py", "ui/linear/stability.py"} <= names
    assert not any(n.startswith("core/families/") for n in names)
    assert {"linear_regression", "logistic_regression", "decision_tree"} <= FAMILY_IDS
    assert {"ridge_svd", "enet_path", "warm_start"} == PATH_KINDS


def test_shared_code_names_no_family_path_kind_or_estimator_class():
    assert violations() == []


def test_every_exception_is_still_needed():
    """An allowance nothing uses any more is removed, so the list stays the truth."""
    used = set()
    for path in shared_modules():
        module = path.relative_to(ROOT).as_posix()
        used |= {(module, what) for _, what in findings(path.read_text(encoding="utf-8"))}
    assert set(ALLOWED) <= used, set(ALLOWED) - used
    assert all((ROOT / module).is_file() for module in EXEMPT)


@pytest.mark.parametrize(
    ("source", "what"),
    [
        ('if kind == "ridge_svd":\n    pass\n', "path kind ridge_svd"),
        ('ok = kind not in ("ridge_svd", "enet_path")\n', "path kind ridge_svd"),
        ('page = "linear_regression"\n', "family linear_regression"),
        ('link = f"/decision_tree?x={x}"\n', "family decision_tree"),
        ("from sklearn.linear_model import LinearRegression\n", "estimator LinearRegression"),
        ("isinstance(model, linear_model.LogisticRegression)\n", "estimator LogisticRegression"),
        ("model = DecisionTreeClassifier()\n", "estimator DecisionTreeClassifier"),
        (
            "from core.families.neural_network import layers\n",
            "import core.families.neural_network",
        ),
    ],
)
def test_each_kind_of_naming_is_caught(source, what):
    assert what in [w for _, w in findings(source)]


def test_docstrings_comments_and_lookalikes_pass():
    source = (
        '"""Ridge uses ridge_svd on linear_regression."""\n'
        "# LogisticRegression, warm_start, decision_tree\n"
        "def f(spec):\n"
        '    """Built by LinearRegression."""\n'
        '    method = "ridge_svd"  # a key, not a comparison\n'
        "    return RidgeSVD, spec.path.name, 'linear_regression_extra'\n"
    )
    assert findings(source) == []
