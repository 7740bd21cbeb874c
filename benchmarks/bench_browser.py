"""How long a fresh browser takes to draw a page completely, against a minimal app.

Each sample opens a new browser context (no cache, as a first visit) and times from
navigation until the page is complete: the script has finished, no skeleton placeholder is
left, and every plotly chart has drawn its SVG. The control app (one title, one table, one
plotly chart) is timed round-robin with the pages, by the same browser, in the same run.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from benchmarks import Row
from benchmarks.streamlit_server import CHROMIUM_ARGS, streamlit_server

TITLE = "Fresh browser: a page's first screen drawn completely"
MAX_RATIO = 1.3
CHROMIUM = "/usr/bin/chromium"

#: Every chart drawn, no placeholder left, the script done.
COMPLETE = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  if (document.querySelector("[data-testid='stSkeleton']")) return false;
  const charts = document.querySelectorAll("[data-testid='stPlotlyChart']");
  for (const chart of charts) { if (!chart.querySelector(".main-svg")) return false; }
  return document.querySelector("h1") !== null;
}"""


def _time_page(browser, url: str) -> float:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    # A short settle: the condition must hold on two polls in a row, so a chart that is
    # about to be replaced by a rerun does not count as drawn.
    page.wait_for_function(COMPLETE, timeout=120_000, polling=50)
    page.wait_for_timeout(0)
    page.wait_for_function(COMPLETE, timeout=120_000, polling=50)
    seconds = time.perf_counter() - start
    context.close()
    return seconds


def run(repeat: int = 5) -> list[Row]:
    from playwright.sync_api import sync_playwright

    from core.registry import FAMILIES

    logs = Path(tempfile.mkdtemp(prefix="bench_browser_"))
    with (
        streamlit_server("benchmarks/control_app.py", logs / "control.log") as control,
        streamlit_server("app.py", logs / "app.log") as app,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        urls = {"control": control, **{f.title: f"{app}/{f.id}" for f in FAMILIES}}
        for url in urls.values():  # warm the servers' caches and imports
            _time_page(browser, url)
        times: dict[str, list[float]] = {name: [] for name in urls}
        for _ in range(repeat):
            for name, url in urls.items():
                times[name].append(_time_page(browser, url))
        browser.close()
    base = statistics.median(times.pop("control"))
    rows = []
    for name, samples in times.items():
        seconds = statistics.median(samples)
        rows.append(
            Row(
                benchmark=f"{name} page, default view",
                seconds=seconds,
                reference="control app: title, table, plotly chart",
                reference_seconds=base,
                ratio=seconds / base,
                target=f"≤ {MAX_RATIO:g}×",
                met=seconds / base <= MAX_RATIO,
            )
        )
    return rows
