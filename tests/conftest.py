"""Shared fixtures: the repo's paths and the small rubric every layer tests with."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from compliance.catalog import Catalog

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"

settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile(
    "ci", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def mini_catalog() -> Catalog:
    return Catalog(standard_dirs=[DATA], rubric_dirs=[DATA], cwd=ROOT)


@pytest.fixture(scope="session")
def mini_rubric(mini_catalog):
    return mini_catalog.rubric("mini-2024-street")
