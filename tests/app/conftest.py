"""AppTest fixtures: a fresh app per test, with Streamlit's caches emptied between tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from ui.cache import clear_caches

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(autouse=True)
def _empty_caches():
    clear_caches()
    yield
    clear_caches()


#: The URL key of a family page's open tab (``ui.family_page.VIEW_KEY``).
VIEW = "view"


@pytest.fixture
def open_page():
    """Open a page of the app, optionally with URL query parameters, and run it.

    ``view="Sweeps"`` opens that tab of a family page, as a link does: only the open tab's
    content is drawn.
    """

    def _open(page: str | None = None, **query: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        if page:
            at.switch_page(page)
        if query:
            at.query_params.update(query)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        if VIEW in query:
            assert query[VIEW] in [t.label for t in at.tabs], [t.label for t in at.tabs]
        return at

    return _open


@pytest.fixture
def open_tab():
    """Switch an open family page to another tab (through its URL key) and run it again."""

    def _open_tab(at: AppTest, label: str) -> AppTest:
        labels = [t.label for t in at.tabs]
        assert label in labels, labels
        # A bound widget follows the URL only while it holds no state of its own, and the
        # URL leaves the default tab out: set the tab's state and the URL as a click would.
        at.session_state[VIEW] = label
        if label == labels[0]:
            at.query_params.pop(VIEW, None)
        else:
            at.query_params[VIEW] = label
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return _open_tab


@pytest.fixture
def downloads(monkeypatch):
    """Every file a download button hands to Streamlit in a test, by file name."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if filename is not None and isinstance(path_or_data, bytes):
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return files
