"""Log-axis ticks: whole decades inside the range, written as a reader writes numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.axes import MOST_TICKS, log_ticks, tick_text, whole_number_ticks


def test_tick_text_reads_plainly():
    assert [tick_text(v) for v in (0.001, 0.5, 1.0, 20.0, 10_000.0)] == [
        "0.001",
        "0.5",
        "1",
        "20",
        "10,000",
    ]
    assert tick_text(1e-5) == "10⁻⁵"
    assert tick_text(1e6) == "10⁶"
    assert tick_text(2e-7) == "2×10⁻⁷"


def test_a_wide_range_is_thinned_to_every_second_decade():
    ticks = log_ticks(1e-4, 1e4)
    assert ticks["ticktext"] == ["10⁻⁴", "0.01", "1", "100", "10,000"]
    assert ticks["tickmode"] == "array"


def test_a_short_range_gets_the_twos_and_fives():
    assert log_ticks(0.5, 30)["ticktext"] == ["0.5", "1", "2", "5", "10", "20"]
    assert log_ticks(1, 40)["tickvals"] == [1, 2, 5, 10, 20]


def test_ranges_plotly_should_label_itself():
    assert log_ticks(3, 7) == {}  # one tick would fit: plotly's own read better
    assert log_ticks(0, 10) == {} and log_ticks(1, math.inf) == {}


@given(
    st.floats(min_value=-12, max_value=12),
    st.floats(min_value=0.05, max_value=20),
)
def test_ticks_lie_inside_ascending_and_few(log_low, span):
    low, high = 10.0**log_low, 10.0 ** (log_low + span)
    ticks = log_ticks(low, high)
    if not ticks:
        return
    values = np.asarray(ticks["tickvals"])
    assert 2 <= len(values) <= MOST_TICKS
    assert np.all(np.diff(values) > 0)
    assert values.min() >= low * (1 - 1e-8) and values.max() <= high * (1 + 1e-8)
    assert len(set(ticks["ticktext"])) == len(values)
    if span >= 3:  # three decades always hold three whole ones: every label is one
        assert np.allclose(np.log10(values), np.round(np.log10(values)))


@pytest.mark.parametrize(("top", "step"), [(1, 1), (5, 1), (7, 2), (23, 5), (140, 50), (1000, 200)])
def test_counts_get_whole_number_ticks_in_1_2_5_steps(top, step):
    ticks = whole_number_ticks(top)
    assert ticks == {"tickmode": "linear", "tick0": 0, "dtick": step}
    assert top / step <= 5  # at most six ticks from 0
