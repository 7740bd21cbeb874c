"""Crowd load test: many concurrent browser sessions against one server, opt-in.

Run ``python -m benchmarks.load_test [--sessions N] [--rounds R] [--steps S]``. One headless
Chromium opens N browser contexts at once (``asyncio.gather``), each a different user on a
family page with its own setting: a unique seed and a unique value of the page's own
hyperparameter (``alpha``, ``C``, ``hidden_layer_sizes``, ``max_depth``, ``n_neighbors``,
``eta0``). Some pin that setting as A in the Compare tab and change to a B; one or two upload
a small CSV with a column name no one else has; every session then steps through S more
seeds (new fits, so the server's caches fill). At the end each session checks, on its own
page, that what it sees is its own: no exception, its values in the link and in its widgets,
its own A in the compare table, its own uploaded column and nobody else's.

Rounds repeat this with new seeds and values; the server's resident memory (VmRSS of the
``streamlit run`` process) is read at start, after a warm-up that imports every page, and
after every round, with what the caches hold (Streamlit's ``/_stcore/metrics``). The
caches are bounded (``max_entries``), so memory growth must level off: the last round may
grow at most half as much as the first round, or at most ``ABS_GROWTH_MB``.

Every request goes to 127.0.0.1: the app server is bound to loopback, Chromium resolves no
other host (``--host-resolver-rules``), and a page's request to any other host is aborted
inside the browser (never sent) and listed in the summary. The server runs without its file
watcher (``STREAMLIT_SERVER_FILE_WATCHER_TYPE=none``), as deployed: edits to the tree
during the test must not rerun or reload the app. Every wait is for an element, a page
condition or the server's end-of-run message, with a timeout; every loop is bounded.
It prints a Markdown summary and exits non-zero when any check fails. It is not part of
``benchmarks.run`` (that suite times, this one loads) nor of the default test suite
(``tests/load/test_crowd.py`` runs it only with ``RUN_LOAD=1``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

from benchmarks.streamlit_server import CHROMIUM_ARGS, streamlit_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WATCHER_ENV = "STREAMLIT_SERVER_FILE_WATCHER_TYPE"
#: Chromium resolves no host name but the loopback address: nothing can leave the machine.
LOOPBACK_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
#: Longest wait for one element or condition (ms): ten pages render at once on two cores.
WAIT_MS = 240_000
#: Longest one session may take, all its steps included (s).
SESSION_TIMEOUT_S = 1_200
#: How long a drawn table may take to show the finished run's values (s).
ROW_WAIT_S = 60.0
#: Growth of the last round (MB) that passes whatever the first round grew: a few MB move
#: with allocator fragmentation and sessions still inside their disconnect grace period.
ABS_GROWTH_MB = 25.0
#: The last round may grow at most this share of the first round's growth.
MAX_GROWTH_RATIO = 0.5

#: Any http(s) address but the loopback server's: such a request is aborted in the browser.
OFF_HOST = re.compile(r"^(?:https?|wss?)://(?!127\.0\.0\.1(?::\d+)?/)")
DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"
EXCEPTION = "[data-testid='stException']"

#: Every st.dataframe's accessible table (glide-data-grid draws on a canvas and keeps a
#: hidden table for screen readers): its headers and its rows as text.
READ_TABLES = """() => Array.from(document.querySelectorAll("[data-testid='stDataFrame']"))
  .map((df) => {
    const t = df.querySelector('table');
    if (!t) return null;
    const cells = (row, sel) => Array.from(row.querySelectorAll(sel))
      .map((c) => (c.textContent || '').trim());
    return {heads: cells(t, 'thead th'),
            rows: Array.from(t.querySelectorAll('tbody tr')).map((r) => cells(r, 'td'))};
  }).filter((t) => t !== null)"""
#: A table whose first columns are ``heads`` has drawn a row for ``name``: ``[heads, name]``.
ROW_READY = """([heads, name]) => Array.from(document.querySelectorAll(
  "[data-testid='stDataFrame'] table")).some((t) => {
    const shown = Array.from(t.querySelectorAll('thead th')).map((c) => c.textContent.trim());
    if (heads.some((h, i) => shown[i] !== h)) return false;
    return Array.from(t.querySelectorAll('tbody tr')).some(
      (r) => ((r.querySelector('td') || {}).textContent || '').trim() === name);
  })"""
#: The compare panel's table and the hyperparameter panel's table (drawn by the server).
COMPARE_HEADS = ["setting", "A", "B"]
SETTING_HEADS = ["hyperparameter", "your value"]


@dataclass(frozen=True)
class Knob:
    """A family page and the one hyperparameter each session sets to its own value."""

    page: str
    title: str
    key: str
    label: str
    role: str  # "spinbutton" (st.number_input) or "textbox" (a text box)
    value: Callable[[int], str]  # the k-th unique value, as typed and as in the link


def _g(x: float) -> str:
    return f"{round(x, 6):g}"


#: One knob per family page. Values avoid each page's default (a default is not in the link).
KNOBS: tuple[Knob, ...] = (
    Knob(
        "linear_regression",
        "Linear regression",
        "alpha",
        "alpha (penalty strength)",
        "spinbutton",
        lambda k: _g(10.5 + k),  # ridge, the page's default estimator
    ),
    Knob(
        "logistic_regression",
        "Logistic regression",
        "C",
        "C (inverse penalty strength)",
        "textbox",
        lambda k: _g(0.105 + 0.01 * k),  # never the default 1
    ),
    Knob(
        "neural_network",
        "Neural network",
        "hidden_layer_sizes",
        "hidden_layer_sizes (units per hidden layer)",
        "textbox",
        lambda k: f"{4 + k % 60},{3 + k // 60 % 4}",
    ),
    Knob(
        "decision_tree",
        "Decision tree",
        "max_depth",
        "max_depth (questions in a row)",
        "spinbutton",
        lambda k: str(4 + k % 96),
    ),
    Knob(
        "nearest_neighbors",
        "Nearest neighbours",
        "n_neighbors",
        "n_neighbors (k)",
        "spinbutton",
        lambda k: str(6 + k % 80),  # iris keeps 112 training rows
    ),
    Knob(
        "gradient_descent",
        "Gradient descent",
        "eta0",
        "eta0 (initial learning rate)",
        "spinbutton",
        lambda k: _g(0.00105 + 0.0001 * k),  # never the default 0.01
    ),
)
#: Pages whose first screen names the features in words (the interpretation), so an
#: uploaded column's name is visible there.
UPLOAD_PAGES = ("linear_regression", "logistic_regression")


def numbers(text: str) -> list[float]:
    """The numbers in a value as shown (``"(6, 3)"`` → [6, 3], ``"12.0"`` → [12])."""
    return [float(x) for x in re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?", text)]


def same_value(shown: str | None, expected: str) -> bool:
    got, want = numbers(shown or ""), numbers(expected)
    return len(got) == len(want) and all(
        abs(a - b) <= 1e-9 * max(1.0, abs(b)) for a, b in zip(got, want, strict=True)
    )


def value_pattern(expected: str) -> re.Pattern[str]:
    """What a widget may display for ``expected``: the same numbers, spaces free."""
    parts = [re.escape(p.strip()) for p in expected.split(",")]
    return re.compile(r"^\s*" + r"\s*,\s*".join(parts) + r"\s*$")


class RunWatch:
    """Follows one page's script runs through the server's messages on its websocket.

    The ``data-test-script-state`` attribute can skip ``running`` when the browser is busy
    (React renders the run's start and end together), so a wait after an action counts
    the server's ``script_finished`` messages instead: a run the action started has
    finished when the count has grown and no run has started since.
    """

    def __init__(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._parse = ForwardMsg.FromString
        self._ok = {
            ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
            ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
        }
        self.finished = 0
        self.running = False
        self._changed = asyncio.Event()

    def attach(self, page) -> None:
        def on_websocket(ws) -> None:
            if ws.url.startswith("ws://127.0.0.1") and ws.url.endswith("/_stcore/stream"):
                ws.on("framereceived", self._on_frame)

        page.on("websocket", on_websocket)

    def _on_frame(self, payload: str | bytes) -> None:
        if isinstance(payload, str):
            return
        msg = self._parse(payload)
        kind = msg.WhichOneof("type")
        if kind == "new_session":  # sent when a run starts
            self.running = True
        elif kind == "script_finished":
            if msg.script_finished in self._ok:
                self.finished += 1
                self.running = False
            # FINISHED_EARLY_FOR_RERUN: a newer run starts at once, so still running.
        else:
            return
        self._changed.set()

    async def wait(self, before: int, timeout_s: float = WAIT_MS / 1000) -> None:
        """Wait until a run started after ``before`` finished runs has finished."""
        deadline = time.monotonic() + timeout_s
        while self.finished <= before or self.running:
            self._changed.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no script run finished within {timeout_s:.0f} s")
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                continue  # the loop's deadline check raises with a message


@dataclass
class Plan:
    """What one session does, fixed before the round starts."""

    index: int  # within the round
    round: int
    knob: Knob
    seeds: tuple[int, ...]  # the first, then one per extra step
    a_value: str
    b_value: str | None  # set after pinning A; None: this session does not pin
    upload_name: str | None  # the unique column of its CSV; None: no upload

    @property
    def label(self) -> str:
        return f"r{self.round + 1}s{self.index:02d} {self.knob.page}"

    def first_url(self, base: str) -> str:
        query = {}
        if self.upload_name:
            query["dataset"] = "upload"
        query |= {"seed": str(self.seeds[0]), self.knob.key: self.a_value}
        return f"{base}/{self.knob.page}?{urlencode(query, safe=',')}"


@dataclass
class Outcome:
    plan: Plan
    seconds_to_done: float | None = None
    seconds_total: float | None = None
    checks_passed: int = 0
    errors: list[str] = field(default_factory=list)
    phases: list[tuple[str, float]] = field(default_factory=list)  # (step, s since start)
    seed_row_checked: bool = False  # the compare grid had drawn its seed row


def make_plans(n_sessions: int, round_no: int, steps: int, run_tag: str) -> list[Plan]:
    """Distinct settings for one round: every seed and every knob value is new."""
    plans = []
    n_uploads = 2 if n_sessions >= 8 else 1
    for i in range(n_sessions):
        g = round_no * n_sessions + i  # unique over the whole run
        knob = KNOBS[i % len(KNOBS)]
        uploads = i < n_uploads and knob.page in UPLOAD_PAGES
        pins = not uploads and i % 2 == 0
        seed0 = 1_000 + 100 * g
        plans.append(
            Plan(
                index=i,
                round=round_no,
                knob=knob,
                seeds=tuple(seed0 + s for s in range(steps + 1)),
                a_value=knob.value(2 * g),
                b_value=knob.value(2 * g + 1) if pins else None,
                upload_name=f"col{run_tag}r{round_no + 1}s{i:02d}" if uploads else None,
            )
        )
    return plans


def upload_csv(plan: Plan) -> bytes:
    """A small numeric table whose first column has the session's unique name."""
    assert plan.upload_name
    classify = plan.knob.page == "logistic_regression"
    lines = [f"{plan.upload_name},other,y"]
    for r in range(60):
        x, z = (r * 37 + plan.index) % 23 / 4, (r * 11) % 7 - 3
        y = int(x + 0.3 * z > 2.8) if classify else round(1.5 * x - 0.8 * z + (r % 5) / 10, 3)
        lines.append(f"{x},{z},{y}")
    return ("\n".join(lines) + "\n").encode()


async def table_rows(page, heads: list[str], name: str) -> dict[str, list[str]]:
    """Wait until the table with these first columns shows a row for ``name``; return the
    rows it has drawn, by their first cell."""
    await page.wait_for_function(ROW_READY, arg=[heads, name], timeout=WAIT_MS, polling=250)
    for table in await page.evaluate(READ_TABLES):
        if table["heads"][: len(heads)] == heads:
            rows = {r[0]: r for r in table["rows"] if r}
            if name in rows:
                return rows
    raise AssertionError(f"table {heads} lost its row {name!r}")


async def table_shows(
    page, heads: list[str], name: str, problem: Callable[[dict[str, list[str]]], str | None]
) -> dict[str, list[str]]:
    """Wait until the table's drawn rows pass a check (``problem`` returns None); the grid
    redraws a moment after the run ends, so a stale draw is waited out, a wrong one stays
    and fails after ``ROW_WAIT_S`` with what was last shown."""
    rows = await table_rows(page, heads, name)
    deadline = time.monotonic() + ROW_WAIT_S
    for _ in range(int(ROW_WAIT_S / 0.25) + 1):
        found = problem(rows)
        if found is None:
            return rows
        if time.monotonic() > deadline:
            break
        await page.wait_for_timeout(250)  # short polling of the drawn table
        rows = await table_rows(page, heads, name)
    raise AssertionError(f"table {heads[0]}/{heads[1]}: {found}")


async def set_value(page, watch: RunWatch, role: str, label: str, value: str) -> None:
    """Type a value into a widget and wait for the run it starts to finish."""
    box = page.get_by_role(role, name=label, exact=True)
    await box.wait_for(state="visible", timeout=WAIT_MS)
    before = watch.finished
    await box.fill(value)
    await box.press("Enter")
    await watch.wait(before)
    await page.wait_for_selector(DONE, timeout=WAIT_MS)


async def run_session(browser, base: str, plan: Plan, all_uploads: list[str], seen: dict):
    """One user: open the page, set up its own state, then check that it sees only its own."""
    from playwright.async_api import expect

    out = Outcome(plan)
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(WAIT_MS)

    async def block(route):  # never sent: the request is answered inside the browser
        seen["off_host"].append(route.request.url)
        await route.abort("blockedbyclient")

    await context.route(OFF_HOST, block)
    page = await context.new_page()
    page.on("pageerror", lambda error: seen["page_errors"].append(f"{plan.label}: {error}"))
    watch = RunWatch()
    watch.attach(page)
    knob = plan.knob
    seed_box = page.get_by_role("spinbutton", name="Random seed", exact=True)
    knob_box = page.get_by_role(knob.role, name=knob.label, exact=True)
    start = time.perf_counter()

    def phase(name: str) -> None:
        out.phases.append((name, time.perf_counter() - start))

    try:
        await page.goto(plan.first_url(base), wait_until="commit", timeout=WAIT_MS)
        await watch.wait(0)
        await page.get_by_role("heading", name=knob.title, level=1).wait_for(timeout=WAIT_MS)
        await page.wait_for_selector(DONE, timeout=WAIT_MS)
        # Done: the script has run and this session's own value is on screen (an upload
        # page shows its seed and the file box; its hyperparameters wait for the file).
        await expect(seed_box).to_have_value(str(plan.seeds[0]), timeout=WAIT_MS)
        if not plan.upload_name:
            await expect(knob_box).to_have_value(value_pattern(plan.a_value), timeout=WAIT_MS)
        out.seconds_to_done = time.perf_counter() - start
        phase("done")

        if plan.upload_name:
            before = watch.finished
            await page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
                files=[
                    {
                        "name": f"{plan.upload_name}.csv",
                        "mimeType": "text/csv",
                        "buffer": upload_csv(plan),
                    }
                ],
                timeout=WAIT_MS,
            )
            await watch.wait(before)
            await page.get_by_text(plan.upload_name).first.wait_for(timeout=WAIT_MS)
            await expect(knob_box).to_have_value(value_pattern(plan.a_value), timeout=WAIT_MS)
            phase("uploaded")

        value = plan.a_value
        if plan.b_value:
            pin = page.get_by_role("button", name="Pin this setting as A")
            await pin.wait_for(timeout=WAIT_MS)
            before = watch.finished
            await pin.click()
            await watch.wait(before)
            await page.get_by_role("button", name="Clear A").wait_for(timeout=WAIT_MS)
            phase("pinned")
            await set_value(page, watch, knob.role, knob.label, plan.b_value)
            value = plan.b_value
            await table_rows(page, COMPARE_HEADS, knob.key)
            phase("compared")

        for seed in plan.seeds[1:]:  # more distinct settings: new splits, new fits
            await set_value(page, watch, "spinbutton", "Random seed", str(seed))
            await expect(seed_box).to_have_value(str(seed), timeout=WAIT_MS)
            phase(f"seed {seed}")

        # The checks: everything this page shows is this session's own.
        await page.wait_for_selector(DONE, timeout=WAIT_MS)
        seed = plan.seeds[-1]
        await expect(page.locator(EXCEPTION)).to_have_count(0, timeout=WAIT_MS)
        out.checks_passed += 1
        await expect(seed_box).to_have_value(str(seed), timeout=WAIT_MS)
        await expect(knob_box).to_have_value(value_pattern(value), timeout=WAIT_MS)
        out.checks_passed += 1
        query = parse_qs(urlparse(page.url).query)
        link = {k: v[0] for k, v in query.items()}
        problems = []
        if link.get("seed") != str(seed):
            problems.append(f"link seed={link.get('seed')!r}, own {seed}")
        if not same_value(link.get(knob.key), value):
            problems.append(f"link {knob.key}={link.get(knob.key)!r}, own {value!r}")
        if plan.upload_name and link.get("dataset") != "upload":
            problems.append(f"link dataset={link.get('dataset')!r}, own 'upload'")
        if problems:
            raise AssertionError("; ".join(problems))
        out.checks_passed += 1

        # The server's own record of the setting it fitted (the link and the widgets are
        # the browser's): the hyperparameter table shows this session's value.
        def own_setting(rows: dict[str, list[str]]) -> str | None:
            shown = rows[knob.key][1]
            return None if same_value(shown, value) else f"{knob.key}={shown!r}, own {value!r}"

        await table_shows(page, SETTING_HEADS, knob.key, own_setting)
        out.checks_passed += 1

        if plan.b_value:

            def own_pair(rows: dict[str, list[str]]) -> str | None:
                a, b = rows[knob.key][1:3]
                if not (same_value(a, plan.a_value) and same_value(b, plan.b_value)):
                    return f"{knob.key}: A={a!r} B={b!r}, own {plan.a_value!r} / {plan.b_value!r}"
                # The seed row, when the grid has drawn it (rows below its height are virtual).
                if "seed" in rows and rows["seed"][1:3] != [str(plan.seeds[0]), str(seed)]:
                    a, b = rows["seed"][1:3]
                    return f"seed: A={a!r} B={b!r}, own {plan.seeds[0]} / {seed}"
                return None

            rows = await table_shows(page, COMPARE_HEADS, knob.key, own_pair)
            out.seed_row_checked = "seed" in rows
            out.checks_passed += 1

        html = await page.content()
        if plan.upload_name and plan.upload_name not in html:
            raise AssertionError(f"own uploaded column {plan.upload_name} not shown")
        foreign = [n for n in all_uploads if n != plan.upload_name and n in html]
        if foreign:
            raise AssertionError(f"another session's uploaded column shown: {foreign}")
        out.checks_passed += 1
        phase("checked")
    except Exception as exc:  # every failure is recorded, the other sessions go on
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        where = out.phases[-1][0] if out.phases else "opening"
        out.errors.append(f"{plan.label} (after {where}): {type(exc).__name__}: {first_line[:300]}")
        try:
            shot = Path(tempfile.gettempdir()) / f"load_test_{plan.label.replace(' ', '_')}.png"
            await page.screenshot(path=str(shot), timeout=30_000)
            out.errors[-1] += f" (screenshot {shot})"
        except Exception:
            pass
    finally:
        out.seconds_total = time.perf_counter() - start
        await context.close()
    return out


async def bounded_session(browser, base, plan, all_uploads, seen) -> Outcome:
    try:
        return await asyncio.wait_for(
            run_session(browser, base, plan, all_uploads, seen), SESSION_TIMEOUT_S
        )
    except TimeoutError:
        out = Outcome(plan)
        out.errors.append(f"{plan.label}: did not finish within {SESSION_TIMEOUT_S} s")
        return out


def server_pid(port: int) -> int:
    """The ``streamlit run`` process this script started on ``port`` (a child of ours)."""
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == me and b"streamlit" in cmdline and str(port).encode() in cmdline:
            return int(entry.name)
    raise RuntimeError(f"no streamlit child process on port {port}")


def rss_mb(pid: int) -> float:
    """Resident memory of a process (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


async def warm_up(browser, base: str) -> list[str]:
    """Open every family page once, one after the other: the imports and first fits that
    every later session shares are paid before memory is measured."""
    errors = []
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    for knob in KNOBS:
        try:
            await page.goto(f"{base}/{knob.page}", wait_until="commit", timeout=WAIT_MS)
            heading = page.get_by_role("heading", name=knob.title, level=1)
            await heading.wait_for(timeout=WAIT_MS)
            await page.wait_for_selector(DONE, timeout=WAIT_MS)
            await page.get_by_role(knob.role, name=knob.label, exact=True).wait_for(timeout=WAIT_MS)
        except Exception as exc:
            errors.append(f"warm-up {knob.page}: {type(exc).__name__}: {str(exc)[:200]}")
    await context.close()
    return errors


@dataclass
class Report:
    sessions: int
    rounds: int
    steps: int
    wall_seconds: float
    outcomes: list[Outcome]
    rss: list[tuple[str, float]]  # (moment, MB)
    caches: list[dict[str, float]]  # the server's cache metrics at the same moments
    errors: list[str]
    off_host: list[str]
    page_errors: list[str]  # uncaught JavaScript errors in the pages
    server_tracebacks: int
    memory_ok: bool
    memory_note: str

    @property
    def ok(self) -> bool:
        # Off-host requests are aborted inside the browser (never sent): reported, not failed.
        return not self.errors and self.memory_ok

    def markdown(self) -> str:
        done = [o.seconds_to_done for o in self.outcomes if o.seconds_to_done is not None]
        total = [o.seconds_total for o in self.outcomes if o.seconds_total is not None]
        pages = sorted({o.plan.knob.page for o in self.outcomes})
        pinned = sum(1 for o in self.outcomes if o.plan.b_value)
        uploads = sum(1 for o in self.outcomes if o.plan.upload_name)
        checks = sum(o.checks_passed for o in self.outcomes)
        seed_rows = sum(1 for o in self.outcomes if o.seed_row_checked)
        clean = sum(1 for o in self.outcomes if not o.errors)

        def med_max(xs: list[float]) -> str:
            return f"{statistics.median(xs):.1f} s / {max(xs):.1f} s" if xs else "n/a"

        lines = [
            "## Crowd load test",
            "",
            "| | |",
            "|---|---|",
            f"| concurrent sessions per round | {self.sessions} |",
            f"| rounds | {self.rounds} |",
            f"| sessions in all | {len(self.outcomes)} ({pinned} pinned A and changed to B, "
            f"{uploads} uploaded a CSV) |",
            f"| distinct settings per session | {self.steps + 1} seeds"
            f" (+1 B setting when pinning) |",
            f"| pages | {len(pages)}: {', '.join(pages)} |",
            f"| wall time | {self.wall_seconds:.0f} s |",
            f"| time to done per session, median / max | {med_max(done)} |",
            f"| whole session per user, median / max | {med_max(total)} |",
            f"| errors | {len(self.errors)} |",
            f"| sessions with every isolation check passed | {clean} / {len(self.outcomes)} |",
            f"| isolation checks passed | {checks} (compare tables: {pinned}, their seed row"
            f" drawn and checked in {seed_rows}) |",
            f"| requests to other hosts than 127.0.0.1 (aborted in the browser, never sent) "
            f"| {len(self.off_host)} |",
            f"| uncaught JavaScript errors in the pages | {len(self.page_errors)} |",
            f"| tracebacks in the server log | {self.server_tracebacks} |",
            "",
            "| moment | server RSS (MB) | growth (MB) | st.cache_data held (kB) "
            "| cached results computed (fits) |",
            "|---|---:|---:|---:|---:|",
        ]
        previous = None
        for (moment, mb), cache in zip(self.rss, self.caches, strict=True):
            growth = "" if previous is None else f"{mb - previous:+.1f}"
            held = f"{cache['bytes'] / 1024:,.0f}" if cache else "n/a"
            made = f"{cache['misses']:,.0f} ({cache['fit_misses']:,.0f})" if cache else "n/a"
            lines.append(f"| {moment} | {mb:.1f} | {growth} | {held} | {made} |")
            previous = mb
        lines += ["", f"Memory: {'PASS' if self.memory_ok else 'FAIL'}: {self.memory_note}"]
        if self.errors:
            lines += ["", "Errors:", *[f"- {e}" for e in self.errors[:40]]]
        if self.page_errors:
            lines += ["", "JavaScript errors:", *[f"- {e[:200]}" for e in self.page_errors[:10]]]
        if self.off_host:
            counts = {u: self.off_host.count(u) for u in dict.fromkeys(self.off_host)}
            lines += [
                "",
                "Off-host requests the page made (aborted in the browser):",
                *[f"- {u} ({n}×)" for u, n in list(counts.items())[:20]],
            ]
        lines += ["", f"Result: {'PASS' if self.ok else 'FAIL'}"]
        return "\n".join(lines)


_METRIC = re.compile(r"^(\w+)\{([^}]*)\}\s+([0-9.eE+-]+)$")


def cache_metrics(base: str) -> dict[str, float]:
    """What the server's caches hold (bytes) and how many results they have computed
    (misses), from Streamlit's ``/_stcore/metrics``; empty when it cannot be read."""
    found = {"bytes": 0.0, "misses": 0.0, "fit_misses": 0.0}
    try:
        request = urllib.request.Request(
            f"{base}/_stcore/metrics", headers={"Accept": "text/plain"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
    except OSError:
        return {}
    for line in text.splitlines():
        match = _METRIC.match(line.strip())
        if not match or 'cache_type="st_cache_data"' not in match[2]:
            continue
        name, labels, value = match[1], match[2], float(match[3])
        if name == "cache_memory_bytes":
            found["bytes"] += value
        elif name == "cache_lookups_total" and 'result="miss"' in labels:
            found["misses"] += value
            if 'cache="ui.cache.cached_fit"' in labels:
                found["fit_misses"] += value
    return found


def judge_memory(rss: list[tuple[str, float]]) -> tuple[bool, str]:
    """The last round's growth against the first round's (both after the warm-up)."""
    values = [mb for _, mb in rss]
    if len(values) < 4:  # start, warm, round 1, and at least a round 2
        return True, "one round only: no levelling to judge"
    first = values[2] - values[1]
    last = values[-1] - values[-2]
    limit = max(MAX_GROWTH_RATIO * first, ABS_GROWTH_MB)
    note = (
        f"last round grew {last:+.1f} MB, first round {first:+.1f} MB; limit "
        f"max({MAX_GROWTH_RATIO:g} × first, {ABS_GROWTH_MB:g} MB) = {limit:.1f} MB"
    )
    return last <= limit, note


def _round_lines(round_no: int, seconds: float, results: list[Outcome], mb: float) -> str:
    head = (
        f"round {round_no + 1}: {seconds:.0f} s, {sum(len(o.errors) for o in results)} errors,"
        f" server RSS {mb:.0f} MB"
    )
    rows = [
        f"  {o.plan.label:<32} done {o.seconds_to_done or float('nan'):6.1f} s"
        f"  total {o.seconds_total or float('nan'):6.1f} s  "
        + " ".join(f"{name}@{t:.0f}" for name, t in o.phases)
        for o in results
    ]
    return "\n".join([head, *rows])


async def drive(base: str, sessions: int, rounds: int, steps: int, found: dict) -> None:
    """The warm-up and the rounds against a running server; results go into ``found``."""
    from playwright.async_api import async_playwright

    run_tag = secrets.token_hex(2)
    pid = server_pid(urlparse(base).port)

    def measure(moment: str) -> None:
        found["rss"].append((moment, rss_mb(pid)))
        found["caches"].append(cache_metrics(base))

    measure("start (no session yet)")
    all_uploads: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, LOOPBACK_ONLY]
        )
        try:
            found["errors"] += await warm_up(browser, base)
            measure("after warm-up (each page once)")
            for round_no in range(rounds):
                plans = make_plans(sessions, round_no, steps, run_tag)
                all_uploads += [p.upload_name for p in plans if p.upload_name]
                round_start = time.perf_counter()
                results = await asyncio.gather(
                    *(bounded_session(browser, base, p, all_uploads, found) for p in plans)
                )
                found["outcomes"] += results
                found["errors"] += [e for o in results for e in o.errors]
                measure(f"after round {round_no + 1}")
                seconds = time.perf_counter() - round_start
                print(
                    _round_lines(round_no, seconds, results, found["rss"][-1][1]),
                    file=sys.stderr,
                    flush=True,
                )
        finally:
            await browser.close()


async def run_load(sessions: int = 10, rounds: int = 3, steps: int = 2) -> Report:
    """Start the app, drive ``rounds`` rounds of ``sessions`` concurrent users, report."""
    log = Path(tempfile.mkdtemp(prefix="load_test_")) / "streamlit.log"
    found: dict = {
        "outcomes": [],
        "errors": [],
        "off_host": [],
        "page_errors": [],
        "rss": [],
        "caches": [],
    }
    wall_start = time.perf_counter()
    # A deployed server does not watch its files; here other people edit the tree while the
    # test runs, and a reload would show up as reruns and memory growth. Streamlit reads its
    # options from STREAMLIT_* variables, and the server inherits this environment.
    saved = os.environ.get(WATCHER_ENV)
    os.environ[WATCHER_ENV] = "none"
    try:
        with streamlit_server("app.py", log, timeout=120) as base:
            await drive(base, sessions, rounds, steps, found)
    finally:
        if saved is None:
            os.environ.pop(WATCHER_ENV, None)
        else:
            os.environ[WATCHER_ENV] = saved
    wall = time.perf_counter() - wall_start
    errors = found["errors"]
    tracebacks = log.read_text(errors="replace").count("Traceback")
    if tracebacks:
        errors.append(f"{tracebacks} traceback(s) in the server log {log}")
    memory_ok, memory_note = judge_memory(found["rss"])
    return Report(
        sessions=sessions,
        rounds=rounds,
        steps=steps,
        wall_seconds=wall,
        outcomes=found["outcomes"],
        rss=found["rss"],
        caches=found["caches"],
        errors=errors,
        off_host=found["off_host"],
        page_errors=found["page_errors"],
        server_tracebacks=tracebacks,
        memory_ok=memory_ok,
        memory_note=memory_note,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10, help="concurrent users per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of new settings")
    parser.add_argument("--steps", type=int, default=2, help="extra seeds each user tries")
    args = parser.parse_args(argv)
    if not (1 <= args.sessions <= 60 and 1 <= args.rounds <= 20 and 0 <= args.steps <= 20):
        parser.error("keep 1 ≤ sessions ≤ 60, 1 ≤ rounds ≤ 20, 0 ≤ steps ≤ 20")
    report = asyncio.run(run_load(args.sessions, args.rounds, args.steps))
    print(report.markdown())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
