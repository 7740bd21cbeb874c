"""Opt-in crowd load test: ten concurrent browser sessions, each sees only its own state.

It takes minutes on a two-core machine, so the default suite skips it; run it with
``RUN_LOAD=1 python -m pytest tests/load``. ``LOAD_SESSIONS``, ``LOAD_ROUNDS`` and
``LOAD_STEPS`` change its size. The same test runs as a script with a Markdown summary:
``python -m benchmarks.load_test``.
"""

from __future__ import annotations

import asyncio
import os

import pytest

pytestmark = pytest.mark.skipif(
    os.environ.get("RUN_LOAD") != "1",
    reason="crowd load test: takes minutes; set RUN_LOAD=1 to run it",
)


def test_concurrent_sessions_stay_isolated_and_memory_levels_off():
    from benchmarks.load_test import run_load

    report = asyncio.run(
        run_load(
            sessions=int(os.environ.get("LOAD_SESSIONS", "10")),
            rounds=int(os.environ.get("LOAD_ROUNDS", "3")),
            steps=int(os.environ.get("LOAD_STEPS", "2")),
        )
    )
    print(report.markdown())
    assert report.errors == [], "\n".join(report.errors)
    assert all(o.checks_passed for o in report.outcomes)
    assert report.memory_ok, report.memory_note
