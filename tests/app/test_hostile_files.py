"""Strangers' CSV files on every family page: a sentence or a stated repair, never a
traceback, and the page then works on a built-in data set. The corpus is in
tests/data/hostile_files; files around the size limit are made here."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.data.uploads import MAX_UPLOAD_BYTES
from core.registry import FAMILIES

APP = str(Path(__file__).resolve().parents[2] / "app.py")
CORPUS = sorted((Path(__file__).resolve().parents[1] / "data" / "hostile_files").iterdir())


def _upload(family, name: str, data: bytes) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(family.page_path)
    at.query_params["dataset"] = "upload"
    at.run()
    at.file_uploader(key="upload").set_value((name, data, "text/csv")).run()
    return at


def _outcome(at: AppTest) -> str | None:
    """Why the page failed the rule, or None when it showed parameters or a message."""
    if at.exception:
        return at.exception[0].value[:300]
    learned = "Parameters the model learned" in [h.value for h in at.subheader]
    said = bool(at.error or at.warning or at.info)
    return None if learned or said else "neither parameters nor a message"


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 40


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.id)
def test_every_hostile_file_is_a_message_or_a_stated_repair(family):
    failures = []
    for path in CORPUS:
        at = _upload(family, path.name, path.read_bytes())
        problem = _outcome(at)
        if problem:
            failures.append((path.name, problem))
    assert failures == []


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.id)
def test_after_a_broken_file_a_built_in_set_works(family):
    at = _upload(family, "binary.csv", (CORPUS[0].parent / "binary.csv").read_bytes())
    assert at.error and not at.exception
    at.selectbox(key="dataset").set_value(family.default_dataset).run()
    assert not at.exception
    assert "Parameters the model learned" in [h.value for h in at.subheader]


def test_html_in_names_and_cells_is_shown_as_text():
    family = FAMILIES[0]
    at = _upload(family, "html.csv", (CORPUS[0].parent / "html_names.csv").read_bytes())
    assert not at.exception
    shown = " ".join(m.value for m in (*at.markdown, *at.caption, *at.info, *at.warning))
    assert "<img" not in shown.replace("\\<img", "")  # markdown escapes the bracket


@pytest.mark.parametrize(
    ("size", "refused"), [(MAX_UPLOAD_BYTES - 1_000, False), (MAX_UPLOAD_BYTES + 1, True)]
)
def test_files_around_the_size_limit(size, refused):
    row = b"1.25,2.5,3.75\n"
    data = b"x1,x2,y\n" + row * ((size - 8) // len(row))
    data += b"1" * (size - len(data))  # pad the last row to the exact size
    assert len(data) == size
    at = _upload(FAMILIES[0], "big.csv", data)
    assert not at.exception
    text = " ".join(e.value for e in at.error)
    assert ("limit" in text) == refused
