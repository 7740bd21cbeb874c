"""Long work waits for a click, and the notice goes once the work is asked for."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page():
    import streamlit as st

    from ui.widgets import confirm_long_work

    if confirm_long_work("sweep-1", 12.0, "This sweep"):
        st.write("the sweep ran")


def test_long_work_waits_for_a_click_and_its_notice_then_goes():
    at = AppTest.from_function(_page, default_timeout=60).run()
    assert [i.value for i in at.info] == [
        "This sweep would take about 12 s with this setting and these rows, so it waits "
        "for a click rather than holding the page."
    ]
    assert not any("the sweep ran" in m.value for m in at.markdown)
    (button,) = at.button
    assert button.label == "Run it (12 s)"
    button.click().run()
    assert any("the sweep ran" in m.value for m in at.markdown)
    assert not at.info and not at.button  # nothing left to click
    at.run()  # the same work again: a confirmed key runs without asking
    assert any("the sweep ran" in m.value for m in at.markdown) and not at.info
