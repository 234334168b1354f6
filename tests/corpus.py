"""Where the shared corpus and benchmarks are: ../shared beside the repository (as in CI).

The bundled copy of the seed in examples/ keeps the suite runnable from a lone clone;
benchmark-based tests skip there.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED_DIR = (
    SHARED / "corpus" / "seed" if (SHARED / "corpus" / "seed").exists() else ROOT / "examples"
)
SEED_TXT = SEED_DIR / "rfi-karachi-interview.txt"
SEED_GOLD = SEED_DIR / "rfi-karachi-interview.gold.json"
MUC_DEV = SHARED / "benchmarks" / "muc4" / "dev.json"
MUC_TRAIN = SHARED / "benchmarks" / "muc4" / "train.json"
WIKIEVENTS_DEV = SHARED / "benchmarks" / "wikievents" / "dev.jsonl"

needs_muc = pytest.mark.skipif(not MUC_DEV.exists(), reason="../shared/benchmarks not present")


def benchmark_module(name: str) -> ModuleType:
    """A script of benchmarks/ (not a package) imported by file name."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
