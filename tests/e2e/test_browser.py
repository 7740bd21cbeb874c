"""Headless Chromium against a real server: links, every page, tabs, bad and hostile input.

The shared-link test comes first on purpose: it is the first request the fresh server gets.
Every wait is for the element a test checks, never a fixed delay.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core.registry import FAMILIES, get_family
from tests.app.page_helpers import page_fit

pytestmark = pytest.mark.e2e

PAGES = [("", "Parameter Lab")] + [(f.id, f.title) for f in FAMILIES]
#: The default view of a family page fits in about two screens at 1400 × 1000.
MAX_PAGE_HEIGHT = 2500


def settle(page: Page, heading: str) -> None:
    """Wait until the page's own script has run to the end."""
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible(timeout=60_000)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000
    )


def drawn(page: Page) -> None:
    """Wait until no element is still a loading placeholder."""
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0)


@contextmanager
def opened_at_1280(browser, url: str, heading: str) -> Iterator[Page]:
    """A fresh 1280×800 window on ``url``: its script done and nothing left loading."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(url)
        settle(page, heading)
        drawn(page)
        yield page
    finally:
        context.close()


def no_exception(page: Page) -> None:
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


def test_shared_link_restores_the_setting(page: Page, app_url: str):
    page.goto(f"{app_url}/linear_regression?dataset=longley&estimator=lasso&alpha=10")
    settle(page, "Linear regression")
    no_exception(page)
    # The first request after a server start is a deep link: it must still run app.py's
    # navigation (not Streamlit's legacy folder-based pages), so the sidebar lists titles.
    titles = ["Home", *(f.title for f in FAMILIES), "All families", "Capacity"]
    links = page.locator("[data-testid='stSidebarNavLink']")
    expect(links).to_have_count(len(titles))
    for link, title in zip(links.all(), titles, strict=True):
        expect(link).to_contain_text(title)  # after the Material icon's ligature name
    # Select boxes show labels; the link keeps the ids.
    expect(page.get_by_role("combobox", name="Estimator")).to_have_value("Lasso (L1)")
    expect(page.get_by_role("combobox", name="Data set")).to_have_value("Longley economic series")
    expect(page.get_by_role("spinbutton", name="alpha (penalty strength)")).to_have_value("10")
    expect(page.get_by_text("Longley", exact=False).first).to_be_visible()
    page.get_by_role("combobox", name="Estimator").click()
    page.get_by_role("option", name="Elastic net (L1 + L2)").click()
    expect(page).to_have_url(re.compile(r"estimator=elasticnet"))
    expect(page).to_have_url(re.compile(r"dataset=longley"))
    expect(
        page.get_by_role("spinbutton", name="l1_ratio (L1 share of the penalty)")
    ).to_be_visible()


@pytest.mark.parametrize(("path", "heading"), PAGES, ids=[p or "home" for p, _ in PAGES])
def test_page_opens_without_exception_and_answers_first(
    page: Page, app_url: str, path: str, heading: str
):
    page.goto(f"{app_url}/{path}")
    settle(page, heading)
    no_exception(page)
    if not path:
        return
    expect(page.get_by_text("Parameters the model learned")).to_be_visible()
    expect(page.get_by_role("tab", name="Compare")).to_have_attribute("aria-selected", "true")
    # Set beside learned, then the interpretation, then the tabs: about two screens. Measured
    # once every element has drawn: Streamlit shows grey placeholders (stSkeleton) while a
    # widget's or table's code loads, and a page measured then reads hundreds of px short.
    drawn(page)
    height = page.evaluate("document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    assert height <= MAX_PAGE_HEIGHT, f"{path} is {height} px tall"


def test_a_tab_link_opens_the_tab_and_a_click_puts_it_in_the_link(page: Page, app_url: str):
    page.goto(f"{app_url}/linear_regression?view=Sweeps")
    settle(page, "Linear regression")
    expect(page.get_by_role("tab", name="Sweeps")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text("Validation curve").first).to_be_visible(timeout=60_000)
    no_exception(page)
    page.get_by_role("tab", name="History").click()
    expect(page).to_have_url(re.compile(r"view=History"))
    expect(page.get_by_text("Download history (CSV)")).to_be_visible(timeout=30_000)
    no_exception(page)


#: Each family's own first tab, opened from a link, and a text that only that tab draws.
OWN_TABS = [
    ("logistic_regression", "Boundary", "A boundary can be drawn only in two dimensions"),
    ("neural_network", "Network", "An edge is one weight"),
    ("decision_tree", "Depth", "Every point is a real refit of this tree"),
    ("nearest_neighbors", "Speed", "algorithm and leaf_size decide how the stored rows"),
    ("gradient_descent", "Descent", "its whole loss surface fits on one chart"),
]


@pytest.mark.parametrize(("path", "tab", "text"), OWN_TABS, ids=[p for p, _, _ in OWN_TABS])
def test_a_link_opens_a_familys_own_tab(page: Page, app_url: str, path: str, tab: str, text: str):
    page.goto(f"{app_url}/{path}?view={tab}")
    expect(page.get_by_role("tab", name=tab)).to_have_attribute(
        "aria-selected", "true", timeout=60_000
    )
    expect(page.get_by_text(text).first).to_be_visible(timeout=60_000)
    no_exception(page)
    # Another tab's click takes the view out of the link (Compare is the default).
    page.get_by_role("tab", name="Compare").click()
    expect(page.get_by_text(text)).to_have_count(0, timeout=30_000)
    expect(page).not_to_have_url(re.compile(r"view="))


def test_bad_upload_shows_a_message_not_a_traceback(page: Page, app_url: str):
    page.goto(f"{app_url}/linear_regression?dataset=upload")
    settle(page, "Linear regression")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": b"a,b\n1,2\n3,4,5\n"}]
    )
    expect(page.get_by_text("could not be read as a table")).to_be_visible(timeout=30_000)
    no_exception(page)


def test_an_overflowing_link_value_is_named_and_the_page_works(page: Page, app_url: str):
    page.goto(f"{app_url}/linear_regression?seed=inf&alpha=3")
    settle(page, "Linear regression")
    expect(page.get_by_text("The link's seed='inf' was ignored")).to_be_visible()
    no_exception(page)
    expect(page).not_to_have_url(re.compile(r"seed=inf"))
    expect(page.get_by_role("spinbutton", name="alpha (penalty strength)")).to_have_value("3")


def test_logistic_link_with_no_penalty_then_a_new_c(page: Page, app_url: str):
    page.goto(f"{app_url}/logistic_regression?dataset=iris&C=inf&max_iter=2000&view=Boundary")
    settle(page, "Logistic regression")
    no_exception(page)
    expect(page.get_by_role("textbox", name="C (inverse penalty strength)")).to_have_value("inf")
    expect(page.get_by_role("tab", name="Boundary")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text("A boundary can be drawn only in two dimensions")).to_be_visible()
    # Change C in the browser, then open the link tab: the link follows the new C.
    box = page.get_by_role("textbox", name="C (inverse penalty strength)")
    box.fill("0.05")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"C=0\.05"), timeout=30_000)
    page.get_by_role("tab", name="Reproduce").click()
    expect(page.locator("[data-testid='stCode']").filter(has_text="C=0.05").first).to_be_visible(
        timeout=30_000
    )
    no_exception(page)


HOSTILE_NAME = '<img src=x onerror="alert(1)">'
HOSTILE_CELL = "<script>alert(2)</script>"


def test_hostile_names_and_cells_stay_text(page: Page, app_url: str):
    """Markup in a CSV's names and cells is shown as text; no chart hover runs it."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    rows = "\n".join(
        f"{i},{(i * 7) % 5},{HOSTILE_CELL if i % 2 else 'b'},{2 * i + 1}" for i in range(40)
    )
    csv = f'x1,"{HOSTILE_NAME.replace(chr(34), chr(34) * 2)}",kind,y\n{rows}\n'.encode()
    page.goto(f"{app_url}/linear_regression?dataset=upload")
    settle(page, "Linear regression")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        files=[{"name": "odd.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    expect(page.get_by_text("Parameters the model learned")).to_be_visible(timeout=60_000)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
    no_exception(page)
    # The coefficient chart draws on a click: draw it, names and all, then hover it.
    page.get_by_text("Chart the coefficients").click()
    charts = page.locator("[data-testid='stPlotlyChart'] .main-svg")
    expect(charts.first).to_be_visible(timeout=60_000)
    for chart in page.locator("[data-testid='stPlotlyChart']").all():
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        if box:
            for fx in (0.3, 0.5, 0.7):
                page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * 0.5)
    assert dialogs == []
    assert page.locator("img[src='x']").count() == 0


#: Text Streamlit cut short with an ellipsis ("shuffle (reorder rows eac…"): a label a
#: reader must guess at. Canvas tables are not DOM text; their headers are checked in
#: tests/app/test_table_headers.py.
# An element that ends its text with an ellipsis when it does not fit, and whose text is
# wider than its box. The text's width is measured with a Range (the ellipsis is painted, the
# text is laid out whole); scrollWidth would round away a clip of a fraction of a pixel,
# which Chromium still draws as "Learned paramet…".
CUT_OFF_TEXT = """() => Array.from(document.querySelectorAll("[data-testid='stMain'] *"))
  .filter(e => {
    if (getComputedStyle(e).textOverflow !== 'ellipsis' || !e.innerText.trim()) return false;
    const range = document.createRange();
    range.selectNodeContents(e);
    return range.getBoundingClientRect().width > e.getBoundingClientRect().width + 0.01;
  })
  .map(e => e.innerText.trim())"""


READ_AT_1280 = [*PAGES, ("families", "All families")]


@pytest.mark.parametrize(
    ("path", "heading"), READ_AT_1280, ids=[p or "home" for p, _ in READ_AT_1280]
)
def test_nothing_on_the_first_screen_is_cut_off_at_1280_px(
    browser, app_url: str, path: str, heading: str
):
    with opened_at_1280(browser, f"{app_url}/{path}", heading) as page:
        assert page.evaluate(CUT_OFF_TEXT) == []


# Every chart's legend against the two toolbars that float over its top right on hover:
# plotly's (.modebar) and Streamlit's (stElementToolbar). Boxes as [left, top, right, bottom].
LEGEND_AND_TOOLBARS = """(chart) => {
  const box = (e) => { const r = e.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom]; };
  const legend = chart.querySelector('.legend');
  const element = chart.closest('[data-testid="stElementContainer"]');
  const toolbars = [chart.querySelector('.modebar'),
                    element && element.querySelector('[data-testid="stElementToolbar"]')];
  return {legend: legend && box(legend),
          toolbars: toolbars.filter(t => t && t.getBoundingClientRect().width > 0).map(box)};
}"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("linear_regression?view=Sweeps", "Linear regression"),
        ("gradient_descent?view=Descent", "Gradient descent"),
        # A builder that leaves the legend where plotly puts it (the top right).
        ("linear_regression?view=Stability", "Linear regression"),
    ],
    ids=["sweeps", "descent", "default-placement"],
)
def test_no_toolbar_covers_a_legend(browser, app_url: str, path: str, heading: str):
    with opened_at_1280(browser, f"{app_url}/{path}", heading) as page:
        # On a loaded machine a sweep's estimate may pass the few seconds that run unasked:
        # then it waits for a click, which this user gives.
        elements = page.get_by_test_id("stPlotlyChart")
        run = page.get_by_role("button", name=re.compile(r"^Run it \("))
        expect(elements.or_(run).first).to_be_attached()
        for left in reversed(range(run.count())):
            run.first.click()
            expect(run).to_have_count(left, timeout=60_000)
        expect(elements.first).to_be_attached()
        checked = 0
        for element in elements.all():
            element.scroll_into_view_if_needed()  # a chart below the fold draws once seen
            chart = element.locator(".js-plotly-plot")
            expect(chart).to_be_visible()
            chart.hover()
            expect(chart.locator(".modebar")).to_be_visible()
            boxes = chart.evaluate(LEGEND_AND_TOOLBARS)
            if boxes["legend"] is None:
                continue
            assert len(boxes["toolbars"]) >= 1
            for toolbar in boxes["toolbars"]:
                assert not _overlap(boxes["legend"], toolbar), (boxes, chart.inner_text()[:80])
            checked += 1
        assert checked >= 1


def test_the_whole_tree_downloads_as_an_svg_of_every_node(page: Page, app_url: str):
    page.goto(f"{app_url}/decision_tree?dataset=breast_cancer&max_depth=none&view=Reproduce")
    settle(page, "Decision tree")
    no_exception(page)
    button = page.get_by_role("button", name="Whole tree (SVG)")
    expect(button).to_be_visible()
    with page.expect_download(timeout=60_000) as download:
        button.click()
    assert download.value.suggested_filename == "tree.svg"
    svg = Path(download.value.path()).read_text()
    # One box per node of the page's own fit, in scikit-learn's numbering.
    _, fit = page_fit(
        get_family("decision_tree"),
        "breast_cancer",
        "classification",
        "tree_classifier",
        False,
        max_depth=None,
    )
    nodes = fit.model.tree_.node_count
    assert nodes > 15  # more than the page draws before folding
    assert sorted(int(n) for n in re.findall(r"node #(\d+)", svg)) == list(range(nodes))
    assert svg.lstrip().startswith("<?xml") and svg.rstrip().endswith("</svg>")
    no_exception(page)


# A table drawn wider than its box scrolls sideways (its grid's scroller is wider than it).
TABLE_OVERFLOW = """() => Array.from(document.querySelectorAll("[data-testid='stDataFrame']"))
  .map(d => d.querySelector('.dvn-scroller'))
  .filter(s => s && s.scrollWidth > s.clientWidth + 1)
  .map(s => [s.scrollWidth, s.clientWidth])"""


# Every page with tables on its first screen (the capacity page has none there).
FITTING_FIRST_SCREENS = [
    ("", "Parameter Lab"),
    ("linear_regression", "Linear regression"),
    ("logistic_regression", "Logistic regression"),
    ("neural_network", "Neural network"),
    ("decision_tree", "Decision tree"),
    ("nearest_neighbors", "Nearest neighbours"),
    ("gradient_descent", "Gradient descent"),
    ("families", "All families"),
]


@pytest.mark.parametrize(
    ("path", "heading"), FITTING_FIRST_SCREENS, ids=[p or "home" for p, _ in FITTING_FIRST_SCREENS]
)
def test_first_screen_tables_fit_1280_px_without_scrolling_sideways(
    browser, app_url: str, path: str, heading: str
):
    with opened_at_1280(browser, f"{app_url}/{path}", heading) as page:
        expect(page.get_by_test_id("stDataFrame").first.locator(".dvn-scroller")).to_be_attached()
        assert page.evaluate(TABLE_OVERFLOW) == []
