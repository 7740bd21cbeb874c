"""Odd and hostile links on every family page: a sentence, never a traceback, and the page
keeps working. The link corpus lives in tests/data/hostile_links.txt."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from streamlit.testing.v1 import AppTest

from core.data.catalogue import DATASETS
from core.links import link_registry
from core.registry import FAMILIES
from core.setting import DATA_SETTINGS

APP = str(Path(__file__).resolve().parents[2] / "app.py")
CORPUS = Path(__file__).resolve().parents[1] / "data" / "hostile_links.txt"


def _links() -> list[str]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


LINKS = _links()
#: Keys every page reads besides its own (the open tab, the free-text target, the task).
PAGE_KEYS = {"view", "target", "task"}


#: Every page that reads a link: the family pages (every key of the link registry), and the
#: all-families page (data keys).
PAGES = [(f.page_path, set(link_registry(f))) for f in FAMILIES] + [
    (
        "app_pages/families.py",
        {s.name for s in DATA_SETTINGS}
        | {"dataset"}
        | {o.name for d in DATASETS for o in d.options},
    )
]


def _relevant(link: str, names: set[str]) -> bool:
    """Whether the link names a key the page reads (others are ignored alike)."""
    keys = {k for k, _ in parse_qsl(link, keep_blank_values=True)}
    return bool(keys & (names | PAGE_KEYS))


def test_the_corpus_is_large_enough():
    assert len(LINKS) >= 100


@pytest.mark.parametrize(("path", "names"), PAGES, ids=[p.split("/")[-1][:-3] for p, _ in PAGES])
def test_every_hostile_link_is_a_message_on_every_page(path, names):
    """Each link opens without an exception; a bad value is named or replaced, and the
    fit still shows its learned parameters (or a sentence says why it cannot)."""
    failures = []
    links = [link for link in LINKS if _relevant(link, names)]
    assert len(links) >= 60
    for link in links:
        at = AppTest.from_file(APP, default_timeout=60)
        at.switch_page(path)
        at.query_params.update(dict(parse_qsl(link, keep_blank_values=True)))
        at.run()
        if at.exception:
            failures.append((link, at.exception[0].value[:300]))
            continue
        shown = bool(at.dataframe) or "Parameters the model learned" in [
            h.value for h in at.subheader
        ]
        if not shown and not (at.error or at.info):
            failures.append((link, "neither parameters nor a message"))
    assert failures == []


def test_an_overflowing_seed_is_named_and_gone(open_page):
    at = open_page("app_pages/linear_regression.py", seed="inf", alpha="3")
    notes = [w.value for w in at.warning]
    assert any("seed='inf' was ignored" in n and "0 is used instead" in n for n in notes)
    assert at.number_input(key="seed").value == 0
    assert at.number_input(key="alpha").value == 3.0
    at.run()  # a rerun does not meet the bad value again
    assert not at.exception


def test_spelled_out_booleans_and_unknown_targets_are_named(open_page):
    at = open_page("app_pages/linear_regression.py", fit_intercept="yes", scale="0", target="nope")
    notes = " ".join(w.value for w in at.warning)
    assert "fit\\_intercept='yes' was ignored" in notes
    assert "scale='0' was ignored" in notes
    assert "target='nope' was ignored" in notes


def test_a_long_value_is_quoted_short(open_page):
    at = open_page("app_pages/linear_regression.py", alpha="9" * 5000)
    note = next(w.value for w in at.warning if "alpha" in w.value)
    assert len(note) < 400


def test_a_slow_link_asks_before_fitting(open_page, monkeypatch):
    import ui.family_page

    monkeypatch.setattr(ui.family_page, "LONG_WORK_SECONDS", 1e-6)
    at = open_page(
        "app_pages/logistic_regression.py",
        C="inf",
        solver="sag",
        max_iter="3000",
        tol="1e-12",
        dataset="breast_cancer",
    )
    assert any("would take about" in i.value for i in at.info)
    assert "Parameters the model learned" not in [h.value for h in at.subheader]
    at.button(key="fit_anyway").click().run()
    assert not at.exception
    assert "Parameters the model learned" in [h.value for h in at.subheader]


def test_few_training_rows_limit_the_folds_with_a_sentence(open_page):
    at = open_page(
        "app_pages/linear_regression.py", dataset="longley", test_size="0.8", view="Sweeps"
    )
    assert not at.exception
    texts = " ".join(m.value for m in (*at.info, *at.markdown, *at.caption))
    assert "fold" in texts.lower()
