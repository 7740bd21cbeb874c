"""Words, not ids, in table headers (#24): a header a reader sees is the column's label from
its column config, else its name; none may read like code (``share_sign_flip``).
Hyperparameter names and scikit-learn attribute names (``coef_``) stay as they are."""

from __future__ import annotations

import json
import re

from tests.app.page_helpers import run_if_asked

#: Names a header may keep: the data's own words that happen to hold an underscore.
_CODE = re.compile(r"^[a-z]+(_[a-z]+)+$")


def shown_headers(frame) -> list[str]:
    """What the browser shows above each column of an AppTest dataframe."""
    config = json.loads(frame.proto.columns or "{}")
    return [str(config.get(str(c), {}).get("label") or c) for c in frame.value.columns]


def code_like(headers: list[str]) -> list[str]:
    return [h for h in headers if _CODE.match(h)]


def test_the_stability_tables_read_as_words(open_page):
    at = open_page("app_pages/linear_regression.py", view="Stability", n_resamples="10")
    spread = next(f for f in at.dataframe if "share_sign_flip" in f.value.columns)
    headers = shown_headers(spread)
    assert "share with the other sign" in headers and "feature SD" in headers
    assert code_like(headers) == []


def test_the_tree_pruning_table_reads_as_words(open_page):
    at = run_if_asked(open_page("app_pages/decision_tree.py", view="Depth"))
    pruning = next(f for f in at.dataframe if "total_leaf_impurity" in f.value.columns)
    headers = shown_headers(pruning)
    assert "total leaf impurity" in headers
    assert code_like([h for h in headers if h != "ccp_alpha"]) == []  # a hyperparameter


def test_the_neighbours_table_reads_as_words(open_page):
    at = open_page("app_pages/nearest_neighbors.py", view="Predict")
    votes = next(f for f in at.dataframe if "stored row" in f.value.columns)
    headers = shown_headers(votes)
    assert "stored row" in headers and code_like(headers) == []


def test_no_table_cell_on_a_first_screen_reads_none(open_page):
    """A missing value shows as a grey "None" in a table: every first-screen table says what
    stands there instead (a dash, 0, words)."""
    from core.registry import FAMILIES

    for family in FAMILIES:
        at = open_page(family.page_path)
        for frame in at.dataframe:
            missing = frame.value.isna()
            assert not missing.to_numpy().any(), (
                family.id,
                list(frame.value.columns),
                frame.value[missing.any(axis=1)].to_dict("records"),
            )
