"""ConflictLens: political-violence events from news reports, offline.

    >>> import conflictlens
    >>> result = conflictlens.extract("report.txt")              # a path or a text
    >>> for r in conflictlens.extract_many(texts, n_process=2):  # streamed, in order
    ...     ...
    >>> conflictlens.to_dataframe(results)                       # pandas, one row per event

See ``conflictlens.api``; the CLI and the server are thin shells over the same engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Loaded on first use (PEP 562): ``import conflictlens.store`` or the CLI's --help must
# not pay for spaCy and onnxruntime, which the pipeline imports.
_EXPORTS = {
    "extract": "conflictlens.api",
    "extract_many": "conflictlens.api",
    "to_dataframe": "conflictlens.api",
    "Event": "conflictlens.models",
    "ExtractionResult": "conflictlens.models",
    "ConflictLensError": "conflictlens.errors",
    "InputError": "conflictlens.errors",
}

__all__ = [
    "ConflictLensError",
    "Event",
    "ExtractionResult",
    "InputError",
    "extract",
    "extract_many",
    "to_dataframe",
]

if TYPE_CHECKING:
    from conflictlens.api import extract, extract_many, to_dataframe
    from conflictlens.errors import ConflictLensError, InputError
    from conflictlens.models import Event, ExtractionResult


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'conflictlens' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
