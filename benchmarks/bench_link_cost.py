"""The server time a single link costs before any click (issue #20's rule: anything a link can
start finishes within about 5 s on this machine, or shows its estimate and waits for a click).

Run it alone with ``python -m benchmarks.bench_link_cost [--all] [--confirm N] [--no-profile]``.

Every case is one link opened the way a stranger opens it: a fresh ``AppTest`` of ``app.py``
with the link's query, every cache of the app emptied first (nobody opened it before), and
the wall time of that first script run is the link's cost. ``default_timeout`` is 300 s, so
a slow link is measured, not stopped. Each page is run once untimed first, so the import of
its modules is not charged to the first link that opens it. A link that names a tab
(``view=``) opens on that tab; its table row also gives the tab's share: its median minus
the median of as many first runs of the same link without ``view``. The worst links are
timed ``--confirm`` more times (caches emptied each time; not a link over 20 s, whose one
run of minutes is plain enough) and reported by their median.

The links, from the project's corpus (imported where the tests hold them as data):

- the hostile links of ``tests/data/hostile_links.txt`` on every page that reads one of
  their keys (``tests.app.test_hostile_links``: ``LINKS``, ``PAGES`` and its ``_relevant``);
- every value a page can write for every family, estimator and hyperparameter
  (``tests.core.test_link_values.CASES``), as ``dataset=…&estimator=…&name=value``;
- the links of issue #20, which no test holds, and the five costly links the app tests open
  inline (a pinned A, sag with tol 1e-12, Stability, Sweeps, Boundary), listed below;
- every tab of every family page, on the page's defaults and on the largest synthetic data
  a link may ask for (the generator options at their upper bounds).

By default the hostile links are sampled: a link that names a tab runs on every page that
has that tab, and any other link on one page that reads one of its keys (the next such page
for the next link), so every line of the file is opened at least once. ``--all`` opens every
line on every page that reads it (870 pairs instead of about 250, some five minutes more on
two cores; no pair cost over 2 s when this was written). A value a page can write that is
its start value is the page on its defaults, opened once with every tab.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import math
import os
import pstats
import re
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

from streamlit.testing.v1 import AppTest

# Caches made outside a Streamlit server log a notice each; it is not a finding here.
logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)

from benchmarks import Row  # noqa: E402
from core.data.catalogue import get_dataset_spec  # noqa: E402
from core.links import pinned_query_value  # noqa: E402
from core.registry import FAMILIES, get_family  # noqa: E402
from tests.app.test_hostile_links import LINKS, PAGES, _relevant  # noqa: E402
from tests.core.test_link_values import CASES, _dataset_for  # noqa: E402
from ui.cache import clear_caches  # noqa: E402

TITLE = "Server time of one link before any click"
ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
#: The functions a profile lists: the app's packages and scikit-learn's.
OWN_CODE = rf"{re.escape(str(ROOT))}/(core|ui)/|/sklearn/"
TARGET_SECONDS = 5.0
TIMEOUT_SECONDS = 300
WORST_SHOWN = 10
#: A link over this many times the target is not timed again (one run of minutes is enough).
FAR_OVER = 4
FAMILIES_PAGE = "app_pages/families.py"
#: What a page says when it shows an estimate and waits for a click (ui/widgets.py).
ASKS = "would take about"

Query = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Case:
    """One link: the page it opens, its query, and where in the corpus it comes from."""

    group: str
    page: str
    query: Query

    @property
    def link(self) -> str:
        """The link as a reader would write it, long values cut short."""
        name = Path(self.page).stem
        parts = [f"{k}={_short(v)}" for k, v in self.query]
        return f"/{name}" + ("?" + "&".join(parts) if parts else "")

    def without_view(self) -> Case:
        return Case(self.group, self.page, tuple((k, v) for k, v in self.query if k != "view"))


@dataclass
class Measured:
    case: Case
    seconds: list[float] = field(default_factory=list)
    asked: bool = False  # the page shows an estimate and waits for a click
    raised: str = ""  # the first exception the run showed, if any
    tab_base: float | None = None  # the same link's first run without view=

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def tab_share(self) -> float | None:
        return None if self.tab_base is None else self.median - self.tab_base


def _short(value: str, keep: int = 90) -> str:
    return value if len(value) <= keep else f"{value[:12]}…({len(value):,} chars)"


def _q(**query: str) -> Query:
    return tuple(query.items())


# --- the corpus -------------------------------------------------------------------------------

LINEAR = "app_pages/linear_regression.py"
LOGISTIC = "app_pages/logistic_regression.py"
KNN = "app_pages/nearest_neighbors.py"
#: The nearest-neighbours link of issue #20 (over 110 s on its Sweeps tab when filed).
ISSUE_KNN = _q(dataset="synthetic_regression", n_samples="5000", n_features="50", p="1.5")


def _pinned(family_id: str, **setting) -> str:
    return pinned_query_value(get_family(family_id), setting)


def issue_links() -> list[Case]:
    """The links issue #20 names, and the costly links the app tests open inline
    (tests/app/test_hostile_links.py, tests/app/test_link_registry_pages.py)."""
    issue, tests = "issue #20", "app tests' own"
    logistic_sag = dict(solver="sag", tol=1e-12, C=math.inf, max_iter=3000)
    return [
        Case(issue, KNN, (*ISSUE_KNN, ("view", "Sweeps"))),
        Case(issue, KNN, (*ISSUE_KNN, ("algorithm", "ball_tree"), ("leaf_size", "1"))),
        Case(
            issue,
            KNN,
            (*ISSUE_KNN, ("algorithm", "ball_tree"), ("leaf_size", "1"), ("view", "Sweeps")),
        ),
        # A pinned setting A from a link: saga with tol 1e-12, and lasso (5-9 s when filed).
        Case(issue, LOGISTIC, _q(A=_pinned("logistic_regression", solver="saga", tol=1e-12))),
        Case(
            issue,
            LOGISTIC,
            _q(
                A=_pinned(
                    "logistic_regression",
                    solver="saga",
                    tol=1e-12,
                    C=math.inf,
                    max_iter=100_000,
                    scale=False,
                )
            ),
        ),
        Case(
            issue,
            LINEAR,
            _q(
                A=_pinned(
                    "linear_regression",
                    estimator="lasso",
                    alpha=1e-6,
                    tol=1e-12,
                    max_iter=100_000,
                    scale=False,
                )
            ),
        ),
        # /families fits every family when it opens: on the largest data a link can ask for.
        Case(issue, FAMILIES_PAGE, _largest("regression")),
        Case(issue, FAMILIES_PAGE, _largest("classification")),
        Case(tests, LOGISTIC, _q(A=_pinned("logistic_regression", **logistic_sag))),
        Case(
            tests,
            LOGISTIC,
            _q(C="inf", solver="sag", max_iter="3000", tol="1e-12", dataset="breast_cancer"),
        ),
        Case(tests, LINEAR, _q(view="Stability", n_resamples="inf", dataset="longley")),
        Case(tests, LINEAR, _q(dataset="longley", test_size="0.8", view="Sweeps")),
        Case(tests, LOGISTIC, _q(view="Boundary", boundary_x="nope", boundary_y="mean texture")),
    ]


def _largest(task: str) -> Query:
    """The synthetic data set of this task with every generator option at its upper bound."""
    dataset = "synthetic_regression" if task == "regression" else "synthetic_classification"
    options = get_dataset_spec(dataset).options
    query = {"dataset": dataset}
    query.update({o.name: str(o.high) for o in options if o.kind == "int" and o.high})
    return tuple(query.items())


def _tabs(page: str) -> list[str]:
    """The tabs a page shows on its defaults (none on the all-families page)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_SECONDS)
    at.switch_page(page)
    at.run()
    return [t.label for t in at.tabs]


def tab_links(tabs: dict[str, list[str]]) -> list[Case]:
    """Every tab of every family page on its defaults, on the largest synthetic data of the
    page's own task, and on the nearest-neighbours link of issue #20."""
    cases = []
    for family in FAMILIES:
        task = get_dataset_spec(family.default_dataset).task
        for label in tabs[family.page_path]:
            view = () if label == tabs[family.page_path][0] else (("view", label),)
            cases.append(Case("every tab, defaults", family.page_path, view))
            cases.append(Case("every tab, largest data", family.page_path, _largest(task) + view))
            if family.page_path == KNN and label != "Sweeps":
                cases.append(Case("issue #20", KNN, ISSUE_KNN + view))
    return cases


def hostile_links(every_pair: bool, tabs: dict[str, list[str]]) -> list[Case]:
    """tests/data/hostile_links.txt on the pages that read it: every pair, or the sample (a
    link that names a tab on every page that has it, any other link on one page that reads
    it, the next such page for the next link)."""
    cases, turn = [], 0
    for link in LINKS:
        query = tuple(parse_qsl(link, keep_blank_values=True))
        pages = [page for page, names in PAGES if _relevant(link, names)]
        if not every_pair:
            view = dict(query).get("view")
            with_tab = [page for page in pages if view in tabs[page]]
            if with_tab:
                pages = with_tab
            elif pages:
                pages = [pages[turn % len(pages)]]
                turn += 1
        cases += [Case("hostile_links.txt", page, query) for page in pages]
    return cases


def page_values() -> list[Case]:
    """Every value a page can write (tests/core/test_link_values.py), but the start values."""
    cases = []
    for family, estimator_id, spec, value in CASES:
        if value == spec.initial and type(value) is type(spec.initial):
            continue
        query = _q(
            dataset=_dataset_for(family, estimator_id),
            estimator=estimator_id,
            **{spec.name: spec.format(value)},
        )
        cases.append(Case("test_link_values", family.page_path, query))
    return cases


def corpus(every_pair: bool = False) -> tuple[list[Case], dict[str, list[str]]]:
    """Every case, each link once (the first group that names it keeps it)."""
    tabs = {page: _tabs(page) for page, _ in PAGES}  # also the untimed warm-up of each page
    seen, cases = set(), []
    for case in [
        *issue_links(),
        *tab_links(tabs),
        *hostile_links(every_pair, tabs),
        *page_values(),
    ]:
        if (case.page, case.query) not in seen:
            seen.add((case.page, case.query))
            cases.append(case)
    return cases, tabs


# --- measuring --------------------------------------------------------------------------------


def open_link(case: Case) -> tuple[float, AppTest | str]:
    """The wall time of the link's first run, every cache empty, and the app (or why the
    run stopped: AppTest's timeout)."""
    clear_caches()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_SECONDS)
    at.switch_page(case.page)
    at.query_params.update(dict(case.query))
    start = time.perf_counter()
    try:
        at.run()
    except RuntimeError as error:  # AppTest's timeout: the link ran past TIMEOUT_SECONDS
        return time.perf_counter() - start, str(error)
    return time.perf_counter() - start, at


def measure(case: Case) -> Measured:
    seconds, at = open_link(case)
    result = Measured(case, [seconds])
    if isinstance(at, str):
        result.raised = at[:120]
        return result
    result.asked = any(ASKS in i.value for i in at.info) or any(
        b.label.startswith(("Run it", "Fit it anyway")) for b in at.button
    )
    if at.exception:
        result.raised = at.exception[0].value.splitlines()[0][:120]
    return result


def profile(case: Case, top: int = 15) -> str:
    """The link's first run under cProfile: the ``top`` functions of the app and of
    scikit-learn by cumulative time.

    AppTest runs the script in a thread of its own, so the profiler is enabled inside that
    thread (``threading.Thread.run`` wrapped for the one run), not in the waiting one.
    """
    clear_caches()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_SECONDS)
    at.switch_page(case.page)
    at.query_params.update(dict(case.query))
    profiler = cProfile.Profile()
    original = threading.Thread.run

    def run(thread: threading.Thread) -> None:
        profiler.enable()
        try:
            original(thread)
        finally:
            profiler.disable()

    threading.Thread.run = run
    try:
        at.run()
    finally:
        threading.Thread.run = original
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    # Below Streamlit's frames (the script thread, the page, its cache wrappers): the app's
    # own functions and scikit-learn's.
    stats.print_stats(OWN_CODE, top)
    return out.getvalue()


def measure_all(
    every_pair: bool = False, confirm: int = 2, log=None
) -> tuple[list[Measured], dict[str, int]]:
    """Every case once, the worst ``WORST_SHOWN`` again ``confirm`` times, the tab share of
    each of those that names a tab."""
    cases, tabs = corpus(every_pair)
    counts = {"cases": len(cases)}
    results, started = [], time.perf_counter()
    for i, case in enumerate(cases, 1):
        results.append(measure(case))
        if log and (i % 50 == 0 or i == len(cases)):
            log(f"  {i}/{len(cases)} links, {time.perf_counter() - started:.0f} s")
    results.sort(key=lambda r: r.seconds[0], reverse=True)
    # Time the worst again until the worst WORST_SHOWN by median have all been timed again
    # (a link whose median drops lets the next one in). A link far over the target is
    # reported from its one run: its verdict is plain, and each run costs minutes.
    done: set[int] = set()
    while todo := [
        r
        for r in results[:WORST_SHOWN]
        if id(r) not in done and r.seconds[0] <= FAR_OVER * TARGET_SECONDS
    ]:
        for result in todo:
            done.add(id(result))
            for _ in range(confirm):
                result.seconds.append(open_link(result.case)[0])
        results.sort(key=lambda r: r.median, reverse=True)
    for result in results[:WORST_SHOWN]:
        if dict(result.case.query).get("view") in tabs[result.case.page]:
            base = result.case.without_view()
            result.tab_base = statistics.median(open_link(base)[0] for _ in result.seconds)
    counts["seconds"] = round(time.perf_counter() - started)
    for result in results:
        counts[result.case.group] = counts.get(result.case.group, 0) + 1
    return results, counts


# --- reporting --------------------------------------------------------------------------------


def table(results: list[Measured]) -> str:
    lines = [
        "| # | Link | From | First run (s) | × 5 s | Tab's share (s) | Asks? | Raised |",
        "|---:|---|---|---:|---:|---:|:---:|---|",
    ]
    for i, r in enumerate(results, 1):
        runs = "/".join(f"{s:.2f}" for s in r.seconds)
        shown = f"{r.median:.2f}" + (f" (runs {runs})" if len(r.seconds) > 1 else "")
        share = "" if r.tab_share is None else f"{r.tab_share:.2f}"
        link = r.case.link.replace("|", "\\|")
        lines.append(
            f"| {i} | `{link}` | {r.case.group} | {shown} | {r.median / TARGET_SECONDS:.2f} | "
            f"{share} | {'yes' if r.asked else ''} | {r.raised} |"
        )
    return "\n".join(lines)


def rows(results: list[Measured]) -> list[Row]:
    return [
        Row(
            benchmark=f"link {r.case.link}",
            seconds=r.median,
            ratio=r.median / TARGET_SECONDS,
            target=f"≤ {TARGET_SECONDS:g} s before a click",
            met=r.median <= TARGET_SECONDS,
        )
        for r in results[:WORST_SHOWN]
    ]


def run(repeat: int = 3) -> list[Row]:
    """For ``benchmarks.run``: the worst links, each the median of ``min(repeat, 3)`` runs."""
    results, _ = measure_all(confirm=max(0, min(repeat, 3) - 1))
    clear_caches()
    return rows(results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="every hostile link on every page")
    parser.add_argument("--confirm", type=int, default=2, help="extra runs of the worst links")
    parser.add_argument("--no-profile", action="store_true", help="skip profiling slow links")
    args = parser.parse_args(argv)

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    load = os.getloadavg()[0]
    results, counts = measure_all(args.all, args.confirm, log)
    worst = results[0]
    groups = ", ".join(f"{k} {v}" for k, v in counts.items() if k not in ("cases", "seconds"))
    print(f"### {TITLE}\n")
    print(
        f"{counts['cases']} links ({groups}) in {counts['seconds']} s; {os.cpu_count()} CPUs, "
        f"load average {load:.1f} at start, {os.getloadavg()[0]:.1f} at the end.\n"
    )
    print(table(results[:WORST_SHOWN]))
    print(
        f"\nWorst: `{worst.case.link}` {worst.median:.2f} s, "
        f"{worst.median / TARGET_SECONDS:.2f}× the {TARGET_SECONDS:g} s target "
        f"({'met' if worst.median <= TARGET_SECONDS else 'missed'})."
    )
    over = [r for r in results if r.median > TARGET_SECONDS]
    print(f"{len(over)} link(s) over {TARGET_SECONDS:g} s before a click.")
    raised = [r for r in results if r.raised]
    print(f"{len(raised)} link(s) raised.")
    for r in raised[:WORST_SHOWN]:
        print(f"- `{r.case.link}`: {r.raised}")
    if not args.no_profile:
        for r in over[:3]:
            print(f"\n#### Where the time of `{r.case.link}` goes\n\n```")
            print(profile(r.case).rstrip())
            print("```")
    clear_caches()
    return 0


if __name__ == "__main__":
    sys.exit(main())
