"""Shared fixtures and the hypothesis settings profile of the test suite.

The ``ci`` profile is registered and loaded by default so that every run, local or in CI, tries
the same examples; set ``TIP_INDICATORS_HYPOTHESIS_PROFILE`` to load another registered profile.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from support import WriteFile
from tip_indicators.indicators import Catalogue, builtin_catalogue

settings.register_profile("ci", derandomize=True, max_examples=100, deadline=None, database=None)
settings.register_profile("thorough", max_examples=2_000, deadline=None)
settings.load_profile(os.environ.get("TIP_INDICATORS_HYPOTHESIS_PROFILE", "ci"))

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The built-in indicator catalogue."""
    return builtin_catalogue()


@pytest.fixture(scope="session")
def fixtures() -> Path:
    """The folder of golden input files."""
    return FIXTURES


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """A function writing text or bytes to a named file under ``tmp_path``."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
        return path

    return write
