"""Shared fixtures: the real seed document and gold file from ../shared/corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus import SEED_GOLD, SEED_TXT


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED_TXT


@pytest.fixture(scope="session")
def seed_gold() -> dict:
    return json.loads(SEED_GOLD.read_text())


@pytest.fixture(scope="session")
def seed_result():
    from conflictlens.pipeline import extract_file

    return extract_file(SEED_TXT)
