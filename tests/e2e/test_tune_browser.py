"""Headless Chromium: the Tune tab on every family page (#21). A link opens it with a search
set and runs nothing; a click runs it (loky workers of the real server) and shows the three
numbers and the surface; "Use these values" puts the chosen values in the link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from core.registry import FAMILIES
from tests.app.test_tune_tab import CASES, SMALL

pytestmark = pytest.mark.e2e

TITLES = {f.id: f.title for f in FAMILIES}


def no_exception(page: Page) -> None:
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


@pytest.mark.parametrize("family_id", list(CASES))
def test_a_tune_link_waits_for_the_click_then_shows_the_three_numbers(
    page: Page, app_url: str, family_id: str
):
    dataset, _, estimator, asked = CASES[family_id]
    query = "&".join(
        f"{k}={v}"
        for k, v in {"dataset": dataset, "estimator": estimator, **asked, **SMALL}.items()
    )
    page.goto(f"{app_url}/{family_id}?view=Tune&{query}")
    expect(page.get_by_role("tab", name="Tune")).to_have_attribute(
        "aria-selected", "true", timeout=60_000
    )
    run = page.get_by_role("button", name=re.compile(r"^Run the search \(about \d+ s\)"))
    expect(run).to_be_visible(timeout=60_000)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000
    )
    # Opening the link ran no search.
    expect(page.get_by_text("Nested-CV estimate (honest)")).to_have_count(0)
    no_exception(page)
    run.click()
    for label in (
        "Best inner-CV score (optimistic)",
        "Nested-CV estimate (honest)",
        "Test score (touched once)",
    ):
        expect(page.get_by_text(label)).to_be_visible(timeout=120_000)
    expect(page.get_by_text("What each outer fold chose")).to_be_visible()
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=60_000)
    no_exception(page)
    use = page.get_by_role("button", name=re.compile(r"^Use these values"))
    expect(use).to_be_visible()
    if use.is_enabled():
        use.click()
        expect(use).to_be_disabled(timeout=60_000)  # the chosen values are now the page's
        expect(page).to_have_url(re.compile(rf"[?&]{asked['tune']}="))
        no_exception(page)
