"""What a neighbour search costs: the family's time estimate, one model for every k-NN view.

A k-NN fit only stores its rows; its time is in predicting, where every query row is
compared with stored rows. How many, and at what price per pair, depends on the settings
the page offers:

- the search: ``brute`` compares with every stored row, so its time grows with rows²;
  ``kd_tree`` and ``ball_tree`` visit a share of them that is small with few features and
  grows with many (from about a dozen features on they visit nearly every row, with a
  walk through the index on top, which costs the more the smaller ``leaf_size`` is);
- the distance: euclidean (brute force uses matrix products), the absolute-value ones
  (manhattan, chebyshev, minkowski with p = 1), and a Minkowski power other than 1 and 2,
  which takes a power per feature and is about a hundred times dearer than euclidean.

The constants were measured on the project's 2-core host, one thread, on Gaussian data
(:mod:`benchmarks.bench_knn_cost` prints the estimate beside the measured time). They are
meant to err high: on data with fewer effective dimensions than columns the trees prune
more than the model says, and the estimate asks for a click that a faster search did not
need, never the other way round.
"""

from __future__ import annotations

import math
from typing import Any

#: Nanoseconds per (query row, stored row) pair: (per feature, fixed) for each search
#: family and distance kind. Brute-force euclidean uses matrix products (cheap per
#: feature); a power other than 1 or 2 costs a ``pow`` per feature on every path.
PAIR_NS = {
    ("brute", "euclidean"): (0.4, 8.0),
    ("brute", "absolute"): (2.5, 15.0),
    ("brute", "power"): (40.0, 40.0),
    ("tree", "euclidean"): (2.5, 16.0),
    ("tree", "absolute"): (2.5, 16.0),
    ("tree", "power"): (50.0, 50.0),
}
#: Nanoseconds per feature for each index node a tree query passes through (its bounds:
#: a box for a kd tree, a ball, whose distance takes the metric's power, for a ball tree).
NODE_NS = {
    ("kd_tree", "euclidean"): 22.0,
    ("kd_tree", "absolute"): 22.0,
    ("kd_tree", "power"): 34.0,
    ("ball_tree", "euclidean"): 7.0,
    ("ball_tree", "absolute"): 7.0,
    ("ball_tree", "power"): 47.0,
}
#: A tree query's fixed cost (its heap, its first descent), in nanoseconds.
TREE_QUERY_NS = 1500.0
#: A kd tree with ``d`` features visits about this many times ``n ** (1 - 2 / d)`` of its
#: ``n`` rows (so nearly all of them from about a dozen features on)...
VISIT_SCALE = 3.0
#: ...and this many times ``3 k + leaf_size`` rows near the query.
NEAR_ROWS = 3.5
#: A ball tree visits about this many times the rows a kd tree does (its balls overlap).
BALL_VISITS = 6.0
#: Nanoseconds per (stored row, feature, tree level) to build an index.
BUILD_NS = 50.0
#: The share of test rows a fit's scoring is taken to predict besides its training rows
#: (the pages' default test share; the estimate sees only the training rows).
TEST_SHARE = 0.25
#: Seconds of every fit however small: the pipeline's steps, one call to predict, scoring
#: (4-15 ms on the 2-core host, quiet to busy).
FIT_OVERHEAD = 0.008


def distance_kind(values: dict[str, Any]) -> str:
    """``"euclidean"``, ``"absolute"`` (manhattan, chebyshev, Minkowski p = 1) or
    ``"power"`` (a Minkowski power other than 1 and 2)."""
    metric = values.get("metric", "minkowski")
    p = float(values.get("p", 2.0))
    if metric == "euclidean" or (metric == "minkowski" and p == 2.0):
        return "euclidean"
    if metric in ("manhattan", "chebyshev") or p == 1.0:
        return "absolute"
    return "power"


def search_used(values: dict[str, Any], n_stored: int, n_features: int) -> str:
    """The search scikit-learn runs: ``algorithm``, with ``auto`` resolved as
    ``KNeighbors*.fit`` resolves it (brute force beyond 15 features or when k is at least
    half the stored rows, else a kd tree: every distance this page offers is one)."""
    algorithm = str(values.get("algorithm", "auto"))
    if algorithm != "auto":
        return algorithm
    k = int(values.get("n_neighbors", 5))
    if n_features > 15 or k >= n_stored // 2:
        return "brute"
    return "kd_tree"


def _levels(n_stored: int, leaf_size: int) -> int:
    """Levels of scikit-learn's binary tree over ``n_stored`` rows (``_binary_tree``)."""
    return 1 + int(math.log2(max(1.0, (n_stored - 1) / max(1, leaf_size))))


def visited_rows(search: str, n_stored: int, n_features: int, leaf_size: int, k: int) -> float:
    """Stored rows one query compares itself with.

    All of them for brute force. For a kd tree, the rows pruning leaves, fitted to
    timings on Gaussian data: :data:`VISIT_SCALE` × ``n ** (1 - 2 / d)`` with ``d``
    features (nearly every row from about a dozen features on), more for a larger ``k``
    or ``leaf_size``, plus :data:`NEAR_ROWS` × ``(3 k + leaf_size)`` rows near the query.
    A ball tree's balls overlap: it visits :data:`BALL_VISITS` times as many.
    """
    if search == "brute":
        return float(n_stored)
    reach = 3 * k + leaf_size
    d = max(1, n_features)
    spread = VISIT_SCALE * math.sqrt(reach / 45) * n_stored ** (1 - 2 / d)
    visited = spread + NEAR_ROWS * reach
    if search == "ball_tree":
        visited *= BALL_VISITS
    return float(min(n_stored, visited))


def query_seconds(values: dict[str, Any], n_stored: int, n_features: int, n_queries: int) -> float:
    """Seconds to find the neighbours of ``n_queries`` rows among ``n_stored`` ones.

    Parameters
    ----------
    values : dict
        The setting's hyperparameters (``algorithm``, ``leaf_size``, ``metric``, ``p``,
        ``n_neighbors``; scikit-learn's defaults when absent).
    n_stored, n_features : int
        The stored rows and their features.
    n_queries : int
        Rows predicted.
    """
    search = search_used(values, n_stored, n_features)
    kind = distance_kind(values)
    k = int(values.get("n_neighbors", 5))
    leaf = int(values.get("leaf_size", 30))
    rows = visited_rows(search, n_stored, n_features, leaf, k)
    per_feature, per_pair = PAIR_NS[("brute" if search == "brute" else "tree", kind)]
    per_query = rows * (n_features * per_feature + per_pair)
    if search != "brute":
        levels = _levels(n_stored, leaf)
        nodes = (2**levels - 1) * rows / max(1, n_stored) + levels
        per_query += TREE_QUERY_NS + nodes * n_features * NODE_NS[(search, kind)]
    return float(n_queries) * per_query * 1e-9


def index_seconds(values: dict[str, Any], n_stored: int, n_features: int) -> float:
    """Seconds to build the search index (none for brute force, which only keeps the rows)."""
    search = search_used(values, n_stored, n_features)
    if search == "brute":
        return 0.0
    leaf = int(values.get("leaf_size", 30))
    return n_stored * n_features * _levels(n_stored, leaf) * BUILD_NS * 1e-9


def search_seconds(estimator_id: str, values: dict[str, Any], X_train: Any, y_train: Any) -> float:
    """The family's ``estimate_seconds``: one fit and its scoring.

    Fitting stores the rows (and builds the index a tree search uses); scoring predicts
    every row of the data set against the stored ones (:func:`query_seconds`): the
    training rows and, taken at the page's default :data:`TEST_SHARE`, the test rows;
    twice for the classifier (its classes, then their probabilities). Plus
    :data:`FIT_OVERHEAD`.
    """
    n_rows, n_features = X_train.shape
    searches = 2 if estimator_id == "knn_classifier" else 1
    queries = round(n_rows / (1 - TEST_SHARE))
    return (
        FIT_OVERHEAD
        + index_seconds(values, n_rows, n_features)
        + searches * query_seconds(values, n_rows, n_features, queries)
    )
