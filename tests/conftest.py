"""Shared, seeded fixtures."""

from __future__ import annotations

import numpy as np
import pytest

from core.data.prepare import load_dataset


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def diabetes():
    return load_dataset("diabetes", "regression")


@pytest.fixture(scope="session")
def longley():
    return load_dataset("longley", "regression")
