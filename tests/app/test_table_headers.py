"""Words, not ids, in table headers (#24): a header a reader sees is the column's label from
its column config, else its name; none may read like code (``share_sign_flip``).
Hyperparameter names and scikit-learn attribute names (``coef_``) stay as they are."""

from __future__ import annotations

import json
import re
from pathlib import Path

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


def test_no_table_cell_reads_none(open_page):
    """A missing value shows as a grey "None" in an unstyled table. Every table goes through
    ui.tables.show_table, which shows a dash instead: on each family's first screen and in
    the Predict tab (where the intercept has no feature value and the sum no coefficient)."""
    from core.registry import FAMILIES
    from core.text import NOT_APPLICABLE

    root = Path(__file__).resolve().parents[2]
    direct = [
        str(path.relative_to(root))
        for folder in ("ui", "app_pages")
        for path in (root / folder).rglob("*.py")
        if path.name != "tables.py" and "st.dataframe(" in path.read_text()
    ]
    assert direct == []
    missing_shown = 0
    for family in FAMILIES:
        for query in ({}, {"view": "Predict"}):
            at = open_page(family.page_path, **query)
            assert at.dataframe, (family.id, query)
            for frame in at.dataframe:
                assert frame.proto.placeholder == NOT_APPLICABLE, (family.id, query)
                missing_shown += int(frame.value.isna().to_numpy().any())
    assert missing_shown  # the linear contributions table has cells that do not apply
