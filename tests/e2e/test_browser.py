"""Headless Chromium against a real server: links, every page, and a bad upload.

The shared-link test comes first on purpose: it is the first request the fresh server gets.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from core.registry import FAMILIES

pytestmark = pytest.mark.e2e

PAGES = [("", "Parameter Lab")] + [(f.id, f.title) for f in FAMILIES]


def settle(page: Page, heading: str) -> None:
    """Wait until the page's own script has run to the end."""
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible(timeout=60_000)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000
    )


def test_shared_link_restores_the_setting(page: Page, app_url: str):
    page.goto(f"{app_url}/linear_regression?dataset=longley&estimator=lasso&alpha=10")
    settle(page, "Linear regression")
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    # The first request after a server start is a deep link: it must still run app.py's
    # navigation (not Streamlit's legacy folder-based pages), so the sidebar lists titles.
    titles = ["Home"] + [f.title for f in FAMILIES]
    links = page.locator("[data-testid='stSidebarNavLink']")
    expect(links).to_have_count(len(titles))
    for link, title in zip(links.all(), titles, strict=True):
        expect(link).to_contain_text(title)  # after the Material icon's ligature name
    expect(page.get_by_role("combobox", name="Estimator")).to_have_value("lasso")
    expect(page.get_by_role("combobox", name="Data set")).to_have_value("longley")
    expect(page.get_by_role("spinbutton", name="alpha (penalty strength)")).to_have_value("10")
    expect(page.get_by_text("Longley", exact=False).first).to_be_visible()


@pytest.mark.parametrize(("path", "heading"), PAGES, ids=[p or "home" for p, _ in PAGES])
def test_page_opens_without_exception(page: Page, app_url: str, path: str, heading: str):
    page.goto(f"{app_url}/{path}")
    settle(page, heading)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    if path:
        expect(page.get_by_text("Parameters the model learned")).to_be_visible()
        expect(page.locator("[data-testid='stPlotlyChart']").first).to_be_visible()


def test_bad_upload_shows_a_message_not_a_traceback(page: Page, app_url: str):
    page.goto(f"{app_url}/linear_regression?dataset=upload")
    settle(page, "Linear regression")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": b"a,b\n1,2\n3,4,5\n"}]
    )
    expect(page.get_by_text("could not be read as a table")).to_be_visible(timeout=30_000)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


def test_logistic_link_with_no_penalty_then_a_new_c(page: Page, app_url: str):
    page.goto(f"{app_url}/logistic_regression?dataset=iris&C=inf&max_iter=2000")
    settle(page, "Logistic regression")
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    expect(page.get_by_role("textbox", name="C (inverse penalty strength)")).to_have_value("inf")
    expect(page.get_by_text("Decision boundary on two features")).to_be_visible()
    # Change C in the browser: the page refits and the link box follows.
    box = page.get_by_role("textbox", name="C (inverse penalty strength)")
    box.fill("0.05")
    box.press("Enter")
    expect(page.locator("[data-testid='stCode']").filter(has_text="C=0.05").first).to_be_visible(
        timeout=30_000
    )
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
