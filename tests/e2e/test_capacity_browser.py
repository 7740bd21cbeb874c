"""/capacity in a real browser (#23): readable at 1280 px, a small run from a link shows
its table and its numbers, and nothing runs before the click."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

HEADING = "Capacity: bias, variance and double descent"
SMALL = "bv_family=nearest_neighbors&bv_n=20&bv_repeats=3&dd_n=20&dd_repeats=3"


def _settle(page: Page) -> None:
    expect(page.get_by_role("heading", name=HEADING, level=1)).to_be_visible(timeout=60_000)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000
    )


def test_capacity_page_runs_a_small_setting_and_shows_numbers(page: Page, app_url: str):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{app_url}/capacity?{SMALL}")
    _settle(page)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    # The first screen: words, not ids, and nothing wider than the window.
    expect(page.get_by_role("combobox", name="Model family")).to_have_value("Nearest neighbours")
    expect(page.get_by_role("combobox", name="What is swept")).to_have_value(
        "its capacity hyperparameter"
    )
    expect(page.get_by_role("heading", name="Bias and variance from refits")).to_be_visible()
    wide = page.evaluate(
        "(() => { const m = document.querySelector(\"[data-testid='stMain']\");"
        " return m.scrollWidth - m.clientWidth; })()"
    )
    assert wide <= 0, f"{wide} px wider than the window"
    expect(page.locator("[data-testid='stDataFrame']")).to_have_count(0)
    button = page.get_by_role(
        "button", name=re.compile(r"^Run the refits \(\d+ fits, about \d+ s\)")
    )
    expect(button).to_be_visible()
    button.click()
    expect(page.locator("[data-testid='stDataFrame']")).to_have_count(1, timeout=60_000)
    # The grid's accessible table carries the values: the swept k, then the four columns.
    grid = page.locator("[data-testid='stDataFrame']")
    grid.scroll_into_view_if_needed()
    expect(grid.locator("th[role='columnheader']")).to_have_text(
        ["n_neighbors (k)", "bias²", "variance", "noise", "expected test MSE"]
    )
    expect(grid.locator("td[role='gridcell']").nth(1)).to_have_text(re.compile(r"^0\.\d+"))
    expect(grid.locator("td[role='gridcell']").nth(3)).to_have_text("0.09")
    expect(page.get_by_text(re.compile(r"lowest at n_neighbors = \d+: 0\.\d+"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"largest difference \d\.\d+e-\d+"))).to_be_visible()
    page.wait_for_function("document.querySelectorAll('[data-testid=stSkeleton]').length == 0")
    expect(page.locator("[data-testid='stPlotlyChart']").first).to_be_visible(timeout=60_000)
    # The second run, after its own click.
    page.get_by_role("button", name=re.compile(r"^Run the simulation")).click()
    expect(page.locator("[data-testid='stDataFrame']")).to_have_count(2, timeout=60_000)
    expect(page.get_by_text(re.compile(r"The peak at p = n\."))).to_be_visible()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"bv_family=nearest_neighbors"))
