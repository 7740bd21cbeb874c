"""Headless Chromium: the Predict tab (#22) on every family page, an edit typed into the
what-if editor going to the link, and the network's activation diagram, saved as a
screenshot to :data:`SCREENSHOT` to be checked by eye."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core.registry import FAMILIES

pytestmark = pytest.mark.e2e

#: Where the activation diagram's screenshot goes.
SCREENSHOT = Path("/tmp/predict_network.png")


def settle(page: Page, heading: str) -> None:
    """Wait until the page's script has run to the end and every placeholder is drawn."""
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible(timeout=60_000)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000
    )
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=stSkeleton]').length == 0", timeout=60_000
    )


def no_exception(page: Page) -> None:
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


@pytest.mark.parametrize("family", FAMILIES, ids=[f.id for f in FAMILIES])
def test_the_predict_tab_opens_on_every_family(page: Page, app_url: str, family):
    page.goto(f"{app_url}/{family.id}?view=Predict&row_set=test&row=2")
    settle(page, family.title)
    expect(page.get_by_role("tab", name="Predict")).to_have_attribute(
        "aria-selected", "true", timeout=60_000
    )
    expect(page.get_by_text("What if: change this row's values")).to_be_visible()
    prediction = page.locator("[data-testid='stMetric']").filter(has_text="Prediction")
    expect(prediction).to_be_visible()
    expect(page.locator("[data-testid='stMetric']").filter(has_text="Actual")).to_be_visible()
    expect(page.get_by_text("Where this row's values sit among the training rows")).to_be_visible()
    no_exception(page)


def test_an_edit_typed_in_the_editor_goes_to_the_link_and_says_what_changed(
    page: Page, app_url: str
):
    page.goto(f"{app_url}/linear_regression?view=Predict&row_set=test&row=3")
    settle(page, "Linear regression")
    box = page.get_by_role("spinbutton", name="bmi")
    expect(box).to_be_visible(timeout=60_000)
    box.fill("40")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"edit=%7B%22bmi%22%3A40\.0%7D"), timeout=60_000)
    expect(page.get_by_text("What changed.")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("bmi's contribution (as fitted) moved", exact=False)).to_be_visible()
    no_exception(page)
    # Opening that link again restores the edit.
    page.goto(page.url)
    settle(page, "Linear regression")
    expect(page.get_by_role("spinbutton", name="bmi")).to_have_value("40", timeout=60_000)
    expect(page.get_by_text("What changed.")).to_be_visible()


def test_the_networks_activation_diagram_is_drawn_and_saved(page: Page, app_url: str):
    page.goto(f"{app_url}/neural_network?view=Predict&row_set=test&row=0")
    settle(page, "Neural network")
    chart = page.locator("[data-testid='stPlotlyChart']").filter(
        has_text="Activations for this row"
    )
    expect(chart).to_be_visible(timeout=60_000)
    expect(chart.locator(".scatterlayer .point").first).to_be_visible(timeout=60_000)
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000
    no_exception(page)
