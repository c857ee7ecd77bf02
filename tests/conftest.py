"""Fixtures shared by every part of the suite."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real recorded data beside the project (../shared/data); CI has it too."""
    assert SHARED_DATA.is_dir(), f"real data expected at {SHARED_DATA}"
    return SHARED_DATA


@pytest.fixture(scope="session")
def codecontests_dev(shared_data):
    from contests.importers.codecontests import load_codecontests

    return load_codecontests(shared_data / "codecontests" / "dev.jsonl")
