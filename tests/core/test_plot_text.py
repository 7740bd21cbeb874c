"""User text in plotly figures is shown as text: never a link, a style or a tag.

Plotly draws every string of a figure through its own pseudo-HTML (``<a href>`` is a live
link, ``<span style>`` restyles) and decodes ``&lt;`` ``&gt;`` ``&amp;`` and numeric entities in
the text between tags only. ``shown`` below is that decoding (plotly.js
``svg_text_utils.convertEntities``), so these tests state what a reader sees.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given
from hypothesis import strategies as st

import core
from core.plot_text import ENTITY, OWN_TAGS, is_figure_builder, plot_text, safe_figure

LINK = '<a href="https://evil.example/">click</a>'
IMAGE = "<img src=x onerror=alert(1)>"
STYLE = '<span style="font-size:90px">x</span>'
HOSTILE = (LINK, IMAGE, STYLE)
#: Markup that must never reach plotly from user text (any case).
RAW = re.compile(r"<\s*/?\s*(a|img|span|font|em|s|u)\b", re.IGNORECASE)
#: How plotly.js splits a string into text and tags.
TAG = re.compile(r"(<[^<>]*>)")
_NAMED = {"mu": "μ", "amp": "&", "lt": "<", "gt": ">", "nbsp": "\xa0", "times": "×"}
_NAMED |= {"plusmn": "±", "deg": "°"}


def _decode(match: re.Match) -> str:
    body = match.group(0)[1:-1]
    if body.startswith("#"):
        code = int(body[2:], 16) if body[1] == "x" else int(body[1:])
        return chr(code) if code <= 0x10FFFF else match.group(0)
    return _NAMED.get(body, match.group(0))


def shown(text: str) -> str:
    """What plotly writes for ``text``: tags kept as markup, entities decoded between them."""
    return "".join(
        part if TAG.fullmatch(part) else ENTITY.sub(_decode, part) for part in TAG.split(text)
    )


def strings(value):
    """Every string in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def spec(fig: go.Figure) -> list[str]:
    """Every string of the figure as Streamlit sends it (plotly's JSON, decoded)."""
    return list(strings(json.loads(fig.to_json())))


# --- one string --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        (LINK, '&lt;a href="https://evil.example/"&gt;click&lt;/a&gt;'),
        (IMAGE, "&lt;img src=x onerror=alert(1)&gt;"),
        (STYLE, '&lt;span style="font-size:90px"&gt;x&lt;/span&gt;'),
        ("<A HREF='x'>", "&lt;A HREF='x'&gt;"),
        ("<br/><BR><br >", "&lt;br/&gt;&lt;BR&gt;&lt;br &gt;"),
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ("R&D &copy; &#60; &LT;", "R&amp;D &copy; &#60; &amp;LT;"),
        ("<<b>>", "&lt;<b>&gt;"),
        ("plain name_1 (kg/m²)", "plain name_1 (kg/m²)"),
    ],
)
def test_hostile_text_is_escaped(text, escaped):
    assert plot_text(text) == escaped
    assert not RAW.search(plot_text(text))


def test_the_link_is_shown_as_its_own_text():
    for text in HOSTILE:
        assert TAG.findall(text)  # raw, plotly would read tags in it
        assert TAG.findall(plot_text(text)) == []  # escaped, it reads none
        assert shown(plot_text(text)) == text  # and writes the name as it is


def test_our_own_tags_are_kept():
    ours = "<b>Ridge</b><br>alpha = %{x:.4g}<br><i>x</i><sup>2</sup><sub>1</sub><extra>A</extra>"
    assert plot_text(ours) == ours
    assert plot_text(f"{LINK}<br>%{{y}}<extra>{STYLE}</extra>") == (
        f"{plot_text(LINK)}<br>%{{y}}<extra>{plot_text(STYLE)}</extra>"
    )


def test_escaping_twice_changes_nothing():
    for text in (*HOSTILE, "a & b", "&lt;", "<br>x & <y>"):
        once = plot_text(text)
        assert plot_text(once) == once
        assert "&amp;lt;" not in plot_text(once)


_PIECES = ["<", ">", "&", ";", "#", "x", "a", "A", "/", "=", "<a", "<span", "<IMG", "%{y}"]
_PIECES += ["&lt;", "&amp;", "&#60;", "&#x3C;", "&lt", "</a>"]
_FRAGMENTS = st.sampled_from([*OWN_TAGS, *HOSTILE, *_PIECES, " ", '"', "<br >"])
_TEXT = st.lists(_FRAGMENTS | st.text(max_size=5), max_size=12).map("".join)


@given(_TEXT)
def test_no_tag_but_our_own_survives(text):
    safe = plot_text(text)
    assert not RAW.search(safe)
    assert set(TAG.findall(safe)) <= set(OWN_TAGS)
    # every bracket left belongs to one of our tags
    assert "<" not in TAG.sub("", safe) and ">" not in TAG.sub("", safe)


@given(_TEXT)
def test_escaping_is_idempotent(text):
    assert plot_text(plot_text(text)) == plot_text(text)


@given(_TEXT)
def test_text_without_tags_or_entities_is_shown_as_written(text):
    if ENTITY.search(text) or any(tag in text for tag in OWN_TAGS):
        text = ENTITY.sub("", text)
        for tag in OWN_TAGS:
            text = text.replace(tag, "")
    if ENTITY.search(text) or any(tag in text for tag in OWN_TAGS):
        return  # removing one made another (rare): nothing to state
    assert shown(plot_text(text)) == text


# --- a whole figure ----------------------------------------------------------------------
def _hostile_figure() -> go.Figure:
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=np.array([1.0, 2.0, 3.0]),
            y=pd.Series(list(HOSTILE)).to_numpy(dtype=object),
            orientation="h",
            name=LINK,
            legendgroup=STYLE,
            legendgrouptitle={"text": IMAGE},
            text=list(HOSTILE),
            hovertext=[LINK, "ok", STYLE],
            customdata=np.column_stack([np.array(HOSTILE), np.arange(3.0)]),
            hovertemplate=f"{LINK}<br>%{{y}} %{{customdata[0]}}<extra>{STYLE}</extra>",
            marker={"colorbar": {"title": {"text": IMAGE}}, "color": [1, 2, 3]},
        )
    )
    fig.add_trace(go.Table(header={"values": [LINK]}, cells={"values": [[IMAGE, STYLE]]}))
    fig.add_trace(go.Parcoords(dimensions=[{"label": LINK, "values": [1, 2]}]))
    fig.update_layout(
        title=LINK,
        xaxis={"title": {"text": STYLE}, "tickvals": [1, 2], "ticktext": [LINK, IMAGE]},
        yaxis={"categoryorder": "array", "categoryarray": list(HOSTILE)},
        legend={"title": {"text": LINK}},
        annotations=[{"text": IMAGE, "x": 0, "y": 0}, {"text": "<b>ours</b>", "x": 1, "y": 1}],
        updatemenus=[
            {"buttons": [{"label": STYLE, "method": "update", "args": [{"title": LINK}]}]}
        ],
    )
    fig.frames = [go.Frame(data=[go.Scatter(x=[1], y=[1], name=LINK)], name="f")]
    return fig


def test_every_string_of_a_figure_is_escaped():
    before = _hostile_figure()
    assert any(RAW.search(s) for s in spec(before))
    fig = safe_figure(_hostile_figure())
    texts = spec(fig)
    assert not [s for s in texts if RAW.search(s)]
    for text in HOSTILE:
        assert plot_text(text) in texts
    trace = fig.data[0]
    assert list(trace.y) == [plot_text(t) for t in HOSTILE]
    assert list(fig.layout.yaxis.categoryarray) == list(trace.y)  # categories still match
    assert trace.customdata[:, 0].tolist() == [plot_text(t) for t in HOSTILE]
    assert trace.customdata[:, 1].astype(float).tolist() == [0.0, 1.0, 2.0]
    assert trace.hovertemplate.endswith(f"<extra>{plot_text(STYLE)}</extra>")
    assert "<br>%{y} %{customdata[0]}" in trace.hovertemplate
    assert fig.layout.annotations[1].text == "<b>ours</b>"
    assert fig.frames[0].data[0].name == plot_text(LINK)
    assert list(trace.x) == [1.0, 2.0, 3.0]


def test_a_safe_figure_is_left_as_it_was():
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name="a & b", hovertemplate="%{y}<br>x"))
    fig.update_layout(title="<b>title</b>", xaxis_title="alpha (log scale)")
    safe_figure(fig)
    once = fig.to_json()
    assert safe_figure(fig).to_json() == once  # a second pass changes nothing
    assert fig.data[0].name == "a &amp; b" and fig.layout.title.text == "<b>title</b>"


# --- the builders ------------------------------------------------------------------------
def test_a_builder_escapes_feature_names():
    from core.linear.figures import coefficient_bar_figure

    table = pd.DataFrame(
        {"feature": list(HOSTILE), "coef_per_sd": [1.0, -2.0, 0.5], "zero": [False] * 3}
    )
    fig = coefficient_bar_figure(table)
    assert not [s for s in spec(fig) if RAW.search(s)]
    assert set(fig.data[0].y) == {plot_text(t) for t in HOSTILE}


def test_a_builder_returning_a_tuple_escapes_its_figure():
    from core.families.neural_network.figures import network_diagram_figure

    coefs = [np.array([[0.5, -1.0], [2.0, 0.1]]), np.array([[1.0], [-1.0]])]
    intercepts = [np.zeros(2), np.zeros(1)]
    fig, hidden = network_diagram_figure(coefs, intercepts, [[LINK, STYLE], ["h1", "h2"], [IMAGE]])
    assert hidden == 0
    assert not [s for s in spec(fig) if RAW.search(s)]
    assert plot_text(LINK) in spec(fig)


def _core_functions():
    for info in pkgutil.walk_packages(core.__path__, "core."):
        module = importlib.import_module(info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ != "core.plot_text" and name[0] != "_":
                yield module.__name__, name, function


def _builds_a_figure(function) -> bool:
    returns = str(inspect.signature(function).return_annotation)
    source = inspect.getsource(inspect.unwrap(function))
    return "Figure" in returns or "go.Figure(" in source or "make_subplots(" in source


def test_every_public_figure_builder_escapes_its_figure():
    builders = [(m, n, f) for m, n, f in _core_functions() if _builds_a_figure(f)]
    names = {n for _, n, _ in builders}
    assert {"coefficient_path_figure", "network_diagram_figure", "complexity_figure"} <= names
    assert len(builders) >= 27
    assert [f"{m}.{n}" for m, n, f in builders if not is_figure_builder(f)] == []


def test_the_pages_never_build_or_change_a_figure():
    """The decorator is the last word only if nothing in ui/ touches a figure after it."""
    root = Path(__file__).resolve().parents[2]
    touch = re.compile(
        r"^\s*(import|from)\s+plotly|make_subplots\(|\bgo\.[A-Z]|\.(for_each_\w+|set_subplots"
        r"|update_(layout|traces|xaxes|yaxes|annotations|shapes)"
        r"|add_(trace|traces|annotation|shape|vline|hline|vrect|hrect))\("
    )
    files = [*(root / "ui").rglob("*.py"), *(root / "app_pages").rglob("*.py"), root / "app.py"]
    found = []
    for path in files:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if touch.search(line.split("#")[0]):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert found == []
