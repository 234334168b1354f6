"""Shared fixtures: the real seed document and gold file from ../shared/corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_SEED = ROOT.parent / "shared" / "corpus" / "seed"
# The bundled copy (examples/) keeps `make demo` working on a fresh clone; tests prefer
# the shared corpus, which is the reference.
SEED_DIR = SHARED_SEED if SHARED_SEED.exists() else ROOT / "examples"
SEED_TXT = SEED_DIR / "rfi-karachi-interview.txt"
SEED_GOLD = SEED_DIR / "rfi-karachi-interview.gold.json"


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
