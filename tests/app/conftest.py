"""AppTest fixtures: a fresh app per test, with Streamlit's caches emptied between tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.cache import clear_caches

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(autouse=True)
def _empty_caches():
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def open_page():
    """Open a page of the app, optionally with URL query parameters, and run it."""

    def _open(page: str | None = None, **query: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        if page:
            at.switch_page(page)
        if query:
            at.query_params.update(query)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return _open
